import { describe, expect, it } from 'vitest';
import { FromWorkerSchema, ToWorkerSchema } from './protocol';

describe('worker protocol', () => {
  it('accepts the messages the runner sends, with defaults', () => {
    expect(ToWorkerSchema.parse({ type: 'init', baseUrl: 'http://127.0.0.1:1/' })).toEqual({
      type: 'init',
      baseUrl: 'http://127.0.0.1:1/',
      provider: 'auto',
      gpuOutputs: true,
      yieldToMessages: true,
      nodePackages: [],
    });
    expect(
      ToWorkerSchema.safeParse({ type: 'run', requestId: 'r1', document: { any: 'thing' }, targets: ['save'] }).success,
    ).toBe(true);
    expect(ToWorkerSchema.safeParse({ type: 'cancel', requestId: 'r1' }).success).toBe(true);
  });

  it('refuses malformed messages instead of guessing', () => {
    for (const bad of [
      null,
      {},
      { type: 'run' },
      { type: 'init', baseUrl: 'not a url' },
      { type: 'init', baseUrl: 'http://x/', provider: 'cuda' },
      { type: 'init', baseUrl: 'http://x/', nodePackages: [{ name: 'p', version: '1', url: 'not a url' }] },
      { type: 'uploads', uploads: [{ id: 'x', name: 'a', mediaType: 'image/png', bytes: [1] }] },
    ]) {
      expect(ToWorkerSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('checks run events and results coming back', () => {
    const event = { type: 'progress', runId: 'run', seq: 3, time: 1, nodeId: 'sample', value: 1, max: 3 };
    expect(FromWorkerSchema.safeParse({ type: 'event', requestId: 'r1', event }).success).toBe(true);
    expect(FromWorkerSchema.safeParse({ type: 'event', requestId: 'r1', event: { ...event, seq: -1 } }).success).toBe(
      false,
    );
    const result = {
      runId: 'run',
      status: 'success',
      files: [{ nodeId: 'save', name: 'a.png', mime: 'image/png', data: new Uint8Array(2) }],
      executed: [],
      cached: [],
      errors: [],
    };
    expect(FromWorkerSchema.safeParse({ type: 'result', requestId: 'r1', result }).success).toBe(true);
    expect(
      FromWorkerSchema.safeParse({
        type: 'result',
        requestId: 'r1',
        result: { ...result, files: [{ ...result.files[0], data: [0, 0] }] },
      }).success,
    ).toBe(false);
  });
});
