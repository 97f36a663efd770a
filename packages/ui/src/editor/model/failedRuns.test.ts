import { errorPlace } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { failedRuns, splitRunError } from './failedRuns';

describe('failed runs of a tune', () => {
  it("splits an error as the sweep's executors write it (graph-core's errorPlace) into code, node, place and message", () => {
    const line = (e: Parameters<typeof errorPlace>[0], code: string, message: string) =>
      `${code}${errorPlace(e)}: ${message}`;
    expect(splitRunError(line({ nodeId: 'blend', param: 'sourceWords' }, 'INVALID_PARAM', 'a: b [c]'))).toEqual({
      code: 'INVALID_PARAM',
      node: 'blend',
      where: 'param sourceWords',
      message: 'a: b [c]',
    });
    expect(splitRunError(line({ nodeId: 'load' }, 'UPLOAD_NOT_FOUND', 'no upload x'))).toEqual({
      code: 'UPLOAD_NOT_FOUND',
      node: 'load',
      where: null,
      message: 'no upload x',
    });
    expect(splitRunError(line({ nodeId: 'vae', nodeType: 'ptp.vae' }, 'NODE_FAILED', 'x'))).toMatchObject({
      node: 'vae',
    });
    expect(splitRunError(line({}, 'INTERRUPTED', 'cancelled'))).toEqual({
      code: 'INTERRUPTED',
      node: null,
      where: null,
      message: 'cancelled',
    });
    // The runner's own fallback (and anything else) is all message.
    expect(splitRunError('failed (no error recorded)')).toEqual({
      code: null,
      node: null,
      where: null,
      message: 'failed (no error recorded)',
    });
  });

  it('says nothing when no run failed or the file has no failures section', () => {
    expect(failedRuns(undefined, true)).toBeUndefined();
    expect(failedRuns({ runs: 12, failed: 0, pairsAllFailed: [], errors: [] }, true)).toBeUndefined();
  });

  it('says how many of the runs failed, and that the figures are from the others', () => {
    const f = failedRuns(
      {
        runs: 10,
        failed: 3,
        pairsAllFailed: [],
        errors: [{ error: 'NODE_FAILED [node vae]: out of memory', runs: 3, pairs: ['p1', 'p2'] }],
      },
      false,
    )!;
    expect(f.all).toBe(false);
    expect(f.summary).toMatch(
      /^3 of 10 runs failed: the figures are from the other 7\. The errors are in results\.csv/,
    );
    expect(f.errors[0]).toMatchObject({ code: 'NODE_FAILED', node: 'vae', runs: 3, pairs: ['p1', 'p2'] });
  });
});
