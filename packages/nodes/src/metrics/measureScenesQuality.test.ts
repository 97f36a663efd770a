import { describe, expect, it } from 'vitest';
import { fakePack } from '../testing/fakePack.js';
import { measureScenesQuality, scenesQualityScenes } from './measureScenesQuality.js';
import { scenesCaption } from './scenesWorld.js';

describe('measureScenesQuality (machinery, on the fake pack)', () => {
  it('draws seeded scenes, judges every one and measures attention overlap for the first iouScenes', async () => {
    const pack = fakePack();
    const progress: number[] = [];
    const r = await measureScenesQuality({
      pack,
      samples: 5,
      steps: 2,
      guidance: 7.5,
      seed: 1,
      batch: 2,
      iouScenes: 3,
      onProgress: (done) => progress.push(done),
    });
    expect(progress).toEqual([2, 4, 5]);
    expect(r.items.map((i) => i.caption)).toEqual(scenesQualityScenes(5, 1).map(scenesCaption));
    const objects = r.items.reduce((a, i) => a + i.objects, 0);
    expect(r.overall.colour.n).toBe(objects);
    expect(r.overall.count.n).toBe(5);
    expect(r.overall.background.n).toBe(5);
    // One IoU per prompted object of the first 3 scenes, each in [0, 1].
    const measured = r.items.slice(0, 3).reduce((a, i) => a + i.objects, 0);
    expect(r.attentionIoU).toMatchObject({ objects: measured, scenes: 3 });
    expect(r.items.slice(3).every((i) => i.iou === undefined)).toBe(true);
    for (const it of r.items.slice(0, 3)) for (const v of it.iou!) expect(v).toBeGreaterThanOrEqual(0);
    expect(r.attentionIoU.mean).toBeLessThanOrEqual(1);
    // The colour word's overlap beside it, one per object as well.
    for (const it of r.items.slice(0, 3)) expect(it.iouColour).toHaveLength(it.iou!.length);
    expect(r.attentionIoU.colourWordMean).toBeGreaterThanOrEqual(0);
    expect(r.attentionIoU.colourWordMean).toBeLessThanOrEqual(1);
    expect(r.images.images).toHaveLength(5);
  });

  it('draws the same scenes for a seed and different ones for another', () => {
    expect(scenesQualityScenes(4, 0)).toEqual(scenesQualityScenes(4, 0));
    expect(scenesQualityScenes(4, 0)).not.toEqual(scenesQualityScenes(4, 1));
  });
});
