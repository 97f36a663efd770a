import {
  CandidateSchema,
  DEFAULT_LCB_Z,
  DEFAULT_SELECT_RULE,
  HalvingPlanSchema,
  ObjectiveWeightsSchema,
  SelectRuleSchema,
  TuneFailuresSchema,
  TuneSpaceSchema,
  type Candidate,
  type SelectionEntry,
} from '@ptp/nodes';
import { z } from 'zod';
import { meanCi, type MeanCi } from '../sweep/meanCi.js';
import type { TuneOutcome, TuneSetup, TestRun } from './runTune.js';

/**
 * results.json of `ptp tune`: the setup, the plan, each pair's rungs and winner, and per setting
 * (tuned, reference, CL P2P) the held-back figures per pair and over all pairs x seeds as means
 * with 95 % t intervals. JSON has no NaN or Infinity: a stat's mean and half-width are null then,
 * and identical pixels (PSNR +Infinity) are counted in `infinite`.
 */
const Num = z.number().nullable();
export const StatSchema = z.object({
  n: z.number().int(),
  mean: Num,
  half: Num,
  infinite: z.number().int(),
  missing: z.number().int(),
});
export type Stat = z.infer<typeof StatSchema>;

/**
 * A winner: its settings, its mean J on the tuning seeds it was scored on and (reports written
 * since the selection rule) the rule's score and that seed count.
 */
const BestSchema = z.object({
  candidate: z.number().int(),
  params: CandidateSchema,
  tuneMean: Num,
  selectScore: Num.optional(),
  tuneSeeds: z.number().int().optional(),
});

export const FIGURES = ['j', 'success', 'iou', 'backgroundPsnr', 'untouchedPsnr'] as const;
export type Figure = (typeof FIGURES)[number];
export const SettingStatsSchema = z.object({
  j: StatSchema,
  success: StatSchema,
  iou: StatSchema,
  backgroundPsnr: StatSchema,
  untouchedPsnr: StatSchema,
});
export type SettingStats = z.infer<typeof SettingStatsSchema>;

export const TuneReportSchema = z.object({
  kind: z.literal('ptp.tune'),
  version: z.literal(1),
  workflow: z.string(),
  command: z.string(),
  objective: z.object({ formula: z.string(), weights: ObjectiveWeightsSchema }),
  space: TuneSpaceSchema,
  budget: z.number().int(),
  plan: HalvingPlanSchema,
  /** How the winners were picked (absent in reports from before the rule: the best mean of the last rung). */
  select: z.object({ rule: SelectRuleSchema, /** lcb's standard errors. */ z: z.number().optional() }).optional(),
  tuneSeeds: z.array(z.number()),
  testSeeds: z.array(z.number()),
  searchSeed: z.number(),
  candidates: z.array(CandidateSchema),
  presets: z.record(z.string(), CandidateSchema),
  status: z.enum(['complete', 'interrupted']),
  pairs: z.array(
    z.object({
      id: z.string(),
      tags: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
      rungs: z.array(z.array(z.object({ candidate: z.number().int(), mean: Num }))),
      best: BestSchema,
      test: z.record(z.string(), SettingStatsSchema),
    }),
  ),
  /** One setting for all pairs, searched with the same plan on J averaged over the pairs (when asked for). */
  shared: z
    .object({
      best: BestSchema,
      /** Runs it needed beyond the per-pair searches' cells. */
      extraRuns: z.number().int(),
    })
    .optional(),
  /** Over all pairs x held-back seeds, per setting. */
  overall: z.record(z.string(), SettingStatsSchema),
  /**
   * The runs that failed, left out of every figure above (absent in reports written before it was
   * recorded); a pair all of whose runs failed has no figures and a "best" that was never scored.
   */
  failures: TuneFailuresSchema.optional(),
  /** Paired differences in J (tuned minus each other setting), same pair and seed. */
  tunedMinus: z.record(z.string(), StatSchema),
  cost: z.object({
    tuneRunsPerPair: z.number().int(),
    tuneRuns: z.number().int(),
    testRuns: z.number().int(),
    /** Pair x setting x seed figures the held-back runs give (more than the runs when settings are equal). */
    testFigures: z.number().int().optional(),
    ranNow: z.number().int(),
    reused: z.number().int(),
    tuneCellSeconds: z.number(),
    testCellSeconds: z.number(),
    wallSeconds: z.number(),
  }),
});
export type TuneReport = z.infer<typeof TuneReportSchema>;

export const OBJECTIVE_FORMULA =
  'J = (w_s*success + w_i*IoU + w_b*P(background PSNR) + w_u*P(untouched PSNR)) / (sum of weights used), P(x) = clamp((x - 20 dB)/30 dB, 0, 1); w_u counts only when untouched-object PSNR is measured';

const finite = (v: number) => (Number.isNaN(v) ? null : v);
const orNull = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);

/** The rule the winners were picked by, with z only where it counts (lcb). */
function selectOf(setup: TuneSetup): NonNullable<TuneReport['select']> {
  const rule = setup.select?.rule ?? DEFAULT_SELECT_RULE;
  return rule === 'lcb' ? { rule, z: setup.select?.z ?? DEFAULT_LCB_Z } : { rule };
}

/** The winner's entry: the selection's when there is one, else (interrupted) its last-rung mean. */
function bestOf(
  best: number,
  candidates: TuneOutcome['candidates'],
  selection: readonly SelectionEntry[],
  rungs: readonly { candidate: number; mean: number }[][],
) {
  const picked = selection.find((x) => x.candidate === best);
  return {
    candidate: best,
    params: candidates[best]!,
    tuneMean: orNull(picked?.mean ?? rungs.at(-1)?.find((x) => x.candidate === best)?.mean),
    ...(picked ? { selectScore: orNull(picked.score), tuneSeeds: picked.seeds } : {}),
  };
}
const stat = (m: MeanCi): Stat => ({ ...m, mean: finite(m.mean), half: finite(m.half) });

function statsOf(runs: readonly TestRun[]): SettingStats {
  const pick = (f: Figure) =>
    runs.map((r) => (f === 'j' ? r.j : f === 'untouchedPsnr' ? r.figures?.untouchedPsnr : r.figures?.[f]));
  return Object.fromEntries(FIGURES.map((f) => [f, stat(meanCi(pick(f)))])) as SettingStats;
}

export function tuneReport(o: {
  setup: TuneSetup;
  outcome: TuneOutcome;
  workflow: string;
  command: string;
  wallSeconds: number;
}): TuneReport {
  const { setup, outcome } = o;
  const others = [...(outcome.shared ? ['shared'] : []), ...Object.keys(setup.presets)];
  const settings = ['tuned', ...others];
  const by = (pred: (r: TestRun) => boolean) => outcome.test.filter(pred);
  const jOf = (pair: string, setting: string, seed: number) =>
    outcome.test.find((r) => r.pair === pair && r.setting === setting && r.seed === seed)?.j;
  const tunedMinus = Object.fromEntries(
    others.map((p) => [
      p,
      stat(
        meanCi(
          by((r) => r.setting === 'tuned').map((r) => {
            const other = jOf(r.pair, p, r.seed);
            return r.j === undefined || other === undefined ? undefined : r.j - other;
          }),
        ),
      ),
    ]),
  );
  return {
    kind: 'ptp.tune',
    version: 1,
    workflow: o.workflow,
    command: o.command,
    objective: { formula: OBJECTIVE_FORMULA, weights: setup.weights },
    space: setup.space,
    budget: setup.budget,
    plan: outcome.plan,
    select: selectOf(setup),
    tuneSeeds: [...setup.tuneSeeds],
    testSeeds: [...setup.testSeeds],
    searchSeed: setup.searchSeed,
    candidates: [...outcome.candidates],
    presets: { ...setup.presets } as Record<string, Candidate>,
    status: outcome.status,
    pairs: outcome.pairs.map((p) => ({
      id: p.pair.id,
      tags: { ...p.pair.tags },
      rungs: p.rungs.map((r) =>
        r.map((x) => ({ candidate: x.candidate, mean: Number.isFinite(x.mean) ? x.mean : null })),
      ),
      best: bestOf(p.best, outcome.candidates, p.selection, p.rungs),
      test: Object.fromEntries(settings.map((s) => [s, statsOf(by((r) => r.pair === p.pair.id && r.setting === s))])),
    })),
    ...(outcome.shared
      ? {
          shared: {
            best: bestOf(outcome.shared.best, outcome.candidates, outcome.shared.selection, outcome.shared.rungs),
            extraRuns: outcome.shared.extraRuns,
          },
        }
      : {}),
    overall: Object.fromEntries(settings.map((s) => [s, statsOf(by((r) => r.setting === s))])),
    tunedMinus,
    failures: outcome.failures,
    cost: {
      tuneRunsPerPair: outcome.plan.cost,
      // Distinct runs, as computed: the all-pairs search's own cells count, and settings that
      // came out equal (tuned = a preset) share their held-back runs.
      tuneRuns: outcome.plan.cost * setup.pairs.length + (outcome.shared?.extraRuns ?? 0),
      testRuns: new Set(outcome.test.map((t) => t.key)).size,
      testFigures: settings.length * setup.testSeeds.length * setup.pairs.length,
      ranNow: outcome.ran,
      reused: outcome.reused,
      tuneCellSeconds: Math.round(outcome.tuneMs) / 1000,
      testCellSeconds: Math.round(outcome.testMs) / 1000,
      wallSeconds: Math.round(o.wallSeconds * 10) / 10,
    },
  };
}
