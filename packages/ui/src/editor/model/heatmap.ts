import type { AttentionValue } from '@ptp/nodes';

// The attention viewer node's dark-to-bright ramp (black, purple, orange, yellow-white).
const RAMP: readonly [number, number, number][] = [
  [0, 0, 4],
  [87, 16, 110],
  [188, 55, 84],
  [249, 142, 9],
  [252, 255, 164],
];

export function rampColour(v: number): [number, number, number] {
  const x = Math.min(Math.max(v, 0), 1) * (RAMP.length - 1);
  const i = Math.min(Math.floor(x), RAMP.length - 2);
  const f = x - i;
  const a = RAMP[i]!;
  const b = RAMP[i + 1]!;
  return [
    Math.round(a[0] + f * (b[0] - a[0])),
    Math.round(a[1] + f * (b[1] - a[1])),
    Math.round(a[2] + f * (b[2] - a[2])),
  ];
}

/**
 * A [h*w] map in [0, 1] as RGBA of `width` x `height` for drawing over the image: bilinear
 * upsampling (maps are 4x4 .. 64x64), the ramp colour, and opacity that grows with attention so
 * the picture shows through where the word does not attend.
 */
export function heatmapRgba(
  map: Float32Array,
  grid: readonly [number, number],
  width: number,
  height: number,
  opacity = 0.75,
): Uint8ClampedArray {
  const [h, w] = grid;
  const out = new Uint8ClampedArray(width * height * 4);
  const at = (y: number, x: number) => map[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))] ?? 0;
  for (let py = 0; py < height; py++) {
    const fy = ((py + 0.5) * h) / height - 0.5;
    const y0 = Math.floor(fy);
    const ty = fy - y0;
    for (let px = 0; px < width; px++) {
      const fx = ((px + 0.5) * w) / width - 0.5;
      const x0 = Math.floor(fx);
      const tx = fx - x0;
      const v =
        (at(y0, x0) * (1 - tx) + at(y0, x0 + 1) * tx) * (1 - ty) +
        (at(y0 + 1, x0) * (1 - tx) + at(y0 + 1, x0 + 1) * tx) * ty;
      const [r, g, b] = rampColour(v);
      const o = (py * width + px) * 4;
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      out[o + 3] = Math.round(255 * opacity * (0.25 + 0.75 * Math.min(1, Math.max(0, v))));
    }
  }
  return out;
}

/** What the heatmap controls offer for one attention value: resolution groups and the step range. */
export function attentionChoices(att: Pick<AttentionValue, 'groups' | 'steps' | 'prompts'>): {
  resolutions: { name: string; perStep: boolean }[];
  steps: number;
  items: number;
} {
  return {
    resolutions: [...att.groups]
      .sort((a, b) => b.grid[0] - a.grid[0])
      .map((g) => ({ name: g.name, perStep: Boolean(g.perStep) })),
    steps: att.steps,
    items: att.prompts.length,
  };
}

/** Words that carry no picture of their own: the maps open on the first word that is not one of these. */
const FUNCTION_WORDS = new Set(
  'a an the of on in at to by with and or for from into onto over under above below near its is are this that photo picture image'.split(
    ' ',
  ),
);

/** Index of the first content word: "red" in "a photo of a red circle"; 0 when every word is a function word. */
export function firstContentWord(words: readonly string[]): number {
  const i = words.findIndex((w) => !FUNCTION_WORDS.has(w.toLowerCase().replace(/[^a-z]/g, '')));
  return i < 0 ? 0 : i;
}

/** CSS gradient of the ramp, for the colour scale beside the maps. */
export function rampGradient(): string {
  const stops = [0, 0.25, 0.5, 0.75, 1].map((v) => {
    const [r, g, b] = rampColour(v);
    return `rgb(${r}, ${g}, ${b}) ${v * 100}%`;
  });
  return `linear-gradient(to right, ${stops.join(', ')})`;
}
