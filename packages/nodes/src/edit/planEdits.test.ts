import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../diffusion/tokenizers/index.js';
import type { ModelPack, UnetLayout } from '../runtime/InferenceBackend.js';
import type { ScheduleSpec } from '../values.js';
import { applyBlend, localBlendMask } from './localBlendMask.js';
import { planEdits } from './planEdits.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../fixtures/clip-bpe');
const tokenizer = ClipTokenizer.fromFiles({
  vocabJson: readFileSync(path.join(fixtures, 'vocab.json'), 'utf8'),
  mergesTxt: readFileSync(path.join(fixtures, 'merges.txt'), 'utf8'),
});
const T = 77;
// Self layers at 32x32 (downsample 2), 16x16 (4) and 8x8 (8); two cross layers.
const layout = {
  tokenLength: T,
  layers: [
    { id: 's0', kind: 'self', index: 0, downsample: 2, group: '32x32' },
    { id: 's1', kind: 'self', index: 1, downsample: 4, group: '16x16' },
    { id: 's2', kind: 'self', index: 2, downsample: 8, group: '8x8' },
    { id: 'c0', kind: 'cross', index: 0, downsample: 2, group: '32x32' },
    { id: 'c1', kind: 'cross', index: 1, downsample: 4, group: '16x16' },
  ],
} as unknown as UnetLayout;
const pack = { tokenizer, layout } as unknown as ModelPack;
const prompt = (text: string) => ({ text, words: text.split(' ') });
const spec = (target: string, over: Partial<ScheduleSpec> = {}): ScheduleSpec => ({
  source: prompt('a painting of a squirrel eating a burger'),
  target: prompt(target),
  mode: 'replace',
  reweightAfter: false,
  cross: { default: 0.8, words: {} },
  self: 0.4,
  selfResolutionDivisor: 4,
  vInjection: { window: 0, beta: 0 },
  equalizer: {},
  ...over,
});

describe('planEdits', () => {
  it('word swap: full injection inside the cross window, none after; self only at low resolution', () => {
    const plan = planEdits(pack, 50, [spec('a painting of a lion eating a burger')]);
    const early = plan.controlsAt(0);
    expect(early.crossAlpha[5]).toBe(1);
    expect(early.crossKeep[5]).toBe(0);
    expect(Array.from(early.selfAlpha)).toEqual([0, 1, 1]);
    // 0.8 of 51 rows = 40 active rows (0..39); self 0.4 of 50 = 20 steps.
    expect(plan.controlsAt(39).crossAlpha[5]).toBe(1);
    expect(plan.controlsAt(40).crossAlpha[5]).toBe(0);
    expect(plan.controlsAt(40).crossKeep[5]).toBe(1);
    expect(Array.from(plan.controlsAt(20).selfAlpha)).toEqual([0, 0, 0]);
    // Mapper: squirrel (5) -> lion (5); identity elsewhere.
    expect(early.crossMapper[5 * T + 5]).toBe(1);
    expect(early.crossMapper[1 * T + 1]).toBe(1);
  });

  it('refine: new tokens keep the edit own attention, reweight multiplies the injected term', () => {
    const plan = planEdits(pack, 50, [
      spec('a neoclassical painting of a squirrel eating a burger', {
        mode: 'refine',
        reweightAfter: true,
        equalizer: { neoclassical: 2, squirrel: 3 },
      }),
    ]);
    const c = plan.controlsAt(0);
    const newTokens = tokenizer.tokenizeWords('a neoclassical painting of a squirrel eating a burger')[1]!.tokenIndices;
    const squirrel = tokenizer.tokenizeWords('a neoclassical painting of a squirrel eating a burger')[5]!
      .tokenIndices[0]!;
    for (const t of newTokens) {
      expect(c.crossAlpha[t]).toBe(0);
      // keep = 1 - a + a * eq * (1 - r) with a = 1, r = 0, eq = 2
      expect(c.crossKeep[t]).toBe(2);
    }
    expect(c.crossAlpha[squirrel]).toBe(1);
    expect(c.equalizer[squirrel]).toBe(3);
    expect(c.crossKeep[squirrel]).toBe(0);
  });

  it('V injection follows its own window and beta', () => {
    const plan = planEdits(pack, 10, [
      spec('a painting of a lion eating a burger', { vInjection: { window: [0.2, 0.5], beta: 0.5 } }),
    ]);
    // (S + 1) rows: floor(0.2 * 11) = 2 .. floor(0.5 * 11) = 5
    expect(Array.from(plan.controlsAt(1).vBeta)).toEqual([0, 0]);
    expect(Array.from(plan.controlsAt(2).vBeta)).toEqual([0.5, 0.5]);
    expect(Array.from(plan.controlsAt(5).vBeta)).toEqual([0, 0]);
  });
});

describe('planEdits on a pack with fused (uncontrolled) self layers', () => {
  // As `ptp models import` leaves SD: the full-grid self layer runs fused, without controls.
  const fusedLayout = {
    ...layout,
    layers: layout.layers.map((l) => (l.id === 's0' ? { ...l, controlled: false } : l)),
  } as unknown as UnetLayout;
  const fusedPack = { id: 'fused-pack', tokenizer, layout: fusedLayout } as unknown as ModelPack;

  it('plans schedules that stay within the controlled layers', () => {
    const plan = planEdits(fusedPack, 50, [spec('a painting of a lion eating a burger', { selfResolutionDivisor: 4 })]);
    expect(Array.from(plan.controlsAt(0).selfAlpha)).toEqual([0, 1, 1]);
    // No self window: the divisor does not matter.
    expect(() =>
      planEdits(fusedPack, 50, [spec('a painting of a lion eating a burger', { self: 0, selfResolutionDivisor: 1 })]),
    ).not.toThrow();
  });

  it('refuses self replacement in a fused layer, naming the divisor the pack serves', () => {
    expect(() =>
      planEdits(fusedPack, 50, [spec('a painting of a lion eating a burger', { selfResolutionDivisor: 2 })]),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_PARAM',
        param: 'selfResolutionDivisor',
        message: expect.stringMatching(/32x32.*"fused-pack".*selfResolutionDivisor >= 4.*--no-fuse-uncontrolled/),
      }),
    );
  });
});

describe('local blend', () => {
  it('unions source and edit masks, max-pools, thresholds, and moves only masked edit latents', () => {
    // Two items, a 4x4 map grid, 3 tokens; the source word (token 1) peaks at cell 0, the edit word
    // (token 2) at cell 15.
    const R = 4;
    const maps = new Float32Array(2 * R * R * 3);
    maps[(0 * 16 + 0) * 3 + 1] = 1;
    maps[(1 * 16 + 15) * 3 + 2] = 1;
    const plan = {
      sourceTokens: [1],
      targetTokens: [2],
      subtractSource: [],
      subtractTarget: [],
      k: 0.5,
      startAfter: 0,
    };
    const mask = localBlendMask(maps, [R, R], 3, 1, plan, [8, 8]);
    // Pooling spreads each peak over its 3x3 neighbourhood: cells (0..1, 0..1) and (2..3, 2..3).
    const at = (y: number, x: number) => mask[y * 8 + x];
    expect(at(0, 0)).toBe(1);
    expect(at(3, 3)).toBe(1);
    expect(at(7, 7)).toBe(1);
    expect(at(0, 7)).toBe(0);
    const latents = new Float32Array(2 * 2 * 64);
    latents.fill(1, 128);
    applyBlend(latents, 1, mask, 2);
    expect(latents[128 + 0]).toBe(1); // masked: edit kept
    expect(latents[128 + 7]).toBe(0); // outside: source value
    expect(latents[0]).toBe(0); // source untouched
  });

  it('k = 0 selects everything (the CL P2P setting)', () => {
    const maps = new Float32Array(2 * 4 * 3).fill(0.1);
    const mask = localBlendMask(
      maps,
      [2, 2],
      3,
      1,
      { sourceTokens: [1], targetTokens: [2], subtractSource: [], subtractTarget: [], k: 0, startAfter: 0 },
      [4, 4],
    );
    expect(Array.from(mask).every((v) => v === 1)).toBe(true);
  });
});
