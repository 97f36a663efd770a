import { describe, expect, it } from 'vitest';
import {
  ApiErrorBodySchema,
  FollowMessageSchema,
  isFinalRunStatus,
  RUN_STATUSES,
  RunEventMessageSchema,
  RunPreviewMessageSchema,
  RunRecordSchema,
  RunRequestSchema,
  WorkflowListQuerySchema,
} from './index.js';

describe('wire schemas', () => {
  it('run requests default their options and refuse non-objects as workflows', () => {
    expect(RunRequestSchema.parse({ workflow: { schemaVersion: 2, nodes: [] } })).toEqual({
      workflow: { schemaVersion: 2, nodes: [] },
      options: {},
    });
    for (const workflow of [null, [], 'x', 3]) expect(RunRequestSchema.safeParse({ workflow }).success).toBe(false);
    expect(RunRequestSchema.safeParse({ workflow: {}, options: { provider: 'tpu' } }).success).toBe(false);
  });

  it('run records: statuses, final states, ids safe in URLs', () => {
    expect(RUN_STATUSES).toEqual(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted']);
    expect(RUN_STATUSES.filter(isFinalRunStatus)).toEqual(['succeeded', 'failed', 'cancelled', 'interrupted']);
    const record = {
      id: 'run_1',
      status: 'queued',
      name: 'x',
      options: {},
      createdAt: new Date(0).toISOString(),
      lastSeq: -1,
      outputs: [],
    };
    expect(RunRecordSchema.parse(record)).toEqual(record);
    expect(RunRecordSchema.safeParse({ ...record, id: '../x' }).success).toBe(false);
    expect(FollowMessageSchema.safeParse({ runId: 'run_1/..' }).success).toBe(false);
  });

  it('socket messages carry the engine event unchanged, previews as binary', () => {
    const event = { type: 'progress', runId: 'run_1', seq: 3, time: 1, nodeId: 'n', value: 1, max: 2 } as const;
    expect(RunEventMessageSchema.parse({ runId: 'run_1', event })).toEqual({ runId: 'run_1', event });
    expect(
      RunPreviewMessageSchema.safeParse({
        runId: 'run_1',
        nodeId: 'n',
        seq: 3,
        mime: 'image/png',
        data: new Uint8Array(2),
      }).success,
    ).toBe(true);
    expect(
      RunPreviewMessageSchema.safeParse({
        runId: 'run_1',
        nodeId: 'n',
        seq: 3,
        mime: 'image/png',
        data: new ArrayBuffer(2),
      }).success,
    ).toBe(true);
    expect(
      RunPreviewMessageSchema.safeParse({ runId: 'run_1', nodeId: 'n', seq: 3, mime: 'image/png', data: 'AAAA' })
        .success,
    ).toBe(false);
  });

  it('errors and library queries', () => {
    expect(ApiErrorBodySchema.parse({ error: { code: 'UNKNOWN_RUN', message: 'unknown run' } }).error.code).toBe(
      'UNKNOWN_RUN',
    );
    expect(WorkflowListQuerySchema.parse({ tag: 'a', limit: '5' })).toEqual({ tag: ['a'], limit: 5, offset: 0 });
    expect(WorkflowListQuerySchema.parse({})).toEqual({ tag: [], limit: 100, offset: 0 });
  });
});
