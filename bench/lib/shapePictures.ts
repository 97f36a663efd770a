import type { RgbaImage } from '@ptp/nodes';

/**
 * Pictures of the tiny-shapes world (palette and geometry of models/ptp_models/shapes_world.py):
 * one shape on a plain background, with its caption. Rendered here so the inversion figures need
 * no files; anti-aliased over one pixel from the signed distance.
 */
export const COLOURS = {
  red: [0.86, 0.1, 0.1],
  orange: [1.0, 0.55, 0.0],
  yellow: [0.96, 0.88, 0.1],
  green: [0.1, 0.62, 0.18],
  blue: [0.12, 0.22, 0.86],
  purple: [0.5, 0.12, 0.62],
} as const;
export const BACKGROUNDS = { white: [0.95, 0.95, 0.95], black: [0.06, 0.06, 0.06] } as const;
export type Colour = keyof typeof COLOURS;
export type Shape = 'circle' | 'square' | 'triangle';

export interface ShapePicture {
  colour: Colour;
  shape: Shape;
  background: keyof typeof BACKGROUNDS;
  cx: number;
  cy: number;
  r: number;
}

export const caption = (p: Pick<ShapePicture, 'colour' | 'shape' | 'background'>): string => `a ${p.colour} ${p.shape} on a ${p.background} background`;

function signedDistance(shape: Shape, dx: number, dy: number, r: number): number {
  if (shape === 'circle') return r - Math.hypot(dx, dy);
  if (shape === 'square') return r - Math.max(Math.abs(dx), Math.abs(dy));
  const side = (dy + r - 2 * Math.abs(dx)) / Math.sqrt(5);
  return Math.min(side, r - dy);
}

export function renderShape(p: ShapePicture, size: number): RgbaImage {
  const fg = COLOURS[p.colour];
  const bg = BACKGROUNDS[p.background];
  const rgba = new Uint8Array(size * size * 4);
  const k = size / 64; // geometry is given for 64 px
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = signedDistance(p.shape, (x + 0.5) / k - p.cx, (y + 0.5) / k - p.cy, p.r) * k;
      const a = Math.min(1, Math.max(0, d + 0.5));
      const o = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) rgba[o + c] = Math.round((fg[c]! * a + bg[c]! * (1 - a)) * 255);
      rgba[o + 3] = 255;
    }
  }
  return { width: size, height: size, rgba };
}
