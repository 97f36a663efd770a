import { runChecked } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { planEdits } from '../edit/planEdits.js';
import { fakeContext, fakePack } from '../testing/fakePack.js';
import type { BlendSpec, ScheduleSpec } from '../values.js';
import { injectionScheduleNode } from './injectionScheduleNode.js';

const prompt = (text: string) => ({ text, words: text.split(' ') });
const source = prompt('a red circle on a white background');
const swap = prompt('a red square on a white background');
const run = (params: Record<string, unknown>, target = swap, blend?: BlendSpec) =>
  (
    runChecked(
      injectionScheduleNode,
      { source, target, blend },
      injectionScheduleNode.params.parse(params),
      fakeContext(),
    ) as {
      schedule: ScheduleSpec;
    }
  ).schedule;
const failure = (params: Record<string, unknown>, target = swap) => {
  try {
    run(params, target);
  } catch (err) {
    return err;
  }
  throw new Error('expected the node to refuse');
};

describe('Injection schedule node', () => {
  it('defaults to the reference word swap: cross 0.8, self 0.4, self only at latent/4 and below, no V injection', () => {
    expect(run({})).toEqual({
      source,
      target: swap,
      mode: 'replace',
      reweightAfter: false,
      cross: { default: 0.8, words: {} },
      self: 0.4,
      selfResolutionDivisor: 4,
      vInjection: { window: 0, beta: 0 },
      equalizer: {},
    });
  });

  it('chains reweight after replace or refine when an equalizer is given, and attaches the blend', () => {
    const blend: BlendSpec = { sourceWords: ['circle'], targetWords: ['square'], k: 0.3, start: 0, subtractWords: [] };
    const s = run(
      { equalizer: { square: 2 }, crossWords: { square: [0.1, 0.5] }, vWindow: 0.6, vBeta: 0.5 },
      swap,
      blend,
    );
    expect(s).toMatchObject({
      reweightAfter: true,
      equalizer: { square: 2 },
      cross: { default: 0.8, words: { square: [0.1, 0.5] } },
      vInjection: { window: 0.6, beta: 0.5 },
      blend,
    });
    expect(run({ mode: 'reweight', equalizer: { red: 3 } }).reweightAfter).toBe(false);
  });

  it('refuses a word swap between prompts of different word counts, and reweight without words', () => {
    const longer = prompt('a red square on a plain white background');
    expect(failure({}, longer)).toMatchObject({ input: 'target', message: expect.stringContaining('refine') });
    expect(run({ mode: 'refine' }, longer).mode).toBe('refine');
    expect(failure({ mode: 'reweight' })).toMatchObject({ param: 'equalizer', code: 'INVALID_PARAM' });
    expect(failure({ equalizer: { circle: 2 } })).toMatchObject({
      param: 'equalizer',
      message: expect.stringContaining('"circle"'),
    });
    expect(failure({ crossWords: { circle: 0.5 } })).toMatchObject({ param: 'crossWords' });
  });

  it('refuses windows outside [0, 1] or reversed, and bounds beta and the divisor, at validation', () => {
    for (const bad of [
      { cross: 1.2 },
      { self: [0.6, 0.2] },
      { vWindow: -0.1 },
      { vBeta: 1.5 },
      { selfResolutionDivisor: 0 },
      { equalizer: { red: 25 } },
    ]) {
      expect(injectionScheduleNode.params.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('plans to the documented steps: cross rows floor(c (S + 1)), self steps floor(c S), self layers by the divisor', () => {
    const pack = fakePack();
    const T = pack.layout.tokenLength;
    // 8x8 layers (downsample 1) and 4x4 layers (downsample 2) of an 8x8 latent.
    const plan = (params: Record<string, unknown>) => planEdits(pack, 50, [run(params)]);
    const square = 3; // token position of word 2 ("square") after BOS
    const p = plan({});
    expect(p.controlsAt(39).crossAlpha[square]).toBe(1);
    expect(p.controlsAt(40).crossAlpha[square]).toBe(0);
    expect(p.controlsAt(0).crossMapper[square * T + square]).toBe(1);
    // Divisor 4: no layer of an 8x8 latent is 2x2 or smaller, so self-attention is never replaced.
    expect(Array.from(p.controlsAt(0).selfAlpha)).toEqual([0, 0]);
    // Divisor 2: the 4x4 layer is, for steps 0 .. floor(0.4 * 50) - 1.
    const d2 = plan({ selfResolutionDivisor: 2 });
    expect(Array.from(d2.controlsAt(19).selfAlpha)).toEqual([0, 1]);
    expect(Array.from(d2.controlsAt(20).selfAlpha)).toEqual([0, 0]);
    // V injection over floor(0.6 * 51) = 30 rows, on every cross layer.
    const v = plan({ vWindow: 0.6, vBeta: 0.5 });
    expect(Array.from(v.controlsAt(29).vBeta)).toEqual([0.5, 0.5]);
    expect(Array.from(v.controlsAt(30).vBeta)).toEqual([0, 0]);
  });
});
