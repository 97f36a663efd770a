import { describe, expect, it } from 'vitest';
import { measureScenesEdit } from './scenesEditMetrics.js';
import { TWO_OBJECT_SCENE } from '../testing/twoObjectScene.js';
import { renderScenesImage, scenesCaption, type Scene } from './scenesWorld.js';

const source: Scene = TWO_OBJECT_SCENE;
const recoloured: Scene = { ...source, objects: [source.objects[0]!, { ...source.objects[1]!, colour: 'yellow' }] };
const image = (s: Scene) => renderScenesImage(s).image;

describe('measureScenesEdit', () => {
  it('an exact colour swap of one object: edited right, the other object and the background untouched', () => {
    const m = measureScenesEdit(image(source), image(recoloured), scenesCaption(source), scenesCaption(recoloured));
    expect(m).toMatchObject({ changed: [1], editedRight: true, keptPsnr: [Infinity], structureIoU: 1 });
    expect(m.backgroundPsnr).toBe(Infinity);
  });

  it('sees a kept object that moved and an edit that did not happen', () => {
    const moved: Scene = { ...recoloured, objects: [{ ...source.objects[0]!, cy: 36 }, recoloured.objects[1]!] };
    const m = measureScenesEdit(image(source), image(moved), scenesCaption(source), scenesCaption(recoloured));
    expect(m.editedRight).toBe(true);
    expect(m.keptPsnrMin).toBeLessThan(15);
    expect(m.structureIoU).toBeLessThan(1);
    const none = measureScenesEdit(image(source), image(source), scenesCaption(source), scenesCaption(recoloured));
    expect(none.editedRight).toBe(false);
  });
});
