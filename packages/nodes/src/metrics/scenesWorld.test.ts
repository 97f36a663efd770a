import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../pipeline/mulberry32.js';
import {
  parseScenesCaption,
  randomScenesScene,
  renderScenesImage,
  SCENE_SIZE,
  sceneForSeed,
  scenesCaption,
  type SceneObject,
} from './scenesWorld.js';

interface PythonScene {
  seed: number;
  caption: string;
  background: string;
  objects: SceneObject[];
  rgb: string;
  labels: string;
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/scenesWorldPython.json', import.meta.url), 'utf8'),
) as PythonScene[];
const unpack = (b64: string) => inflateSync(Buffer.from(b64, 'base64'));

describe('scenes world (twin of scenes_world.py)', () => {
  it('draws the same scene and caption as Python for a seed (fixture from make_scenes_fixture.py)', () => {
    expect(fixture.length).toBeGreaterThanOrEqual(8);
    for (const f of fixture) {
      const scene = sceneForSeed(f.seed);
      expect(scene.background).toBe(f.background);
      // Both sides compute positions in float64 in the same order: equal to the last bit.
      expect(scene.objects).toEqual(f.objects);
      expect(scenesCaption(scene)).toBe(f.caption);
    }
  });

  it('renders the same pixels and per-object masks as torch', () => {
    for (const f of fixture) {
      const r = renderScenesImage(sceneForSeed(f.seed));
      const rgb = unpack(f.rgb);
      const labels = unpack(f.labels);
      let maxDiff = 0;
      let labelDiff = 0;
      for (let p = 0; p < SCENE_SIZE * SCENE_SIZE; p++) {
        for (let c = 0; c < 3; c++) maxDiff = Math.max(maxDiff, Math.abs(r.image.rgba[p * 4 + c]! - rgb[p * 3 + c]!));
        if (r.labels[p] !== labels[p]) labelDiff++;
      }
      // torch renders in float32, TS in float64: a value may round across .5 (one 8-bit step).
      expect(maxDiff, f.caption).toBeLessThanOrEqual(1);
      expect(labelDiff, `${f.caption} labels`).toBe(0);
    }
  });

  it('covers the world: 1-3 objects, every shape, colour, background, both textures, no overlap', () => {
    const rand = mulberry32(11);
    const seen = new Set<string>();
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 300; i++) {
      const s = randomScenesScene(rand);
      counts[s.objects.length]!++;
      seen.add(s.background);
      for (const o of s.objects) {
        seen.add(o.shape).add(o.colour).add(o.size).add(o.texture);
        expect(o.cx - o.r).toBeGreaterThanOrEqual(1);
        expect(o.cy + o.r).toBeLessThanOrEqual(SCENE_SIZE - 1);
      }
      for (let a = 0; a < s.objects.length; a++)
        for (let b = a + 1; b < s.objects.length; b++) expect(s.objects[a]!.cx).toBeLessThanOrEqual(s.objects[b]!.cx);
      const labels = renderScenesImage(s).labels;
      const areas = s.objects.map((_, k) => labels.filter((v) => v === k + 1).length);
      // Objects never overlap, so every object keeps its whole mask (>= 70 px: a small triangle).
      for (const a of areas) expect(a).toBeGreaterThanOrEqual(60);
    }
    expect(counts[0]).toBe(0);
    expect(Math.min(counts[1]!, counts[2]!, counts[3]!)).toBeGreaterThan(50);
    expect(seen.size).toBe(4 + 6 + 3 + 2 + 5);
  });

  it('writes and reads captions in the training grammar', () => {
    const text = scenesCaption({
      background: 'striped',
      objects: [
        { shape: 'circle', colour: 'red', size: 'small', texture: 'plain' },
        { shape: 'square', colour: 'blue', size: 'medium', texture: 'dotted' },
      ],
    });
    expect(text).toBe('a small red circle and a dotted blue square on a striped background');
    expect(parseScenesCaption(text)).toEqual({
      background: 'striped',
      objects: [
        { size: 'small', colour: 'red', shape: 'circle' },
        { texture: 'dotted', colour: 'blue', shape: 'square' },
      ],
    });
    expect(parseScenesCaption('a photo of a cat')).toEqual({ objects: [] });
  });
});
