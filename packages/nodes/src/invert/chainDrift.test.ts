import { describe, expect, it } from 'vitest';
import { MetricInputError } from '../metrics/imageMetrics.js';
import { renderScene, type ShapeScene } from '../metrics/shapesWorld.js';
import { changedLabels, turnDrift, untouchedRegion } from './chainDrift.js';

const scene = (s: Partial<ShapeScene> = {}) =>
  renderScene({ shape: 'circle', colour: 'red', background: 'white', cx: 16, cy: 16, r: 8, ...s }).image;
const original = scene();

describe('chain drift', () => {
  it('names the labels a turn changes and the region every turn so far left alone', () => {
    expect(changedLabels('a red circle on a white background', 'a blue circle on a white background')).toEqual([
      'colour',
    ]);
    expect(changedLabels('a blue circle', 'a blue square on a black background')).toEqual(['shape', 'background']);
    const turns = [['colour'], ['shape'], ['background']] as const;
    const changed = turns.map((t) => [...t]);
    expect([0, 1, 2].map((k) => untouchedRegion(changed, k))).toEqual(['background', 'background', 'shape']);
    // Background and shape in one turn leave nothing untouched; a later colour turn neither.
    expect(untouchedRegion([['background', 'shape']], 0)).toBe('none');
    expect(untouchedRegion([['background'], ['colour']], 1)).toBe('none');
  });

  it('a colour turn keeps structure and background exactly: IoU 1, background PSNR infinite', () => {
    const blue = scene({ colour: 'blue' });
    const d = turnDrift({
      original,
      previous: original,
      image: blue,
      target: 'a blue circle',
      untouched: 'background',
    });
    expect(d.values).toMatchObject({ iou: 1, stepIou: 1, success: 1, backgroundPsnr: Infinity });
    expect(d.values.untouchedPsnr).toBe(Infinity);
    expect(d.values.shapePsnr).toBeLessThan(15); // the shape's pixels are what changed
    expect(d.untouched).toBe('background');
  });

  it('a background turn is read on the shape against the previous turn; success checks every named label', () => {
    const blueSquare = scene({ colour: 'blue', shape: 'square' });
    const onBlack = scene({ colour: 'blue', shape: 'square', background: 'black' });
    const d = turnDrift({
      original,
      previous: blueSquare,
      image: onBlack,
      target: 'a blue square on a black background',
      untouched: 'shape',
    });
    expect(d.values.stepIou).toBe(1);
    expect(d.values.iou).toBeLessThan(1); // circle -> square since the original
    expect(d.values.backgroundPsnr).toBeLessThan(5); // the background was edited: low by design
    expect(d.values.untouchedPsnr).toBe(d.values.shapePsnr);
    expect(d.values.shapePsnr).toBe(Infinity);
    expect(d.values.success).toBe(1);
    const wrong = turnDrift({
      original,
      previous: blueSquare,
      image: blueSquare,
      target: 'a blue square on a black background',
      untouched: 'none',
    });
    expect(wrong.values.success).toBe(0);
    expect(wrong.values.untouchedPsnr).toBeNaN();
  });

  it('refuses pictures of another size, naming which', () => {
    const small = renderScene({ shape: 'circle', colour: 'red', background: 'white', cx: 8, cy: 8, r: 4 }, 16).image;
    expect(() =>
      turnDrift({ original, previous: original, image: small, target: 'a red circle', untouched: 'background' }),
    ).toThrow(MetricInputError);
    expect(() =>
      turnDrift({ original, previous: small, image: original, target: 'x', untouched: 'background' }),
    ).toThrow(/previous is 16x16/);
  });
});
