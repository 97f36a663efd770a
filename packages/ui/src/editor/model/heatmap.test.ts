import { describe, expect, it } from 'vitest';
import { attentionChoices, firstContentWord, heatmapRgba, rampColour } from './heatmap';

describe('heatmap overlay', () => {
  it('upsamples a map so the hot cell is brightest and most opaque', () => {
    const map = new Float32Array([0, 0, 0, 1]); // 2x2, bottom-right hot
    const rgba = heatmapRgba(map, [2, 2], 8, 8);
    expect(rgba.length).toBe(8 * 8 * 4);
    const px = (x: number, y: number) => Array.from(rgba.slice((y * 8 + x) * 4, (y * 8 + x) * 4 + 4));
    const hot = px(7, 7);
    const cold = px(0, 0);
    expect(hot[3]!).toBeGreaterThan(cold[3]!);
    expect(hot[0]! + hot[1]! + hot[2]!).toBeGreaterThan(cold[0]! + cold[1]! + cold[2]!);
    expect(px(0, 0)).toEqual(px(1, 1)); // flat in the cold quadrant's interior
  });

  it('maps 0 and 1 to the ends of the ramp', () => {
    expect(rampColour(0)).toEqual([0, 0, 4]);
    expect(rampColour(1)).toEqual([252, 255, 164]);
    expect(rampColour(2)).toEqual([252, 255, 164]);
  });

  it('lists resolutions finest first with whether they keep per-step maps', () => {
    const c = attentionChoices({
      steps: 20,
      prompts: ['a', 'b'],
      groups: [
        { name: '4x4', grid: [4, 4], sum: new Float32Array(0) },
        { name: '8x8', grid: [8, 8], sum: new Float32Array(0), perStep: [] },
      ],
    });
    expect(c.resolutions).toEqual([
      { name: '8x8', perStep: true },
      { name: '4x4', perStep: false },
    ]);
    expect(c.items).toBe(2);
  });
});

describe('the word the maps open on', () => {
  it('is the first content word, skipping articles, prepositions and "photo of"', () => {
    expect(firstContentWord(['a', 'red', 'circle'])).toBe(1);
    expect(firstContentWord(['A', 'photo', 'of', 'the', 'Cat'])).toBe(4);
    expect(firstContentWord(['a', 'the'])).toBe(0);
    expect(firstContentWord([])).toBe(0);
  });
});
