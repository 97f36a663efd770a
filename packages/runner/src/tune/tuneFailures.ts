import { z } from 'zod';
import type { CellResult } from '../sweep/SweepResults.js';

/**
 * The runs of a tune that failed, summarised for the report and the command's last words: how
 * many of the runs that finished, each error (as results.csv has it, `CODE [node n, param p]:
 * message`) with its count and pairs, and the pairs that have no run to score at all. The
 * figures of a tune are means over the runs that finished, so they are only honest with this.
 */
export const TuneFailuresSchema = z.object({
  /** Distinct runs of the plan that finished, failed or not (one per cell: equal settings share). */
  runs: z.number().int(),
  failed: z.number().int(),
  /** Pairs every finished run of which failed: they have no figures. */
  pairsAllFailed: z.array(z.string()),
  /** Failed runs by error, the most frequent first. */
  errors: z.array(z.object({ error: z.string(), runs: z.number().int(), pairs: z.array(z.string()) })),
});
export type TuneFailures = z.infer<typeof TuneFailuresSchema>;

/** `cells`: each run of the plan by its cell key, with its pair. A cell with no result is not counted. */
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
