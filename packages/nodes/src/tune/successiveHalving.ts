import { z } from 'zod';

/**
 * Successive halving (Jamieson & Talwalkar 2016) with seeds as the resource: rung 0 scores many
 * candidates on few seeds, each later rung keeps the best 1/eta of the previous one and scores the
 * survivors on eta times as many seeds (capped at the seeds there are), reusing the seeds scored
 * before. Every rung keeps at least 2 candidates. The winner is picked among the candidates scored
 * on the most seeds by a selection rule (selectWinner: mean J, or a pessimistic score that resists
 * lucky draws on few seeds). Pure: the plan depends only on the budget and the seed count, the
 * selection only on the scores.
 */
export const HalvingRungSchema = z.object({
  /** Candidates scored at this rung. */
  candidates: z.number().int().min(1),
  /** Seeds each of them is scored on (the first `seeds` tuning seeds; cumulative). */
  seeds: z.number().int().min(1),
});
export type HalvingRung = z.infer<typeof HalvingRungSchema>;

export const HalvingPlanSchema = z.object({
  rungs: z.array(HalvingRungSchema).min(1),
  /** Runs the plan costs: each (candidate, seed) scored once. */
  cost: z.number().int().min(0),
  eta: z.number().int().min(2),
});
export type HalvingPlan = z.infer<typeof HalvingPlanSchema>;

export interface HalvingOptions {
  /** Runs allowed (one run = one candidate on one seed). */
  budget: number;
  /** Tuning seeds available. */
  seeds: number;
  /** Keep 1/eta per rung (default 2: halving). */
  eta?: number;
  /** Seeds per candidate at rung 0 (default 1). */
  firstSeeds?: number;
  /** At most this many candidates at rung 0 (default 64). */
  maxCandidates?: number;
}

/** The rungs for `n0` starting candidates. */
function rungsFor(n0: number, o: Required<HalvingOptions>): HalvingRung[] {
  const rungs: HalvingRung[] = [];
  let n = n0;
  let s = Math.min(o.seeds, o.firstSeeds);
  for (;;) {
    rungs.push({ candidates: n, seeds: s });
    if (n <= 2) break;
    n = Math.max(2, Math.ceil(n / o.eta));
    s = Math.min(o.seeds, s * o.eta);
  }
  return rungs;
}

export function planCost(rungs: readonly HalvingRung[]): number {
  let cost = 0;
  let before = 0;
  for (const r of rungs) {
    cost += r.candidates * (r.seeds - before);
    before = r.seeds;
  }
  return cost;
}

/**
 * The plan with the most starting candidates whose cost fits `budget`, its last rung then scored
 * on as many more seeds as the rest of the budget pays for; undefined when not even two
 * candidates on one seed fit.
 */
export function planHalving(options: HalvingOptions): HalvingPlan | undefined {
  const o: Required<HalvingOptions> = { eta: 2, firstSeeds: 1, maxCandidates: 64, ...options };
  if (o.seeds < 1 || o.eta < 2) return undefined;
  let best: HalvingRung[] | undefined;
  for (let n0 = 2; n0 <= o.maxCandidates; n0++) {
    const rungs = rungsFor(n0, o);
    if (planCost(rungs) > o.budget) break;
    best = rungs;
  }
  if (!best) return undefined;
  // What the largest fitting plan leaves of the budget scores its last rung on more seeds.
  const last = best.at(-1)!;
  while (last.seeds < o.seeds && planCost(best) + last.candidates <= o.budget) last.seeds++;
  return { rungs: best, cost: planCost(best), eta: o.eta };
}

/** The (candidate, seed index) pairs rung `r` needs scored beyond those of earlier rungs. */
export function rungRuns(
  plan: HalvingPlan,
  r: number,
  survivors: readonly number[],
): { candidate: number; seed: number }[] {
  const from = r === 0 ? 0 : plan.rungs[r - 1]!.seeds;
  const to = plan.rungs[r]!.seeds;
  return survivors.flatMap((candidate) => Array.from({ length: to - from }, (_, k) => ({ candidate, seed: from + k })));
}

/** Mean score of `candidate` over seeds 0..seeds-1; a missing score (failed run) counts as -Infinity. */
export function meanScore(
  score: (candidate: number, seed: number) => number | undefined,
  candidate: number,
  seeds: number,
) {
  let sum = 0;
  for (let s = 0; s < seeds; s++) {
    const v = score(candidate, s);
    if (v === undefined || Number.isNaN(v)) return -Infinity;
    sum += v;
  }
  return sum / seeds;
}

/**
 * The candidates of rung `r` ranked by mean score over the rung's seeds (ties: lower index first),
 * best first; the next rung takes the first `plan.rungs[r + 1].candidates` of them.
 */
export function rankRung(
  plan: HalvingPlan,
  r: number,
  survivors: readonly number[],
  score: (candidate: number, seed: number) => number | undefined,
): { candidate: number; mean: number }[] {
  const seeds = plan.rungs[r]!.seeds;
  return survivors
    .map((candidate) => ({ candidate, mean: meanScore(score, candidate, seeds) }))
    .sort((a, b) => b.mean - a.mean || a.candidate - b.candidate);
}

/** Who goes on from rung `r` (all of rung 0's candidates are 0..n0-1). */
export function survivorsAfter(plan: HalvingPlan, ranked: readonly { candidate: number }[], r: number): number[] {
  const keep = plan.rungs[r + 1]?.candidates ?? 1;
  return ranked.slice(0, keep).map((x) => x.candidate);
}

/**
 * How the winner is picked among the candidates scored on the most seeds (see selectionScore):
 * - `mean`: highest mean J (the plain successive-halving winner: the best of the last rung);
 * - `lcb`: highest mean J minus `z` standard errors (sample SD / sqrt(seeds)), a lower confidence
 *   bound that marks down a candidate whose J swings from seed to seed (e.g. an edit that fails on
 *   one seed);
 * - `min`: highest J on its worst seed.
 * Ties go to the lower candidate index: the presets come first (reference defaults, then CL P2P).
 */
export const SELECT_RULES = ['mean', 'lcb', 'min'] as const;
export const SelectRuleSchema = z.enum(SELECT_RULES);
export type SelectRule = z.infer<typeof SelectRuleSchema>;
export const DEFAULT_SELECT_RULE: SelectRule = 'lcb';
/**
 * Standard errors `lcb` takes off the mean. 1: enough to put a candidate whose edit failed on one
 * of four seeds (J about 0.6 lower there, SE about 0.15) below a steady one a little worse on
 * average; on the study's validation seeds (docs/study/tune-select/summary.md) z 2 changed a
 * winner and lost a little J, z 1 picked what mean picked.
 */
export const DEFAULT_LCB_Z = 1;

export interface SelectOptions {
  rule?: SelectRule;
  /** For `lcb`: standard errors taken off the mean (default DEFAULT_LCB_Z). */
  z?: number;
}

/**
 * The score `rule` ranks one candidate by, from its J on each seed; -Infinity when a run is missing
 * (undefined or NaN) or there are no values. `lcb` on a single seed has no spread to go by: the
 * mean.
 */
export function selectionScore(values: readonly (number | undefined)[], o: SelectOptions = {}): number {
  const rule = o.rule ?? DEFAULT_SELECT_RULE;
  if (!values.length || values.some((v) => v === undefined || Number.isNaN(v))) return -Infinity;
  const xs = values as number[];
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (rule === 'mean') return mean;
  if (rule === 'min') return Math.min(...xs);
  if (n < 2) return mean;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  return mean - (o.z ?? DEFAULT_LCB_Z) * (sd / Math.sqrt(n));
}

/** One candidate of the final pick: seeds it was scored on, its mean J and the rule's score. */
export interface SelectionEntry {
  candidate: number;
  seeds: number;
  mean: number;
  score: number;
}

/**
 * The winner's pool ranked best first: every candidate scored on the most seeds in any rung
 * (candidates dropped at an earlier rung with as many seeds compete too), by `rule` over those
 * seeds (ties: lower index first, so the reference defaults win a tie). With `mean` this is the
 * best of the last rung, as plain successive halving picks.
 */
export function selectWinner(
  plan: HalvingPlan,
  rankings: readonly (readonly { candidate: number }[])[],
  score: (candidate: number, seed: number) => number | undefined,
  o: SelectOptions = {},
): SelectionEntry[] {
  const seedsOf = new Map<number, number>();
  rankings.forEach((ranked, r) => {
    for (const { candidate } of ranked)
      seedsOf.set(candidate, Math.max(seedsOf.get(candidate) ?? 0, plan.rungs[r]!.seeds));
  });
  const most = Math.max(0, ...seedsOf.values());
  return [...seedsOf.entries()]
    .filter(([, seeds]) => seeds === most)
    .map(([candidate, seeds]) => {
      const values = Array.from({ length: seeds }, (_, s) => score(candidate, s));
      return {
        candidate,
        seeds,
        mean: meanScore(score, candidate, seeds),
        score: selectionScore(values, o),
      };
    })
    .sort((a, b) => b.score - a.score || b.mean - a.mean || a.candidate - b.candidate);
}

/**
 * Runs a whole search with an async scorer called once per rung with that rung's runs (so a
 * caller can batch them). Returns the winner (selectWinner with `select`), every rung's ranking and
 * the final pick's ranking.
 */
export async function successiveHalving(
  plan: HalvingPlan,
  scoreRuns: (runs: { candidate: number; seed: number }[]) => Promise<void>,
  score: (candidate: number, seed: number) => number | undefined,
  select: SelectOptions = {},
): Promise<{ best: number; rungs: { candidate: number; mean: number }[][]; selection: SelectionEntry[] }> {
  let survivors = Array.from({ length: plan.rungs[0]!.candidates }, (_, i) => i);
  const rankings: { candidate: number; mean: number }[][] = [];
  for (let r = 0; r < plan.rungs.length; r++) {
    await scoreRuns(rungRuns(plan, r, survivors));
    const ranked = rankRung(plan, r, survivors, score);
    rankings.push(ranked);
    survivors = survivorsAfter(plan, ranked, r);
  }
  const selection = selectWinner(plan, rankings, score, select);
  return { best: selection[0]!.candidate, rungs: rankings, selection };
}
