import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  COLOURS,
  IMAGE_SIZE,
  parseShapesCaption,
  randomScene,
  renderScene,
  seededUniform,
  shapesCaption,
  type ShapeScene,
} from './shapesWorld.js';

interface PythonRender extends ShapeScene {
  rgb: string;
  mask: string;
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/shapesWorldPython.json', import.meta.url), 'utf8'),
) as PythonRender[];

describe('shapes world renderer', () => {
  it('draws the same pixels and masks as shapes_world.py render() (fixture from make_shapes_fixture.py)', () => {
    expect(fixture.length).toBeGreaterThanOrEqual(4);
    for (const f of fixture) {
      const r = renderScene(f);
      const py = Buffer.from(f.rgb, 'base64');
      let maxDiff = 0;
      for (let p = 0; p < IMAGE_SIZE * IMAGE_SIZE; p++) {
        for (let c = 0; c < 3; c++) maxDiff = Math.max(maxDiff, Math.abs(r.image.rgba[p * 4 + c]! - py[p * 3 + c]!));
      }
      // float32 (torch) vs float64 rounding can move a value across .5: at most one 8-bit step.
      expect(maxDiff, `${f.colour} ${f.shape}`).toBeLessThanOrEqual(1);
      expect(Array.from(r.mask).join(''), `${f.colour} ${f.shape} mask`).toBe(f.mask);
    }
  });

  it('fills the inside with the palette colour and masks by signed distance', () => {
    const r = renderScene({ shape: 'square', colour: 'red', background: 'black', cx: 16, cy: 16, r: 8 });
    const at = (x: number, y: number) => Array.from(r.image.rgba.subarray((y * 32 + x) * 4, (y * 32 + x) * 4 + 3));
    expect(at(16, 16)).toEqual(COLOURS.red.map((v) => Math.round(v * 255)));
    expect(at(0, 0)).toEqual([15, 15, 15]);
    // Square of half side 8 centred on pixel corner 16: pixels 8..23 inside.
    expect(r.mask.reduce((a, b) => a + b, 0)).toBe(16 * 16);
  });

  it('draws scenes inside the margin with the training distribution of sizes', () => {
    const rand = seededUniform(3);
    for (let i = 0; i < 500; i++) {
      const s = randomScene(rand);
      expect(s.r).toBeGreaterThanOrEqual(0.18 * 32);
      expect(s.r).toBeLessThanOrEqual(0.36 * 32);
      expect(s.cx - s.r).toBeGreaterThanOrEqual(1);
      expect(s.cy + s.r).toBeLessThanOrEqual(31);
    }
  });

  it('writes and reads captions in the training grammar', () => {
    const text = shapesCaption({ colour: 'red', shape: 'circle', background: 'white' });
    expect(text).toBe('a red circle on a white background');
    expect(parseShapesCaption(text)).toEqual({ colour: 'red', shape: 'circle', background: 'white' });
    expect(shapesCaption({ size: 'small', colour: 'blue', shape: 'square' })).toBe('a small blue square');
    expect(parseShapesCaption('a small blue square')).toEqual({ size: 'small', colour: 'blue', shape: 'square' });
    expect(parseShapesCaption('a photo of a cat')).toEqual({});
  });
});
