import { defineNode } from '@ptp/graph-core';
import { z } from 'zod';
import '../values.js';

/**
 * A deterministic, runtime-independent initial latent: x[i] = sin(0.0123 i) cos(0.771 i) * amplitude.
 * The reference Prompt-to-Prompt runs in fixtures/p2p-reference were made from exactly this pattern, so it lets
 * anyone reproduce them through the graph.
 */
export const testPatternNoiseNode = defineNode({
  type: 'ptp.testPatternNoise',
  version: 1,
  title: 'Test-pattern noise',
  category: 'latent',
  description: 'A fixed sin*cos pattern as initial noise (reproduces reference runs).',
  inputs: { model: { type: 'MODEL' } },
  outputs: { noise: { type: 'LATENT' } },
  params: z.object({
    width: z.number().int().min(8).max(2048).default(512).meta({ step: 8 }),
    height: z.number().int().min(8).max(2048).default(512).meta({ step: 8 }),
    amplitude: z.number().min(0).max(10).default(1.5),
  }),
  run: ({ model }, p) => {
    const C = model.layout.latentChannels;
    const h = Math.floor(p.height / model.vaeScale);
    const w = Math.floor(p.width / model.vaeScale);
    const data = new Float32Array(C * h * w);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(0.0123 * i) * Math.cos(0.771 * i) * p.amplitude;
    return { noise: { data, dims: [1, C, h, w] as [number, number, number, number], packId: model.id } };
  },
});
