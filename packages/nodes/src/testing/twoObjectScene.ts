import type { Scene } from '../metrics/scenesWorld.js';

/** A tiny-scenes picture for tests: a red circle and a blue square on stripes, apart, fully inside. */
export const TWO_OBJECT_SCENE: Scene = {
  background: 'striped',
  objects: [
    { shape: 'circle', colour: 'red', size: 'medium', texture: 'plain', cx: 16, cy: 30, r: 10 },
    { shape: 'square', colour: 'blue', size: 'large', texture: 'plain', cx: 46, cy: 34, r: 12 },
  ],
};
