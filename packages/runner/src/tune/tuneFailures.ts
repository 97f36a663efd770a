import type { TuneFailures } from '@ptp/nodes';
import type { CellResult } from '../sweep/SweepResults.js';

/**
 * The runs of a tune that failed, summarised for the report and the command's last words
 * (TuneFailuresSchema, in @ptp/nodes so the editor reads the same section). `cells`: each run of
 * the plan by its cell key, with its pair. A cell with no result is not counted.
 */
export function tuneFailures(
  cells: ReadonlyMap<string, string>,
  results: { get(key: string): CellResult | undefined },
): TuneFailures {
  let runs = 0;
  const okPairs = new Set<string>();
  const seenPairs = new Set<string>();
  const errors = new Map<string, { runs: number; pairs: Set<string> }>();
  for (const [key, pair] of cells) {
    const r = results.get(key);
    if (!r) continue;
    runs++;
    seenPairs.add(pair);
    if (r.status === 'ok') {
      okPairs.add(pair);
      continue;
    }
    const error = r.error || 'failed (no error recorded)';
    const e = errors.get(error) ?? { runs: 0, pairs: new Set<string>() };
    e.runs++;
    e.pairs.add(pair);
    errors.set(error, e);
  }
  return {
    runs,
    failed: [...errors.values()].reduce((n, e) => n + e.runs, 0),
    pairsAllFailed: [...seenPairs].filter((p) => !okPairs.has(p)),
    errors: [...errors.entries()]
      .map(([error, e]) => ({ error, runs: e.runs, pairs: [...e.pairs] }))
      .sort((a, b) => b.runs - a.runs),
  };
}
