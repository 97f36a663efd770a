import type { RgbaImage } from '../image/ImageBatch.js';
import { mulberry32 } from '../pipeline/mulberry32.js';
import { COLOUR_NAMES, COLOURS, type ColourName, type Rgb } from './shapesWorld.js';

/**
 * The tiny-scenes world in TypeScript: 1 to 3 objects on a structured background, the caption and
 * exact per-object masks. A twin of `models/ptp_models/scenes_world.py` (the training data): same
 * seeded sampler (mulberry32, float64 maths in the same order), geometry, backgrounds, dots,
 * anti-aliasing and caption grammar, so a seed names the same scene in both languages and the
 * judge can be checked on exact ground truth. `scenesWorld.test.ts` pins it against a Python fixture.
 */
export const SCENE_SIZE = 64;
export const SCENE_SHAPES = ['circle', 'square', 'triangle', 'diamond'] as const;
export const SCENE_SIZES = ['small', 'medium', 'large'] as const;
/** Half extents in pixels per size, uniform within. */
export const SIZE_RANGES: Readonly<Record<SceneSize, readonly [number, number]>> = {
  small: [6.0, 7.5],
  medium: [8.5, 10.5],
  large: [11.5, 13.5],
};
export const TEXTURES = ['plain', 'dotted'] as const;
export const P_DOTTED = 0.2;
export const SCENE_BACKGROUNDS = ['white', 'black', 'striped', 'checkered', 'landscape'] as const;
export const MAX_OBJECTS = 3;
const MARGIN = 1.0;
const GAP = 2.0;
const PLACEMENT_TRIES = 20;
const DOT_PITCH = 4.0;
const DOT_RADIUS = 1.2;
const DOT_SHADE = 0.6;
const WHITE = 0.95;
const BLACK = 0.06;
const STRIPE = [0.82, 0.62] as const;
const CHECK = [0.5, 0.25] as const;
const SKY: Rgb = [0.6, 0.8, 0.95];
const GRASS: Rgb = [0.55, 0.68, 0.32];
const HORIZON = 40;

export type SceneShape = (typeof SCENE_SHAPES)[number];
export type SceneSize = (typeof SCENE_SIZES)[number];
export type Texture = (typeof TEXTURES)[number];
export type SceneBackground = (typeof SCENE_BACKGROUNDS)[number];

export interface SceneObject {
  readonly shape: SceneShape;
  readonly colour: ColourName;
  readonly size: SceneSize;
  readonly texture: Texture;
  /** Centre and half extent in pixels (pixel centres at i + 0.5). */
  readonly cx: number;
  readonly cy: number;
  readonly r: number;
}

export interface Scene {
  readonly background: SceneBackground;
  /** Left to right (by cx), as the caption names them. */
  readonly objects: readonly SceneObject[];
}

export interface RenderedSceneImage {
  readonly image: RgbaImage;
  /** Per pixel: 0 background, k + 1 where object k's signed distance is positive. */
  readonly labels: Uint8Array;
  readonly scene: Scene;
}

/** Background colour at integer pixel (x, y), 0..1 RGB. */
export function backgroundAt(kind: SceneBackground, x: number, y: number): Rgb {
  switch (kind) {
    case 'white':
      return [WHITE, WHITE, WHITE];
    case 'black':
      return [BLACK, BLACK, BLACK];
    case 'striped': {
      const v = STRIPE[Math.floor((x + y) / 8) % 2]!;
      return [v, v, v];
    }
    case 'checkered': {
      const v = CHECK[(Math.floor(x / 8) + Math.floor(y / 8)) % 2]!;
      return [v, v, v];
    }
    case 'landscape':
      return y >= HORIZON ? GRASS : SKY;
  }
}

/** Positive inside. Triangle apex up (base 2r wide at cy + r), diamond = square turned 45 degrees. */
export function sceneSignedDistance(o: Pick<SceneObject, 'shape' | 'cx' | 'cy' | 'r'>, x: number, y: number): number {
  const dx = x - o.cx;
  const dy = y - o.cy;
  const { r } = o;
  switch (o.shape) {
    case 'circle':
      return r - Math.sqrt(dx * dx + dy * dy);
    case 'square':
      return r - Math.max(Math.abs(dx), Math.abs(dy));
    case 'triangle':
      return Math.min((dy + r - 2 * Math.abs(dx)) / Math.sqrt(5), r - dy);
    case 'diamond':
      return (r - Math.abs(dx) - Math.abs(dy)) / Math.SQRT2;
  }
}

/** Dot coverage of a dotted object at pixel centre (x, y): dots on a grid centred on the object. */
function dotAt(o: SceneObject, x: number, y: number): number {
  const lx = x - o.cx;
  const ly = y - o.cy;
  const gx = Math.floor(lx / DOT_PITCH + 0.5) * DOT_PITCH;
  const gy = Math.floor(ly / DOT_PITCH + 0.5) * DOT_PITCH;
  return Math.min(Math.max(DOT_RADIUS - Math.sqrt((lx - gx) ** 2 + (ly - gy) ** 2) + 0.5, 0), 1);
}

/** Renders as scenes_world.render() does (objects composited in order, one-pixel anti-aliasing), 8-bit RGBA. */
export function renderScenesImage(scene: Scene, size = SCENE_SIZE): RenderedSceneImage {
  const rgba = new Uint8Array(size * size * 4);
  const labels = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const p = y * size + x;
      const px = [...backgroundAt(scene.background, x, y)];
      scene.objects.forEach((o, k) => {
        const sd = sceneSignedDistance(o, x + 0.5, y + 0.5);
        if (sd > 0) labels[p] = k + 1;
        const cover = Math.min(Math.max(sd + 0.5, 0), 1);
        if (cover === 0) return;
        const fg = COLOURS[o.colour];
        const d = o.texture === 'dotted' ? dotAt(o, x + 0.5, y + 0.5) : 0;
        for (let c = 0; c < 3; c++) {
          const col = fg[c]! * (1 - d) + fg[c]! * DOT_SHADE * d;
          px[c] = cover * col + (1 - cover) * px[c]!;
        }
      });
      for (let c = 0; c < 3; c++) rgba[p * 4 + c] = Math.round(Math.min(Math.max(px[c]!, 0), 1) * 255);
      rgba[p * 4 + 3] = 255;
    }
  }
  return { image: { width: size, height: size, rgba }, labels, scene };
}

/** "a [small|large] [dotted] <colour> <shape>"; medium and plain are not said. */
export function objectPhrase(o: Pick<SceneObject, 'shape' | 'colour' | 'size' | 'texture'>): string {
  const words = ['a'];
  if (o.size !== 'medium') words.push(o.size);
  if (o.texture !== 'plain') words.push(o.texture);
  return [...words, o.colour, o.shape].join(' ');
}

/** The training captions' grammar: objects left to right joined by "and", then the background. */
export function scenesCaption(
  scene: Pick<Scene, 'background'> & { objects: readonly Parameters<typeof objectPhrase>[0][] },
): string {
  return `${scene.objects.map(objectPhrase).join(' and ')} on a ${scene.background} background`;
}

export interface ObjectLabels {
  colour?: ColourName;
  shape?: SceneShape;
  size?: SceneSize;
  texture?: Texture;
}
export interface SceneCaptionLabels {
  objects: ObjectLabels[];
  background?: SceneBackground;
}

/** Reads a scenes caption: phrases split at "and" / "on", each with its colour, shape, size and texture words. */
export function parseScenesCaption(text: string): SceneCaptionLabels {
  const words = text
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean);
  const out: SceneCaptionLabels = { objects: [] };
  let cur: ObjectLabels = {};
  const flush = () => {
    if (Object.keys(cur).length) out.objects.push(cur);
    cur = {};
  };
  words.forEach((w, i) => {
    if (words[i + 1] === 'background' && (SCENE_BACKGROUNDS as readonly string[]).includes(w))
      out.background = w as SceneBackground;
    else if (w === 'and' || w === 'on') flush();
    else if (w in COLOURS) cur.colour = w as ColourName;
    else if ((SCENE_SHAPES as readonly string[]).includes(w)) cur.shape = w as SceneShape;
    else if (w === 'small' || w === 'large') cur.size = w;
    else if (w === 'dotted') cur.texture = 'dotted';
  });
  flush();
  return out;
}

const pick = <T>(items: readonly T[], u: number): T => items[Math.min(items.length - 1, Math.floor(u * items.length))]!;

function separated(a: SceneObject, cx: number, cy: number, r: number): boolean {
  const need = a.r + r + GAP;
  return Math.abs(cx - a.cx) >= need || Math.abs(cy - a.cy) >= need;
}

/** random_scene() of scenes_world.py: same draws in the same order (see there). */
export function randomScenesScene(rand: () => number, size = SCENE_SIZE): Scene {
  const background = pick(SCENE_BACKGROUNDS, rand());
  const n = 1 + Math.min(MAX_OBJECTS - 1, Math.floor(rand() * MAX_OBJECTS));
  const placed: SceneObject[] = [];
  for (let i = 0; i < n; i++) {
    const shape = pick(SCENE_SHAPES, rand());
    const colour = pick(COLOUR_NAMES, rand());
    const sizeName = pick(SCENE_SIZES, rand());
    const texture: Texture = rand() < P_DOTTED ? 'dotted' : 'plain';
    const [lo, hi] = SIZE_RANGES[sizeName];
    const r = lo + (hi - lo) * rand();
    const span = size - 2 * (r + MARGIN);
    for (let t = 0; t < PLACEMENT_TRIES; t++) {
      const cx = r + MARGIN + rand() * span;
      const cy = r + MARGIN + rand() * span;
      if (placed.every((o) => separated(o, cx, cy, r))) {
        placed.push({ shape, colour, size: sizeName, texture, cx, cy, r });
        break;
      }
    }
  }
  // Stable, as Python's list.sort.
  placed.sort((a, b) => a.cx - b.cx);
  return { background, objects: placed };
}

/** The scene of a seed (mulberry32(seed)), as scenes_world.random_scene(mulberry32(seed)). */
export const sceneForSeed = (seed: number): Scene => randomScenesScene(mulberry32(seed));
