import { z } from 'zod';

/**
 * The `failures` section of `ptp tune`'s results.json: how many of the runs that finished failed,
 * each error (as results.csv has it, `CODE [node n, param p]: message`) with its count and pairs,
 * and the pairs that have no run to score at all. The figures of a tune are means over the runs
 * that finished, so they are only honest with this. Here, not in the runner, because the editor
 * reads results.json too and may not import the runner.
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
