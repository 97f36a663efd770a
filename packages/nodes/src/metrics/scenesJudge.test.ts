import { describe, expect, it } from 'vitest';
import { components, judgeScenesImage } from './scenesJudge.js';
import { renderScenesImage, sceneForSeed } from './scenesWorld.js';

describe('scenes judge', () => {
  it('is right >= 99 % of the time on ground-truth renders (background, count, colour and shape per object)', () => {
    const N = 400;
    const right = { background: 0, count: 0, colour: 0, shape: 0 };
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
      });
    }
    const rate = {
      background: right.background / N,
      count: right.count / N,
      colour: right.colour / objects,
      shape: right.shape / objects,
    };
    console.log(`scenes judge on ${N} ground-truth scenes (${objects} objects):`, rate);
    for (const v of Object.values(rate)) expect(v).toBeGreaterThanOrEqual(0.99);
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
