import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Engine, validateGraph } from '@ptp/graph-core';
import {
  createNodeRegistry,
  sampleEdits,
  type LatentBatch,
  type PromptValue,
  type ScheduleSpec,
  type SourceValue,
} from '@ptp/nodes';
import { OrtNodeBackend } from '../backends/OrtNodeBackend.js';
import type { Provider } from '../backends/providers.js';
import { importPack } from '../onnx/index.js';
import { PackStore } from '../packs/PackStore.js';
import { caseWorkflow, editNodeIds } from './caseWorkflow.js';
import {
  diffStats,
  readF32,
  readSavedLatents,
  readTolerance,
  referenceHome,
  scanReferenceCases,
  type FoundCase,
  type ReferenceCase,
  type Tolerance,
} from './referenceCases.js';

/**
 * WebGPU (Dawn; SwiftShader without a GPU) reorders float sums differently from the CPU kernels, and
 * a 50-step chaotic sampler amplifies that: its bound is looser than tolerance.json's CPU one.
 */
export const WEBGPU_TOLERANCE: Tolerance = { max_abs: 2e-3, mean_abs: 2e-4 };

export interface CaseResult {
  name: string;
  ok: boolean;
  /** Worst over the saved steps. */
  maxAbs: number;
  meanAbs: number;
  steps: { step: number; maxAbs: number; meanAbs: number }[];
  /** Cross-map check, for cases that ship averaged maps. */
  mapsMaxAbs?: number;
  error?: string;
  ms: number;
}

export interface ParityOptions {
  dir: string;
  provider?: Provider;
  /** Only these case names. */
  only?: readonly string[];
  /**
   * Run only the first `stopAfter` UNet calls and compare the saved steps among them. The graph
   * still builds every input (noise, prompts, schedules); the sampling loop is called directly so it
   * can stop early: for software WebGPU, where a full 50-step case takes minutes.
   */
  stopAfter?: number;
  onCase?: (r: CaseResult) => void;
}

/**
 * Runs every reference case found under `dir` through the project's own pipeline: the toy pack is
 * imported with the project's patcher, each case becomes a workflow of the project's nodes, and the
 * latents at each saved step are compared with the original implementation's.
 */
export async function runParity(o: ParityOptions): Promise<{ tolerance: Tolerance; results: CaseResult[] }> {
  const provider = o.provider ?? 'cpu';
  const home = referenceHome(o.dir);
  const tolerance = readTolerance(home, provider, provider === 'webgpu' ? WEBGPU_TOLERANCE : undefined);
  const root = await mkdtemp(path.join(tmpdir(), 'ptp-parity-'));
  const backend = new OrtNodeBackend({ provider, packs: new PackStore([root]) });
  try {
    await importPack(path.join(home, 'toy-sd-pack'), path.join(root, 'toy'));
    const registry = createNodeRegistry();
    const engine = new Engine(registry, { backend });
    const results: CaseResult[] = [];
    for (const found of scanReferenceCases(o.dir).filter((x) => !o.only || o.only.includes(x.name))) {
      const r = await runIsolated(found, (c) =>
        o.stopAfter === undefined
          ? runCase(engine, registry, c, tolerance)
          : runCasePrefix(engine, backend, c, tolerance, o.stopAfter),
      );
      results.push(r);
      o.onCase?.(r);
    }
    return { tolerance, results };
  } finally {
    await backend.release();
    await rm(root, { recursive: true, force: true });
  }
}

/** One case's failure (unreadable case.json, a node's error, a throw, a shape mismatch) fails that case only. */
export async function runIsolated(
  found: FoundCase,
  run: (c: ReferenceCase) => Promise<CaseResult>,
): Promise<CaseResult> {
  const failed = (error: string, ms: number): CaseResult => ({
    name: found.name,
    ok: false,
    maxAbs: NaN,
    meanAbs: NaN,
    steps: [],
    error,
    ms,
  });
  if (found.error !== undefined) return failed(found.error, 0);
  const started = performance.now();
  try {
    return await run(found.case);
  } catch (e) {
    return failed(e instanceof Error ? e.message : String(e), performance.now() - started);
  }
}

/** Compares the saved steps of a trajectory ([N, C, h, w] per step) with the reference's files, checking the item count first. */
function compareSteps(
  c: ReferenceCase,
  trajectory: readonly Float32Array[],
  steps: readonly number[],
): CaseResult['steps'] {
  const perStep = c.shape.reduce((a, b) => a * b, 1);
  return steps.map((step) => {
    const ours = trajectory[step];
    if (!ours) throw new Error(`the run has no step ${step} (it made ${trajectory.length})`);
    if (ours.length !== perStep)
      throw new Error(
        `the run made ${ours.length / (perStep / c.shape[0])} items per step, the reference ${c.shape[0]} (shape ${c.shape.join('x')})`,
      );
    const ref = readSavedLatents(c, step);
    if (ref.length !== perStep)
      throw new Error(
        `latents_step${String(step).padStart(2, '0')}.f32 holds ${ref.length} values, case.json's shape ${c.shape.join('x')} needs ${perStep}`,
      );
    return { step, ...diffStats(ours, ref) };
  });
}

async function runCase(
  engine: Engine,
  registry: ReturnType<typeof createNodeRegistry>,
  c: ReferenceCase,
  tol: Tolerance,
): Promise<CaseResult> {
  const started = performance.now();
  const base = { name: c.name, maxAbs: NaN, meanAbs: NaN, steps: [] as CaseResult['steps'] };
  const doc = caseWorkflow(c, 'toy');
  const invalid = validateGraph(doc, registry).errors;
  if (invalid.length) return { ...base, ok: false, error: invalid.map((e) => e.message).join('; '), ms: 0 };
  const target = c.prompts.length === 1 ? 'capture' : 'sampler';
  const run = await engine.run(doc, { outputs: [target] });
  if (run.status !== 'success')
    return {
      ...base,
      ok: false,
      error: run.errors.map((e) => `${e.nodeId ?? ''} ${e.message}`).join('; '),
      ms: performance.now() - started,
    };
  const outputs = run.outputs.get(target)!;
  const source = outputs.source as SourceValue | undefined;
  const trajectory = source ? source.trajectory : (outputs.trajectory as Float32Array[]);
  const steps = compareSteps(c, trajectory, c.saved_steps);
  const maxAbs = Math.max(...steps.map((s) => s.maxAbs));
  const meanAbs = Math.max(...steps.map((s) => s.meanAbs));
  let ok = maxAbs <= tol.max_abs && meanAbs <= tol.mean_abs;
  let mapsMaxAbs: number | undefined;
  const mapsFile = path.join(c.dir, 'cross_maps_16x16x77_mean.f32');
  if (source && existsSync(mapsFile)) {
    // Head-, layer- and step-averaged 16x16 cross maps of the source.
    const g = source.attention.groups.find((x) => x.name === '16x16');
    mapsMaxAbs = g
      ? diffStats(
          g.sum.map((v) => v / source.attention.steps),
          readF32(mapsFile),
        ).maxAbs
      : Infinity;
    ok &&= mapsMaxAbs <= tol.max_abs;
  }
  return {
    name: c.name,
    ok,
    maxAbs,
    meanAbs,
    steps,
    ...(mapsMaxAbs !== undefined ? { mapsMaxAbs } : {}),
    ms: performance.now() - started,
  };
}

/** The first `stopAfter` calls of a case: inputs from the case's graph, then sampleEdits directly. */
async function runCasePrefix(
  engine: Engine,
  backend: OrtNodeBackend,
  c: ReferenceCase,
  tol: Tolerance,
  stopAfter: number,
): Promise<CaseResult> {
  const started = performance.now();
  const doc = caseWorkflow(c, 'toy');
  const scheduleIds = c.prompts.slice(1).map((_, e) => editNodeIds(e + 1).schedule);
  const inputs = await engine.run(doc, { outputs: ['noise', 'source', ...scheduleIds] });
  if (inputs.status !== 'success')
    return {
      name: c.name,
      ok: false,
      maxAbs: NaN,
      meanAbs: NaN,
      steps: [],
      error: inputs.errors.map((e) => e.message).join('; '),
      ms: 0,
    };
  const noise = inputs.outputs.get('noise')!.noise as LatentBatch;
  const pack = await backend.loadPack('toy');
  const run = await sampleEdits({
    pack,
    source: {
      prompt: inputs.outputs.get('source')!.prompt as PromptValue,
      negativeText: '',
      sampling: { steps: c.steps, guidance: c.guidance, scheduler: c.scheduler, seed: 0 },
      initialNoise: noise.data,
      latentDims: [1, noise.dims[1], noise.dims[2], noise.dims[3]],
    },
    schedules: scheduleIds.map((id) => inputs.outputs.get(id)!.schedule as ScheduleSpec),
    stopAfter,
  });
  const steps = compareSteps(
    c,
    run.trajectory,
    c.saved_steps.filter((s) => s < stopAfter),
  );
  const maxAbs = Math.max(...steps.map((s) => s.maxAbs));
  const meanAbs = Math.max(...steps.map((s) => s.meanAbs));
  return {
    name: c.name,
    ok: steps.length > 0 && maxAbs <= tol.max_abs && meanAbs <= tol.mean_abs,
    maxAbs,
    meanAbs,
    steps,
    ms: performance.now() - started,
  };
}
