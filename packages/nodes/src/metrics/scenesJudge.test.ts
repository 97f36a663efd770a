import { describe, expect, it } from 'vitest';
import type { RgbaImage } from '../image/ImageBatch.js';
import { mulberry32 } from '../pipeline/mulberry32.js';
import { components, judgeScenesImage } from './scenesJudge.js';
import { scoreScene } from './scenesScore.js';
import { renderScenesImage, sceneForSeed } from './scenesWorld.js';

/** A generated-looking copy: 3x3 binomial blur and noise of std about `noise` (0..1 units). */
function degrade(im: RgbaImage, noise: number, seed: number): RgbaImage {
  const rand = mulberry32(seed);
  const W = im.width;
  const rgba = new Uint8Array(im.rgba.length);
  for (let p = 0; p < W * im.height; p++) {
    const x = p % W;
    const y = (p - x) / W;
    for (let c = 0; c < 3; c++) {
      let s = 0;
      let n = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const [xx, yy] = [x + dx, y + dy];
          if (xx < 0 || yy < 0 || xx >= W || yy >= im.height) continue;
          const w = (2 - Math.abs(dx)) * (2 - Math.abs(dy));
          s += w * im.rgba[(yy * W + xx) * 4 + c]!;
          n += w;
        }
      const g = (rand() + rand() + rand() - 1.5) * 2 * noise * 255;
      rgba[p * 4 + c] = Math.max(0, Math.min(255, Math.round(s / n + g)));
    }
    rgba[p * 4 + 3] = 255;
  }
  return { ...im, rgba };
}

describe('scenes judge', () => {
  it('is right >= 99 % of the time on ground-truth renders (background, count, colour and shape per object)', () => {
    const N = 400;
    const right = { background: 0, count: 0, colour: 0, shape: 0, size: 0 };
    let objects = 0;
    for (let s = 0; s < N; s++) {
      const scene = sceneForSeed(1000 + s);
      const r = renderScenesImage(scene);
      const j = judgeScenesImage(r.image);
      if (j.background === scene.background) right.background++;
      if (j.objects.length === scene.objects.length) right.count++;
      scene.objects.forEach((o, k) => {
        objects++;
        // The judged object holding most of this object's exact mask (order by cx can differ for
        // objects stacked one above the other).
        let best: (typeof j.objects)[number] | undefined;
        let bestHits = 0;
        for (const g of j.objects) {
          const hits = g.indices.reduce((a, p) => a + (r.labels[p] === k + 1 ? 1 : 0), 0);
          if (hits > bestHits) [best, bestHits] = [g, hits];
        }
        if (best?.colour === o.colour) right.colour++;
        if (best?.shape === o.shape) right.shape++;
        if (best?.size === o.size) right.size++;
      });
    }
    const rate = {
      background: right.background / N,
      count: right.count / N,
      colour: right.colour / objects,
      shape: right.shape / objects,
      size: right.size / objects,
    };
    console.log(`scenes judge on ${N} ground-truth scenes (${objects} objects):`, rate);
    for (const v of Object.values(rate)) expect(v).toBeGreaterThanOrEqual(0.99);
  }, 60_000);

  it('stays right on blurred, noisy renders (>= 97 % per label; what a model draws is never exact)', () => {
    const t = { colour: 0, shape: 0, size: 0, objects: 0, count: 0, background: 0 };
    const N = 120;
    for (let i = 0; i < N; i++) {
      const scene = sceneForSeed(5000 + i);
      const s = scoreScene(scene, judgeScenesImage(degrade(renderScenesImage(scene).image, 0.06, i)));
      t.colour += s.colour;
      t.shape += s.shape;
      t.size += s.size;
      t.objects += s.objects;
      t.count += s.countRight ? 1 : 0;
      t.background += s.backgroundRight ? 1 : 0;
    }
    console.log('degraded:', { colour: t.colour / t.objects, shape: t.shape / t.objects, size: t.size / t.objects });
    for (const v of [t.colour / t.objects, t.shape / t.objects, t.size / t.objects, t.count / N, t.background / N])
      expect(v).toBeGreaterThanOrEqual(0.97);
  }, 60_000);

  it('splits the foreground into 4-connected objects', () => {
    const W = 8;
    const mask = new Uint8Array(64);
    for (const p of [9, 10, 11, 17, 19, 25, 26, 27, 14, 22]) mask[p] = 1;
    expect(components(mask, W).map((c) => c.length)).toEqual([8, 2]);
  });

  it('sees nothing on an empty background', () => {
    const j = judgeScenesImage(renderScenesImage({ background: 'checkered', objects: [] }).image);
    expect(j).toMatchObject({ background: 'checkered', objects: [] });
  });
});
