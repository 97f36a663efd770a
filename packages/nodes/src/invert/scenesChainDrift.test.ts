import { describe, expect, it } from 'vitest';
import { renderScenesImage, scenesCaption, type Scene } from '../metrics/scenesWorld.js';
import { TWO_OBJECT_SCENE } from '../testing/twoObjectScene.js';
import { chainMeter } from './chainMeter.js';

const original: Scene = TWO_OBJECT_SCENE;
const [circle, square] = original.objects as [Scene['objects'][number], Scene['objects'][number]];
const turn1: Scene = { ...original, objects: [circle, { ...square, colour: 'green' }] };
const turn2: Scene = { ...turn1, objects: [{ ...circle, shape: 'diamond' }, turn1.objects[1]!] };
const turn3: Scene = { ...turn2, background: 'white' };
const image = (s: Scene) => renderScenesImage(s).image;
const caption = scenesCaption;

describe('scenes chain meter', () => {
  it('measures each turn against the original: kept objects, background, success of the whole caption', () => {
    const meter = chainMeter(image(original), 1);
    const t1 = meter.turn(image(turn1), caption(original), caption(turn1));
    expect(t1.untouched).toBe('objects 1 + background');
    expect(t1.values).toMatchObject({ success: 1, untouchedPsnr: Infinity, backgroundPsnr: Infinity, iou: 1 });
    const t2 = meter.turn(image(turn2), caption(turn1), caption(turn2));
    expect(t2.untouched).toBe('background');
    expect(t2.values.success).toBe(1);
    expect(t2.values.untouchedPsnr).toBeNaN();
    expect(t2.values.iou).toBeLessThan(1);
    const t3 = meter.turn(image(turn3), caption(turn2), caption(turn3));
    expect(t3.untouched).toBe('none');
    expect(t3.values.success).toBe(1);
    expect(t3.values.backgroundPsnr).toBeLessThan(20);
    expect(t3.values.stepIou).toBeGreaterThan(0.9);
  });

  it('fails a turn whose earlier edit did not survive, and measures a kept object that drifted', () => {
    const meter = chainMeter(image(original), 1);
    // Turn 1 drew nothing new: the square is still blue, and the circle moved down.
    const moved: Scene = { ...original, objects: [{ ...circle, cy: circle.cy + 6 }, square] };
    const t1 = meter.turn(image(moved), caption(original), caption(turn1));
    expect(t1.values.success).toBe(0);
    expect(t1.values.untouchedPsnr).toBeLessThan(15);
    const one = meter.oneStep(image(turn3), caption(original), caption(turn3));
    expect(one).toMatchObject({ untouched: 'none', values: { success: 1 } });
  });

  it('compares kept objects over their interiors once the background has changed', () => {
    const meter = chainMeter(image(original), 1);
    const white: Scene = { ...original, background: 'white' };
    const t1 = meter.turn(image(white), caption(original), caption(white));
    expect(t1.untouched).toBe('objects 1,2');
    expect(t1.values).toMatchObject({ success: 1, untouchedPsnr: Infinity });
    expect(t1.values.backgroundPsnr).toBeLessThan(20);
  });
});
