import { defineNode, NodeRunError, type AnyNodeDefinition } from '@ptp/graph-core';
import { encodePng } from '@ptp/nodes';
import { z } from 'zod';

/**
 * Nodes the server tests add to the inference worker (server configuration, never from a graph):
 * a ticker that reports progress with a small PNG preview each tick, so preview frames,
 * reconnect catch-up and cancellation can be timed without depending on model speed.
 */
export const tickerNode = defineNode({
  type: 'test.ticker',
  version: 1,
  title: 'Ticker (tests)',
  category: 'test',
  description: 'Counts ticks with a preview image each tick.',
  output: true,
  inputs: {},
  outputs: { ticks: { type: 'ANY' } },
  params: z.object({
    ticks: z.number().int().min(1).max(1000).default(10),
    ms: z.number().int().min(0).max(1000).default(10),
    label: z.string().default(''),
  }),
  cacheable: false,
  run: async (_inputs, p, ctx) => {
    for (let i = 1; i <= p.ticks; i++) {
      await new Promise((r) => setTimeout(r, p.ms));
      if (ctx.signal.aborted) throw new NodeRunError('cancelled');
      const shade = (i * 37) % 256;
      const rgba = new Uint8Array(8 * 8 * 4).map((_, k) => (k % 4 === 3 ? 255 : shade));
      ctx.progress(i, p.ticks, { mime: 'image/png', data: encodePng({ width: 8, height: 8, rgba }) });
    }
    return { ticks: p.ticks };
  },
});

export const nodes: AnyNodeDefinition[] = [tickerNode as unknown as AnyNodeDefinition];
