import type { RgbaImage } from '../image/ImageBatch.js';
import { mulberry32 } from '../pipeline/mulberry32.js';

/**
 * The tiny-shapes world in TypeScript: one coloured shape on a plain background, its caption and its
 * exact mask. A twin of `models/ptp_models/shapes_world.py` (the training data): same palette, sizes,
 * signed-distance geometry and one-pixel anti-aliasing, so the metric code can be checked on exact
 * ground truth. Keep the two identical; `shapesWorld.test.ts` pins the values.
 */
export const IMAGE_SIZE = 32;

export type Rgb = readonly [number, number, number];

/** Two dark (blue, purple), two light (yellow, orange), two in between (red, green); 0..1 RGB. */
export const COLOURS = {
  red: [0.86, 0.1, 0.1],
  orange: [1.0, 0.55, 0.0],
  yellow: [0.96, 0.88, 0.1],
  green: [0.1, 0.62, 0.18],
  blue: [0.12, 0.22, 0.86],
  purple: [0.5, 0.12, 0.62],
} as const satisfies Record<string, Rgb>;
export const BACKGROUNDS = {
  white: [0.95, 0.95, 0.95],
  black: [0.06, 0.06, 0.06],
} as const satisfies Record<string, Rgb>;
export const SHAPES = ['circle', 'square', 'triangle'] as const;
export const SIZE_WORDS = ['', 'small', 'large'] as const;

export type ColourName = keyof typeof COLOURS;
export type BackgroundName = keyof typeof BACKGROUNDS;
export type ShapeName = (typeof SHAPES)[number];
export type SizeWord = (typeof SIZE_WORDS)[number];

export const COLOUR_NAMES = Object.keys(COLOURS) as ColourName[];
export const BACKGROUND_NAMES = Object.keys(BACKGROUNDS) as BackgroundName[];
/** Colours the world calls dark / light (the study breaks dark <-> light swaps out). */
export const DARK_COLOURS: readonly ColourName[] = ['blue', 'purple'];
export const LIGHT_COLOURS: readonly ColourName[] = ['yellow', 'orange'];

/** Half extents as fractions of the image side. */
export const R_MIN = 0.18;
export const R_MAX = 0.36;
/** Relative radii below / above which "small" / "large" may be said. */
export const SMALL_BELOW = 0.24;
export const LARGE_ABOVE = 0.3;
/** Pixels kept free between the shape's box and the image edge. */
export const MARGIN = 1.0;

/** One picture of the world; positions and half extent `r` in pixels (pixel centres at i + 0.5). */
export interface ShapeScene {
  readonly shape: ShapeName;
  readonly colour: ColourName;
  readonly background: BackgroundName;
  readonly cx: number;
  readonly cy: number;
  readonly r: number;
}

export interface RenderedScene {
  readonly image: RgbaImage;
  /** 1 where the signed distance is positive (the shape), else 0; row-major. */
  readonly mask: Uint8Array;
  /** Anti-aliased coverage in 0..1 per pixel. */
  readonly coverage: Float32Array;
  readonly scene: ShapeScene;
}

/** Positive inside the shape. Triangle: isosceles, apex up, base 2r wide at cy + r. */
export function signedDistance(shape: ShapeName, cx: number, cy: number, r: number, x: number, y: number): number {
  const dx = x - cx;
  const dy = y - cy;
  if (shape === 'circle') return r - Math.sqrt(dx * dx + dy * dy);
  if (shape === 'square') return r - Math.max(Math.abs(dx), Math.abs(dy));
  const side = (dy + r - 2 * Math.abs(dx)) / Math.sqrt(5);
  const base = r - dy;
  return Math.min(side, base);
}

/** Renders a scene as 8-bit RGBA, as shapes_world.render() does in floats (then rounded like the VAE decode). */
export function renderScene(scene: ShapeScene, size = IMAGE_SIZE): RenderedScene {
  const fg = COLOURS[scene.colour];
  const bg = BACKGROUNDS[scene.background];
  const rgba = new Uint8Array(size * size * 4);
  const mask = new Uint8Array(size * size);
  const coverage = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sd = signedDistance(scene.shape, scene.cx, scene.cy, scene.r, x + 0.5, y + 0.5);
      const cover = Math.min(Math.max(sd + 0.5, 0), 1); // one-pixel anti-aliasing
      const p = y * size + x;
      coverage[p] = cover;
      mask[p] = sd > 0 ? 1 : 0;
      for (let c = 0; c < 3; c++) rgba[p * 4 + c] = Math.round((cover * fg[c]! + (1 - cover) * bg[c]!) * 255);
      rgba[p * 4 + 3] = 255;
    }
  }
  return { image: { width: size, height: size, rgba }, mask, coverage, scene };
}

/** "a [size] <colour> <shape>[ on a <background> background]", the training captions' grammar. */
export function shapesCaption(parts: {
  colour: ColourName;
  shape: ShapeName;
  background?: BackgroundName | '';
  size?: SizeWord;
}): string {
  const words = ['a', ...(parts.size ? [parts.size] : []), parts.colour, parts.shape];
  if (parts.background) words.push('on', 'a', parts.background, 'background');
  return words.join(' ');
}

/** What a caption names; absent fields were not said. Unknown words are ignored. */
export interface CaptionLabels {
  colour?: ColourName;
  shape?: ShapeName;
  background?: BackgroundName;
  size?: Exclude<SizeWord, ''>;
}

/** Reads the world's words out of any prompt: the colour/shape words before "background", the word before "background". */
export function parseShapesCaption(text: string): CaptionLabels {
  const words = text
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean);
  const out: CaptionLabels = {};
  words.forEach((w, i) => {
    if (words[i + 1] === 'background' && w in BACKGROUNDS) out.background = w as BackgroundName;
    else if (w in COLOURS && out.colour === undefined) out.colour = w as ColourName;
    else if ((SHAPES as readonly string[]).includes(w) && out.shape === undefined) out.shape = w as ShapeName;
    else if ((w === 'small' || w === 'large') && out.size === undefined) out.size = w;
  });
  return out;
}

/** Seeded uniforms in [0, 1), identical on every runtime (mulberry32). */
export const seededUniform: (seed: number) => () => number = mulberry32;

const pick = <T>(items: readonly T[], u: number): T => items[Math.min(items.length - 1, Math.floor(u * items.length))]!;

/** A random scene drawn as shapes_world.sample_batch() draws it (uniform labels, radius and position). */
export function randomScene(
  rand: () => number,
  size = IMAGE_SIZE,
  fixed: Partial<Pick<ShapeScene, 'shape' | 'colour' | 'background'>> = {},
): ShapeScene {
  const colour = fixed.colour ?? pick(COLOUR_NAMES, rand());
  const shape = fixed.shape ?? pick(SHAPES, rand());
  const background = fixed.background ?? pick(BACKGROUND_NAMES, rand());
  const rel = R_MIN + (R_MAX - R_MIN) * rand();
  const r = rel * size;
  const span = size - 2 * (r + MARGIN);
  return { shape, colour, background, r, cx: rand() * span + r + MARGIN, cy: rand() * span + r + MARGIN };
}
