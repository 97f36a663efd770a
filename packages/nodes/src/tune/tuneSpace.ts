import { z } from 'zod';
import { mulberry32 } from '../pipeline/mulberry32.js';

/**
 * What a schedule search varies: one dimension per `node.param`, either a range of numbers
 * (snapped to `step`) or a list of choices. A candidate is one value per dimension, keyed
 * `node.param` like the sweep's columns, so a candidate is also a set of sweep assignments.
 */
const Column = z.string().regex(/^[^.=]+\.[^=]+$/, 'node.param');

export const TuneRangeSchema = z
  .object({
    column: Column,
    min: z.number(),
    max: z.number(),
    step: z.number().positive(),
  })
  .strict()
  .refine((d) => d.min <= d.max, { message: 'min must not exceed max' });
export const TuneChoiceSchema = z.object({ column: Column, values: z.array(z.number()).min(1).max(64) }).strict();
export const TuneDimensionSchema = z.union([TuneRangeSchema, TuneChoiceSchema]);
export type TuneDimension = z.infer<typeof TuneDimensionSchema>;

export const TuneSpaceSchema = z
  .object({
    dimensions: z.array(TuneDimensionSchema).min(1).max(16),
    /** Set on every candidate (e.g. the V window, which only matters when beta > 0). */
    fixed: z.record(Column, z.number()).default({}),
  })
  .strict();
export type TuneSpace = z.infer<typeof TuneSpaceSchema>;

/** One point of the space: `node.param` -> value. */
export const CandidateSchema = z.record(Column, z.number());
export type Candidate = z.infer<typeof CandidateSchema>;

/**
 * The schedule knobs the injection schedule and local blend nodes expose, as the study varies
 * them: cross and self windows (fraction of steps), the self-attention resolution divisor, local
 * blend k (below 1: at 1 no latent cell passes and the edit is undone) and V-injection beta over
 * the first 80 % of steps.
 */
export function defaultTuneSpace(nodes: { schedule: string; blend?: string } = { schedule: 'schedule' }): TuneSpace {
  const s = nodes.schedule;
  return {
    dimensions: [
      { column: `${s}.cross`, min: 0.1, max: 1, step: 0.05 },
      { column: `${s}.self`, min: 0, max: 1, step: 0.05 },
      { column: `${s}.selfResolutionDivisor`, values: [1, 2, 4] },
      ...(nodes.blend ? [{ column: `${nodes.blend}.k`, min: 0, max: 0.9, step: 0.05 }] : []),
      { column: `${s}.vBeta`, min: 0, max: 1, step: 0.05 },
    ],
    fixed: { [`${s}.vWindow`]: 0.8 },
  };
}

/** Named settings to compare against (and to seed the search with). */
export function tunePresets(
  nodes: { schedule: string; blend?: string } = { schedule: 'schedule' },
): Record<'reference' | 'clP2p', Candidate> {
  const s = nodes.schedule;
  const k = (v: number) => (nodes.blend ? { [`${nodes.blend}.k`]: v } : {});
  const common = { [`${s}.selfResolutionDivisor`]: 4, [`${s}.vBeta`]: 0, [`${s}.vWindow`]: 0.8 };
  return {
    // The reference implementation's defaults (google/prompt-to-prompt notebooks).
    reference: { [`${s}.cross`]: 0.8, [`${s}.self`]: 0.4, ...k(0.3), ...common },
    // CL P2P's recommendation: short cross injection, long self injection, no localisation.
    clP2p: { [`${s}.cross`]: 0.2, [`${s}.self`]: 0.8, ...k(0), ...common },
  };
}

const PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53];

/** The radical inverse of `i` in `base` (the Halton sequence's coordinate). */
export function radicalInverse(i: number, base: number): number {
  let f = 1;
  let r = 0;
  for (let n = i; n > 0; n = Math.floor(n / base)) {
    f /= base;
    r += f * (n % base);
  }
  return r;
}

const snap = (v: number, step: number) => Number((Math.round(v / step) * step).toFixed(10));

/** Maps u in [0, 1) onto a dimension. */
function valueAt(d: TuneDimension, u: number): number {
  if ('values' in d) return d.values[Math.min(d.values.length - 1, Math.floor(u * d.values.length))]!;
  const steps = Math.floor((d.max - d.min) / d.step + 1e-9);
  return snap(d.min + Math.min(steps, Math.floor(u * (steps + 1))) * d.step, d.step);
}

export const candidateKey = (c: Candidate) =>
  Object.keys(c)
    .sort()
    .map((k) => `${k}=${c[k]}`)
    .join('&');

/**
 * `n` distinct candidates: first `include` (e.g. the presets), then a scrambled Halton sequence
 * over the space (each coordinate shifted by a uniform drawn from `seed`: a Cranley-Patterson
 * rotation), snapped to each dimension's grid, duplicates skipped. Deterministic in `seed`; fewer
 * than `n` only when the space has fewer distinct points.
 */
export function sampleCandidates(space: TuneSpace, n: number, seed: number, include: readonly Candidate[] = []) {
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const add = (c: Candidate) => {
    const key = candidateKey(c);
    if (out.length >= n || seen.has(key)) return;
    seen.add(key);
    out.push(c);
  };
  for (const c of include) add({ ...space.fixed, ...c });
  const rand = mulberry32(seed);
  const shift = space.dimensions.map(() => rand());
  for (let i = 1; out.length < n && i <= 50 * n + 100; i++) {
    const c: Candidate = { ...space.fixed };
    space.dimensions.forEach((d, j) => {
      c[d.column] = valueAt(d, (radicalInverse(i, PRIMES[j]!) + shift[j]!) % 1);
    });
    add(c);
  }
  return out;
}
