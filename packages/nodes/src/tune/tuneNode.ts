import { defineNode, NodeRunError } from '@ptp/graph-core';
import { z } from 'zod';
import '../values.js';
import { latentSize } from '../model/textToImageNode.js';
import { decodeLatents } from '../pipeline/decodeLatents.js';
import { randn } from '../pipeline/randn.js';
import { memoryLimitOf } from '../pipeline/runMemory.js';
import { sampleEdits } from '../edit/sampleEdits.js';
import { SCHEDULER_KINDS, type ModelPack } from '../runtime/InferenceBackend.js';
import type { MetricsValue, ScheduleSpec } from '../values.js';
import {
  applyCandidate,
  measureForObjective,
  schedulePresets,
  scheduleSpace,
  type TuneWorld,
} from './scheduleCandidate.js';
import {
  DEFAULT_LCB_Z,
  DEFAULT_SELECT_RULE,
  planHalving,
  SelectRuleSchema,
  successiveHalving,
} from './successiveHalving.js';
import { objective, ObjectiveWeightsSchema, type ObjectiveWeights } from './tuneObjective.js';
import { sampleCandidates, type Candidate } from './tuneSpace.js';

const Seeds = z.array(
  z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1),
);

/** One scored run: candidate (or setting) on a seed. */
interface Scored {
  readonly j: number;
  readonly success: number;
  readonly iou: number;
  readonly backgroundPsnr: number;
}

/**
 * Scores schedules on one seed, `batch` edits per sampler call (the source rides along as item 0
 * and is decoded as the reference), reporting progress in edit-steps.
 */
async function scoreOnSeed(o: {
  pack: ModelPack;
  base: ScheduleSpec;
  schedules: readonly ScheduleSpec[];
  seed: number;
  p: { steps: number; guidance: number; scheduler: (typeof SCHEDULER_KINDS)[number]; batch: number };
  world: TuneWorld;
  weights: ObjectiveWeights;
  signal: AbortSignal;
  maxMemoryBytes?: number;
  onSteps: (editSteps: number) => void;
}): Promise<Scored[]> {
  const [h, w] = latentSize(o.pack, 0, 0);
  const C = o.pack.layout.latentChannels;
  const source = {
    prompt: o.base.source,
    negativeText: '',
    sampling: { steps: o.p.steps, guidance: o.p.guidance, scheduler: o.p.scheduler, seed: o.seed },
    initialNoise: randn(C * h * w, o.seed),
    latentDims: [1, C, h, w] as [1, number, number, number],
  };
  const out: Scored[] = [];
  for (let i = 0; i < o.schedules.length; i += o.p.batch) {
    const chunk = o.schedules.slice(i, i + o.p.batch);
    let reported = 0;
    const run = await sampleEdits({
      pack: o.pack,
      source,
      schedules: chunk,
      signal: o.signal,
      progress: (value) => {
        o.onSteps((value - reported) * chunk.length);
        reported = value;
      },
      ...(o.maxMemoryBytes !== undefined ? { maxMemoryBytes: o.maxMemoryBytes } : {}),
    });
    const images = (await decodeLatents(o.pack, run.latents, run.latentDims)).images;
    chunk.forEach((s, k) => {
      const f = measureForObjective(o.world, images[0]!, images[k + 1]!, s);
      out.push({
        j: objective(f, o.weights),
        success: f.success,
        iou: f.iou,
        backgroundPsnr: f.backgroundPsnr ?? Number.NaN,
      });
    });
  }
  return out;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export const tuneNode = defineNode({
  type: 'ptp.tune',
  version: 1,
  title: 'Tune schedule',
  category: 'edit',
  description:
    'Searches an edit’s schedule (cross and self windows, self-attention divisor, local blend k, V beta) by successive halving over seeds within a run budget, maximising J = (3 success + IoU + P(background PSNR) [+ P(untouched-object PSNR)]) / weights; outputs the best schedule for the Edit sampler, and its J against the reference defaults and CL P2P on held-back seeds.',
  inputs: {
    model: { type: 'MODEL' },
    schedule: {
      type: 'SCHEDULE',
      description: 'the edit to tune (prompts, mode, blend words); its windows, divisor, k and V beta are searched',
    },
  },
  outputs: {
    schedule: { type: 'SCHEDULE', description: 'the input schedule with the best settings found' },
    metrics: { type: 'METRICS', description: 'best settings, cost in runs, held-back J per setting' },
  },
  params: z.object({
    budget: z
      .number()
      .int()
      .min(2)
      .max(256)
      .default(16)
      .meta({ description: 'runs (one schedule on one seed) the search may spend' }),
    seeds: Seeds.min(1).max(8).default([1, 2]).meta({ description: 'tuning seeds' }),
    select: SelectRuleSchema.default(DEFAULT_SELECT_RULE).meta({
      description:
        'how the winner is picked among the schedules scored on the most seeds: mean J, lcb = mean J minus lcbZ standard errors (resists lucky seeds), min = J on the worst seed; ties go to the reference defaults',
    }),
    lcbZ: z
      .number()
      .min(0)
      .max(10)
      .default(DEFAULT_LCB_Z)
      .meta({ description: 'standard errors lcb takes off the mean', step: 0.5, advanced: true }),
    firstSeeds: z
      .number()
      .int()
      .min(1)
      .max(8)
      .default(1)
      .meta({ description: 'seeds per schedule at the first rung', advanced: true }),
    testSeeds: Seeds.max(8)
      .default([101])
      .meta({ description: 'held-back seeds: tuned vs reference vs CL P2P (3 runs each; none: skip)' }),
    steps: z.number().int().min(1).max(200).default(20),
    guidance: z.number().min(0).max(30).default(7.5).meta({ step: 0.5 }),
    scheduler: z.enum(SCHEDULER_KINDS).default('pack').meta({ advanced: true }),
    batch: z
      .number()
      .int()
      .min(1)
      .max(8)
      .default(4)
      .meta({ description: 'schedules sampled together per call', advanced: true }),
    weights: ObjectiveWeightsSchema.default({ success: 3, iou: 1, background: 1, untouched: 1 }).meta({
      advanced: true,
    }),
    world: z
      .enum(['auto', 'shapes', 'scenes'])
      .default('auto')
      .meta({ description: 'judge: auto = scenes for a "*scenes*" pack', advanced: true }),
    searchSeed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(0)
      .meta({ advanced: true }),
  }),
  check: (_inputs, p) => [
    ...(p.seeds.some((s) => p.testSeeds.includes(s))
      ? [{ message: 'a held-back seed is also a tuning seed: keep them apart', param: 'testSeeds' }]
      : []),
    ...(planHalving({ budget: p.budget, seeds: p.seeds.length, firstSeeds: p.firstSeeds }) === undefined
      ? [{ message: `a budget of ${p.budget} cannot score two candidates`, param: 'budget' }]
      : []),
  ],
  run: async ({ model: pack, schedule: base }, p, ctx) => {
    const plan = planHalving({ budget: p.budget, seeds: p.seeds.length, firstSeeds: p.firstSeeds });
    if (!plan)
      throw new NodeRunError(`a budget of ${p.budget} cannot score two candidates`, {
        code: 'INVALID_PARAM',
        param: 'budget',
      });
    const world: TuneWorld = p.world === 'auto' ? (pack.id.includes('scenes') ? 'scenes' : 'shapes') : p.world;
    const presets = schedulePresets(base);
    const candidates = sampleCandidates(scheduleSpace(base), plan.rungs[0]!.candidates, p.searchSeed, [
      presets.reference,
      presets.clP2p,
    ]);
    const total = (plan.cost + 3 * p.testSeeds.length) * p.steps;
    let done = 0;
    const common = { pack, base, p, world, weights: p.weights, signal: ctx.signal, ...memoryLimitOf(ctx.resources) };
    const onSteps = (n: number) => {
      done = Math.min(total, done + n);
      ctx.progress(done, total);
    };
    const scores = new Map<string, Scored>();
    const score = async (runs: { candidate: number; seed: number }[]) => {
      for (const seedIndex of [...new Set(runs.map((r) => r.seed))]) {
        const which = runs.filter((r) => r.seed === seedIndex).map((r) => r.candidate);
        const scored = await scoreOnSeed({
          ...common,
          schedules: which.map((c) => applyCandidate(base, candidates[c]!)),
          seed: p.seeds[seedIndex]!,
          onSteps,
        });
        which.forEach((c, k) => scores.set(`${c}:${seedIndex}`, scored[k]!));
      }
    };
    const result = await successiveHalving(plan, score, (c, s) => scores.get(`${c}:${s}`)?.j, {
      rule: p.select,
      z: p.lcbZ,
    });
    const best: Candidate = candidates[result.best]!;

    const values: Record<string, number> = { runs: plan.cost, candidates: candidates.length };
    for (const [k, v] of Object.entries(best)) values[`best.${k.slice(k.indexOf('.') + 1)}`] = v;
    values['best.tuneJ'] = result.selection[0]!.mean;
    values['best.selectScore'] = result.selection[0]!.score;
    const settings: [string, Candidate][] = [
      ['tuned', best],
      ['reference', presets.reference],
      ['clP2p', presets.clP2p],
    ];
    if (p.testSeeds.length) {
      const held: Scored[][] = settings.map(() => []);
      for (const seed of p.testSeeds) {
        const scored = await scoreOnSeed({
          ...common,
          schedules: settings.map(([, c]) => applyCandidate(base, c)),
          seed,
          onSteps,
        });
        scored.forEach((s, i) => held[i]!.push(s));
      }
      settings.forEach(([name], i) => {
        for (const f of ['j', 'success', 'iou', 'backgroundPsnr'] as const)
          values[`${name}.${f}`] = mean(held[i]!.map((s) => s[f]));
      });
      values.testRuns = 3 * p.testSeeds.length;
    }
    const metrics: MetricsValue = {
      kind: 'tune',
      values,
      context: {
        world,
        seeds: p.seeds.join(','),
        testSeeds: p.testSeeds.join(','),
        plan: plan.rungs.map((r) => `${r.candidates}x${r.seeds}`).join(' -> '),
        select: p.select === 'lcb' ? `lcb (z ${p.lcbZ})` : p.select,
        // The final pick's ranking (schedules scored on the most seeds, by the selection rule) with
        // each one's settings, for the editor's results view.
        ranking: JSON.stringify(
          result.selection.map((x) => ({ params: candidates[x.candidate], tuneJ: x.mean, score: x.score })),
        ),
      },
    };
    return { schedule: applyCandidate(base, best), metrics };
  },
  summarize: ({ metrics }) => ({ ...metrics.values, ...metrics.context }),
});
