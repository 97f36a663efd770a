import type { WorkflowDocument } from '@ptp/graph-core';
import {
  objective,
  objectiveInputs,
  planHalving,
  rankRung,
  rungRuns,
  sampleCandidates,
  selectWinner,
  survivorsAfter,
  type Candidate,
  type HalvingPlan,
  type ObjectiveInputs,
  type ObjectiveWeights,
  type SelectionEntry,
  type SelectOptions,
  type TuneFailures,
  type TuneSpace,
} from '@ptp/nodes';
import { runSweep, type CellExecutor, type SweepEvent } from '../sweep/runSweep.js';
import { planSweep, splitColumn, SweepSpecError, type SweepCell, type SweepPair } from '../sweep/sweepSpec.js';
import type { CellResult, SweepResults } from '../sweep/SweepResults.js';
import { tuneFailures } from './tuneFailures.js';

/**
 * `ptp tune`'s search, per prompt pair: successive halving over schedule candidates (the same
 * quasi-random candidates for every pair, the presets among them) on the tuning seeds, then the
 * winner, the reference defaults and CL P2P scored on held-back seeds. Every run is a sweep cell
 * (a copy of the workflow with the candidate's params and the seed set), computed by any
 * CellExecutor and appended to a SweepResults file, so a rerun resumes: the plan is deterministic
 * given the search seed and the results, and finished cells are skipped.
 */
export interface TuneSetup {
  readonly doc: WorkflowDocument;
  readonly pairs: readonly SweepPair[];
  readonly space: TuneSpace;
  /** Settings compared on the held-back seeds besides the tuned one; also seed the search. */
  readonly presets: Readonly<Record<string, Candidate>>;
  /** Runs per pair the search may spend. */
  readonly budget: number;
  readonly tuneSeeds: readonly number[];
  readonly testSeeds: readonly number[];
  /** `node.param` of the seed, e.g. `capture.seed`. */
  readonly seedColumn: string;
  readonly weights: ObjectiveWeights;
  /** Seeds the candidate sampler (not the diffusion). */
  readonly searchSeed: number;
  /** Read the objective's figures from this METRICS node only (default: any). */
  readonly metricsNode?: string;
  /**
   * Also search one setting for all pairs (J averaged over the pairs) with the same plan, scored on
   * the held-back seeds as "shared": per-pair tuning against a single tuned setting. Its runs are
   * mostly the per-pair searches' own cells (same candidates, seeds and pairs).
   */
  readonly shared?: boolean;
  /** How the winner is picked among the candidates scored on the most seeds (default: lcb, z 1). */
  readonly select?: SelectOptions;
  /** Seeds per candidate at rung 0 (default 1). */
  readonly firstSeeds?: number;
}

export type TuneEvent = SweepEvent & { phase: string };

export interface PairTune {
  readonly pair: SweepPair;
  /** Each rung's ranking, best first (mean J over the rung's seeds). */
  readonly rungs: { candidate: number; mean: number }[][];
  readonly best: number;
  /** The final pick's pool ranked by the selection rule, best first (empty when interrupted). */
  readonly selection: SelectionEntry[];
}

/** One held-back run: which pair, setting and seed, and its figures (undefined: the run failed). */
export interface TestRun {
  readonly pair: string;
  readonly setting: string;
  readonly seed: number;
  readonly key: string;
  readonly j?: number;
  readonly figures?: ObjectiveInputs;
}

export interface TuneOutcome {
  readonly status: 'complete' | 'interrupted';
  readonly plan: HalvingPlan;
  readonly candidates: readonly Candidate[];
  readonly pairs: readonly PairTune[];
  /** The search for one setting for all pairs (when asked for), and the runs it added to the per-pair ones. */
  readonly shared?: Omit<PairTune, 'pair'> & { readonly extraRuns: number };
  readonly test: readonly TestRun[];
  /** Cells this invocation computed and those found in the results file. */
  readonly ran: number;
  readonly reused: number;
  /** Summed cell time (ms) of the search's and the test's cells, wherever computed. */
  readonly tuneMs: number;
  readonly testMs: number;
  /** The runs that failed (their figures are left out of every mean), by error and pair. */
  readonly failures: TuneFailures;
}

export class TuneSetupError extends SweepSpecError {
  override readonly code = 'SWEEP_SPEC';
}

/** The plan and the candidates, refused (with a reason) when the budget or seeds cannot work. */
export function planTune(setup: TuneSetup): { plan: HalvingPlan; candidates: Candidate[] } {
  const overlap = setup.tuneSeeds.filter((s) => setup.testSeeds.includes(s));
  if (overlap.length)
    throw new TuneSetupError(`seeds ${overlap.join(', ')} are both tuning and held-back seeds: keep them apart`);
  if (!setup.tuneSeeds.length || !setup.testSeeds.length)
    throw new TuneSetupError('tuning needs at least one tuning seed and one held-back seed');
  const firstSeeds = setup.firstSeeds ?? 1;
  if (!Number.isInteger(firstSeeds) || firstSeeds < 1)
    throw new TuneSetupError(`seeds at rung 0 must be a whole number of at least 1, got ${firstSeeds}`);
  let plan = planHalving({ budget: setup.budget, seeds: setup.tuneSeeds.length, firstSeeds });
  if (!plan) throw new TuneSetupError(`a budget of ${setup.budget} runs cannot score two candidates`);
  const candidates = sampleCandidates(
    setup.space,
    plan.rungs[0]!.candidates,
    setup.searchSeed,
    Object.values(setup.presets),
  );
  if (candidates.length < plan.rungs[0]!.candidates) {
    plan = planHalving({
      budget: setup.budget,
      seeds: setup.tuneSeeds.length,
      firstSeeds,
      maxCandidates: candidates.length,
    });
    if (!plan) throw new TuneSetupError('the space has fewer than two distinct candidates');
  }
  return { plan, candidates };
}

/** The cell that runs `pair` with `params` set (planSweep with one value per axis: same keys as a sweep). */
export function tuneCell(doc: WorkflowDocument, pair: SweepPair, params: Record<string, number>, index: number) {
  const axes = Object.entries(params).map(([column, value]) => ({ ...splitColumn(column), values: [value] }));
  const [cell] = planSweep(doc, axes, [pair]);
  return { ...cell!, index };
}

export async function runTune(
  setup: TuneSetup,
  o: {
    executor: CellExecutor;
    results: SweepResults;
    concurrency?: number;
    signal?: AbortSignal;
    onEvent?: (e: TuneEvent) => void;
  },
): Promise<TuneOutcome> {
  const { plan, candidates } = planTune(setup);
  let index = 0;
  let ran = 0;
  let reused = 0;
  const keys = new Map<string, string>();
  /** Cell key -> pair id: each run once, however many settings share it. */
  const cellPairs = new Map<string, string>();
  const cellFor = (pair: SweepPair, setting: string, params: Record<string, number>, seed: number): SweepCell => {
    const cell = tuneCell(setup.doc, pair, { ...params, [setup.seedColumn]: seed }, index++);
    keys.set(`${pair.id}|${setting}|${seed}`, cell.key);
    cellPairs.set(cell.key, pair.id);
    return cell;
  };
  const figuresOf = (r: CellResult | undefined): ObjectiveInputs | undefined => {
    if (r?.status !== 'ok') return undefined;
    const prefix = setup.metricsNode ? `${setup.metricsNode}.` : '';
    return objectiveInputs(Object.fromEntries(Object.entries(r.metrics).filter(([k]) => k.startsWith(prefix))));
  };
  const phase = async (cells: SweepCell[], name: string): Promise<boolean> => {
    const unique = [...new Map(cells.map((c) => [c.key, c])).values()];
    const s = await runSweep({
      cells: unique,
      executor: o.executor,
      results: o.results,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.concurrency ? { concurrency: o.concurrency } : {}),
      onEvent: (e) => o.onEvent?.({ ...e, phase: name }),
    });
    ran += s.ran;
    reused += s.skipped;
    return !s.interrupted;
  };
  const score = (pair: SweepPair, setting: string, seed: number) => {
    const f = figuresOf(o.results.get(keys.get(`${pair.id}|${setting}|${seed}`) ?? ''));
    return f && objective(f, setup.weights);
  };

  const state = setup.pairs.map((pair) => ({
    pair,
    survivors: candidates.map((_, i) => i),
    rungs: [] as { candidate: number; mean: number }[][],
    selection: [] as SelectionEntry[],
  }));
  const shared = setup.shared
    ? {
        survivors: candidates.map((_, i) => i),
        rungs: [] as { candidate: number; mean: number }[][],
        selection: [] as SelectionEntry[],
      }
    : undefined;
  /** The winner: the selection's first, or (interrupted before it) the current leader. */
  const bestOf = (s: { survivors: number[]; selection: SelectionEntry[] }) =>
    s.selection[0]?.candidate ?? s.survivors[0]!;
  const perPairKeys = new Set<string>();
  const sharedKeys = new Set<string>();
  /**
   * J of a candidate on a seed averaged over the pairs with a run that finished so far (undefined
   * when one of their runs failed): a pair every run of which failed would mark every candidate
   * down alike, leaving the pick to the tie-break, so the setting for all pairs is tuned on the rest.
   */
  const sharedScore = (c: number, seed: number) => {
    const scored = new Set([...cellPairs].filter(([key]) => o.results.get(key)?.status === 'ok').map(([, p]) => p));
    const js = setup.pairs.filter((p) => scored.has(p.id)).map((pair) => score(pair, `c${c}`, seed));
    return !js.length || js.some((j) => j === undefined) ? undefined : js.reduce((a, b) => a! + b!, 0)! / js.length;
  };
  const outcome = (status: TuneOutcome['status'], test: TestRun[] = []): TuneOutcome => {
    const msOf = (pred: (k: string) => boolean) =>
      [...keys.entries()].filter(([k]) => pred(k)).reduce((sum, [, key]) => sum + (o.results.get(key)?.ms ?? 0), 0);
    return {
      status,
      plan,
      candidates,
      pairs: state.map((s) => ({ pair: s.pair, rungs: s.rungs, best: bestOf(s), selection: s.selection })),
      ...(shared
        ? {
            shared: {
              rungs: shared.rungs,
              best: bestOf(shared),
              selection: shared.selection,
              extraRuns: [...sharedKeys].filter((k) => !perPairKeys.has(k)).length,
            },
          }
        : {}),
      test,
      ran,
      reused,
      tuneMs: msOf((k) => k.split('|')[1]!.startsWith('c')),
      testMs: msOf((k) => k.split('|')[1]!.startsWith('test:')),
      failures: tuneFailures(cellPairs, o.results),
    };
  };

  for (let r = 0; r < plan.rungs.length; r++) {
    const cells = state.flatMap((s) =>
      rungRuns(plan, r, s.survivors).map(({ candidate, seed }) =>
        cellFor(s.pair, `c${candidate}`, candidates[candidate]!, setup.tuneSeeds[seed]!),
      ),
    );
    for (const c of cells) perPairKeys.add(c.key);
    if (shared)
      for (const { candidate, seed } of rungRuns(plan, r, shared.survivors))
        for (const pair of setup.pairs) {
          const cell = cellFor(pair, `c${candidate}`, candidates[candidate]!, setup.tuneSeeds[seed]!);
          sharedKeys.add(cell.key);
          cells.push(cell);
        }
    if (!(await phase(cells, `rung ${r + 1}/${plan.rungs.length}`))) return outcome('interrupted');
    for (const s of state) {
      const ranked = rankRung(plan, r, s.survivors, (c, k) => score(s.pair, `c${c}`, setup.tuneSeeds[k]!));
      s.rungs.push(ranked);
      s.survivors = survivorsAfter(plan, ranked, r);
    }
    if (shared) {
      const ranked = rankRung(plan, r, shared.survivors, (c, k) => sharedScore(c, setup.tuneSeeds[k]!));
      shared.rungs.push(ranked);
      shared.survivors = survivorsAfter(plan, ranked, r);
    }
  }

  for (const s of state)
    s.selection = selectWinner(plan, s.rungs, (c, k) => score(s.pair, `c${c}`, setup.tuneSeeds[k]!), setup.select);
  if (shared)
    shared.selection = selectWinner(plan, shared.rungs, (c, k) => sharedScore(c, setup.tuneSeeds[k]!), setup.select);

  const settings = (s: (typeof state)[number]) => ({
    tuned: candidates[bestOf(s)]!,
    ...(shared ? { shared: candidates[bestOf(shared)]! } : {}),
    ...setup.presets,
  });
  const testCells = state.flatMap((s) =>
    Object.entries(settings(s)).flatMap(([name, params]) =>
      setup.testSeeds.map((seed) => cellFor(s.pair, `test:${name}`, params, seed)),
    ),
  );
  const complete = await phase(testCells, 'held-back seeds');
  const test = state.flatMap((s) =>
    Object.keys(settings(s)).flatMap((setting) =>
      setup.testSeeds.map((seed): TestRun => {
        const key = keys.get(`${s.pair.id}|test:${setting}|${seed}`)!;
        const figures = figuresOf(o.results.get(key));
        return {
          pair: s.pair.id,
          setting,
          seed,
          key,
          ...(figures ? { figures, j: objective(figures, setup.weights) } : {}),
        };
      }),
    ),
  );
  return outcome(complete ? 'complete' : 'interrupted', test);
}
