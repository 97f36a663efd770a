import { NodeRunError, runChecked } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { fakeContext } from '../testing/fakePack.js';
import type { BlendSpec } from '../values.js';
import { blendNode } from './blendNode.js';

const prompt = (text: string) => ({ text, words: text.split(' ') });
const source = prompt('a red circle on a white background');
const target = prompt('a blue Square on a white background');
const run = (params: Record<string, unknown>) =>
  runChecked(blendNode, { source, target }, blendNode.params.parse(params), fakeContext()) as { blend: BlendSpec };
const failure = (params: Record<string, unknown>) => {
  try {
    run(params);
  } catch (err) {
    return err;
  }
  throw new Error('expected the node to refuse');
};

describe('Local blend node', () => {
  it('passes the words, threshold, start and subtract words on, with the reference defaults (k 0.3, start 0)', () => {
    expect(run({ sourceWords: ['circle'], targetWords: ['square'] }).blend).toEqual({
      sourceWords: ['circle'],
      targetWords: ['square'],
      k: 0.3,
      start: 0,
      subtractWords: [],
    });
    expect(run({ targetWords: ['white background'], k: 0, start: 0.2, subtractWords: ['blue'] }).blend).toMatchObject({
      sourceWords: [],
      targetWords: ['white background'],
      k: 0,
      start: 0.2,
      subtractWords: ['blue'],
    });
  });

  it('matches words case-insensitively and refuses words the prompt lacks, naming the param', () => {
    expect(run({ targetWords: ['SQUARE'] }).blend.targetWords).toEqual(['SQUARE']);
    expect(failure({ sourceWords: ['square'] })).toMatchObject({ param: 'sourceWords', code: 'INVALID_PARAM' });
    expect(failure({ targetWords: ['square', 'triangle'] })).toMatchObject({
      param: 'targetWords',
      message: expect.stringContaining('"triangle"'),
    });
    expect(failure({ targetWords: ['square'], subtractWords: ['red'] })).toMatchObject({ param: 'subtractWords' });
  });

  it('needs at least one blend word', () => {
    const err = failure({});
    expect(err).toBeInstanceOf(NodeRunError);
    expect(err).toMatchObject({ param: 'targetWords', code: 'INVALID_PARAM' });
  });

  it('bounds k and start to [0, 1] at validation', () => {
    for (const bad of [{ k: -0.1 }, { k: 1.5 }, { start: 2 }])
      expect(blendNode.params.safeParse({ targetWords: ['square'], ...bad }).success).toBe(false);
  });
});
