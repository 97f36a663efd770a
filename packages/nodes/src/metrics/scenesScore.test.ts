import { describe, expect, it } from 'vitest';
import { judgeScenesImage } from './scenesJudge.js';
import { averagedWordMap, objectWordTokens, resizeMap, scoreScene, thresholdIoU } from './scenesScore.js';
import { renderScenesImage, SCENE_SHAPES, type Scene } from './scenesWorld.js';
import { COLOUR_NAMES } from './shapesWorld.js';

const scene: Scene = {
  background: 'landscape',
  objects: [
    { shape: 'circle', colour: 'red', size: 'medium', texture: 'plain', cx: 14, cy: 40, r: 10 },
    { shape: 'triangle', colour: 'blue', size: 'large', texture: 'dotted', cx: 15, cy: 14, r: 12 },
    { shape: 'square', colour: 'yellow', size: 'small', texture: 'plain', cx: 48, cy: 30, r: 7 },
  ],
};

describe('scoreScene', () => {
  it('finds every object of a ground-truth render, also when two share nearly the same x', () => {
    const s = scoreScene(scene, judgeScenesImage(renderScenesImage(scene).image));
    expect(s).toMatchObject({ colour: 3, shape: 3, objects: 3, countRight: true, backgroundRight: true });
    expect(s.assigned.map((o) => o?.colour)).toEqual(['red', 'blue', 'yellow']);
  });

  it('counts a wrong colour, a missing object and a wrong background', () => {
    const drawn: Scene = {
      background: 'white',
      objects: [{ ...scene.objects[0]!, colour: 'green' }, scene.objects[2]!],
    };
    const s = scoreScene(scene, judgeScenesImage(renderScenesImage(drawn).image));
    expect(s).toMatchObject({ colour: 1, shape: 2, objects: 3, countRight: false, backgroundRight: false });
    expect(s.assigned[1]).toBeUndefined();
  });
});

describe('attention overlap', () => {
  it('finds each object word in caption order, up to the background phrase', () => {
    const words = ['a', 'red', 'circle', 'and', 'a', 'blue', 'square', 'on', 'a', 'white', 'background'].map(
      (word, i) => ({ word, tokenIndices: [i + 1] }),
    );
    expect(objectWordTokens(words, SCENE_SHAPES)).toEqual([[3], [7]]);
    // Colour words too; the background's "white" after "on" is not an object's.
    expect(objectWordTokens(words, COLOUR_NAMES)).toEqual([[2], [6]]);
  });

  it('resizes bilinearly with half-pixel centres', () => {
    expect(Array.from(resizeMap([2, 2, 2, 2], [2, 2], 4))).toEqual(new Array(16).fill(2));
    const row = Array.from(resizeMap([0, 1, 0, 1], [2, 2], 4).subarray(0, 4));
    expect(row).toEqual([0, 0.25, 0.75, 1]);
  });

  it('scores a map on the object near 1 and a map elsewhere near 0', () => {
    const T = 4;
    const r = renderScenesImage(scene);
    const mask = Array.from(r.labels, (v): number => (v === 1 ? 1 : 0));
    // A 16x16 map of token 2 that is the object's mask downsampled (what a good model attends).
    const on = new Float32Array(256 * T);
    const off = new Float32Array(256 * T);
    for (let y = 0; y < 16; y++)
      for (let x = 0; x < 16; x++) {
        let s = 0;
        for (let dy = 0; dy < 4; dy++) for (let dx = 0; dx < 4; dx++) s += mask[(4 * y + dy) * 64 + 4 * x + dx]!;
        on[(y * 16 + x) * T + 2] = s / 16;
        off[(y * 16 + x) * T + 2] = x > 10 ? 1 : 0;
      }
    const good = thresholdIoU(averagedWordMap([{ grid: [16, 16], maps: on }], T, [2], 64), mask);
    const bad = thresholdIoU(averagedWordMap([{ grid: [16, 16], maps: off }], T, [2], 64), mask);
    expect(good).toBeGreaterThan(0.8);
    expect(bad).toBeLessThan(0.05);
    // Uniform attention covers everything: IoU = object area / image area.
    const flat = thresholdIoU(new Float32Array(64 * 64).fill(1), mask);
    expect(flat).toBeCloseTo(mask.reduce((a, b) => a + b, 0) / 4096, 6);
  });
});
