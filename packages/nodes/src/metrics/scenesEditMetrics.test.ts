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

  it('judges a background swap by the background, every object then being one to keep', () => {
    const white: Scene = { ...source, background: 'white' };
    const m = measureScenesEdit(image(source), image(white), scenesCaption(source), scenesCaption(white));
    expect(m).toMatchObject({ changed: [], backgroundChanged: true, editedRight: true });
    // Both objects are kept, compared over their interiors (their edges blend in the old background).
    expect(m.keptPsnr).toEqual([Infinity, Infinity]);
    const kept = measureScenesEdit(image(source), image(source), scenesCaption(source), scenesCaption(white));
    expect(kept.editedRight).toBe(false);
  });

  it('checks a changed size word, and an expected caption in place of the target (a reweight)', () => {
    const large: Scene = { ...source, objects: [{ ...source.objects[0]!, size: 'small', r: 7 }, source.objects[1]!] };
    expect(source.objects[0]!.size).toBe('medium');
    const grown = measureScenesEdit(image(source), image(large), scenesCaption(source), scenesCaption(large));
    expect(grown).toMatchObject({ changed: [0], editedRight: true });
    const unchanged = measureScenesEdit(image(source), image(source), scenesCaption(source), scenesCaption(large));
    expect(unchanged.editedRight).toBe(false);
    // A reweight: the prompt stays, the expected caption says what the edit should draw.
    const prompt = scenesCaption(large);
    const back = measureScenesEdit(image(large), image(source), prompt, prompt, { expected: scenesCaption(source) });
    expect(back).toMatchObject({ changed: [0], editedRight: true });
    const same = measureScenesEdit(image(large), image(large), prompt, prompt, { expected: scenesCaption(source) });
    expect(same.editedRight).toBe(false);
  });
});
