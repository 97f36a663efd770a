import type { Tensor, UnetLayout } from '../runtime/InferenceBackend.js';

/** Per-step control tensors of the controllable UNet for E edits (docs/architecture.md section 2). */
export interface UnetControls {
  /** [E, T] */
  crossAlpha: Float32Array;
  /** [E, T, T] */
  crossMapper: Float32Array;
  /** [E, T] */
  equalizer: Float32Array;
  /** [E, T] weight of each edit's own cross probabilities (1 - alpha for replace). */
  crossKeep: Float32Array;
  /** [E, L_self] */
  selfAlpha: Float32Array;
  /** [E, L_cross] */
  vBeta: Float32Array;
}

export function layerCounts(layout: UnetLayout): { self: number; cross: number } {
  let self = 0;
  let cross = 0;
  for (const l of layout.layers) {
    if (l.kind === 'self') self++;
    else cross++;
  }
  return { self, cross };
}

/** Controls that change nothing: alphas 0, mapper identity, equalizer 1, keep 1. */
export function neutralControls(layout: UnetLayout, edits: number): UnetControls {
  const T = layout.tokenLength;
  const { self, cross } = layerCounts(layout);
  const crossMapper = new Float32Array(edits * T * T);
  for (let e = 0; e < edits; e++) for (let i = 0; i < T; i++) crossMapper[e * T * T + i * T + i] = 1;
  return {
    crossAlpha: new Float32Array(edits * T),
    crossMapper,
    equalizer: new Float32Array(edits * T).fill(1),
    crossKeep: new Float32Array(edits * T).fill(1),
    selfAlpha: new Float32Array(edits * self),
    vBeta: new Float32Array(edits * cross),
  };
}

export function controlFeeds(layout: UnetLayout, edits: number, c: UnetControls): Record<string, Tensor> {
  const T = layout.tokenLength;
  const { self, cross } = layerCounts(layout);
  const f = (data: Float32Array, dims: number[]): Tensor => ({ type: 'float32', data, dims });
  return {
    [layout.controls.crossAlpha]: f(c.crossAlpha, [edits, T]),
    [layout.controls.crossMapper]: f(c.crossMapper, [edits, T, T]),
    [layout.controls.equalizer]: f(c.equalizer, [edits, T]),
    [layout.controls.crossKeep]: f(c.crossKeep, [edits, T]),
    [layout.controls.selfAlpha]: f(c.selfAlpha, [edits, self]),
    [layout.controls.vBeta]: f(c.vBeta, [edits, cross]),
  };
}
