import { describe, expect, it } from 'vitest';
import type { CellResult } from '../sweep/SweepResults.js';
import { tuneFailures } from './tuneFailures.js';

const result = (key: string, error?: string): CellResult => ({
  key,
  index: 0,
  pair: null,
  tags: {},
  params: {},
  status: error ? 'error' : 'ok',
  ms: 1,
  metrics: {},
  ...(error ? { error } : {}),
});

describe('tuneFailures', () => {
  it('counts each run once by error, the most frequent first, and names the pairs none of whose runs finished', () => {
    const results = new Map<string, CellResult>([
      ['a1', result('a1')],
      ['a2', result('a2', 'NODE_FAILED [node sampler]: out of memory')],
      ['b1', result('b1', 'INVALID_PARAM [node blend, param sourceWords]: "x" not in the prompt')],
      ['b2', result('b2', 'INVALID_PARAM [node blend, param sourceWords]: "x" not in the prompt')],
    ]);
    // c1 has no result (interrupted before it): not a run that finished.
    const cells = new Map([
      ['a1', 'a'],
      ['a2', 'a'],
      ['b1', 'b'],
      ['b2', 'b'],
      ['c1', 'c'],
    ]);
    expect(tuneFailures(cells, results)).toEqual({
      runs: 4,
      failed: 3,
      pairsAllFailed: ['b'],
      errors: [
        { error: 'INVALID_PARAM [node blend, param sourceWords]: "x" not in the prompt', runs: 2, pairs: ['b'] },
        { error: 'NODE_FAILED [node sampler]: out of memory', runs: 1, pairs: ['a'] },
      ],
    });
    expect(tuneFailures(new Map([['a1', 'a']]), results)).toEqual({
      runs: 1,
      failed: 0,
      pairsAllFailed: [],
      errors: [],
    });
  });
});
