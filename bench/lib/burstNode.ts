import { defineNode, type AnyNodeDefinition } from '@ptp/graph-core';
import { z } from 'zod';

/** Emits `count` progress events as fast as it can: the server bench's event source (no model). */
export const burstNode = defineNode({
  type: 'bench.burst',
  version: 1,
  title: 'Event burst (bench)',
  category: 'bench',
  description: 'Reports progress count times.',
  output: true,
  inputs: {},
  outputs: { count: { type: 'ANY' } },
  params: z.object({ count: z.number().int().min(1).max(1_000_000).default(1000) }),
  cacheable: false,
  run: async (_inputs, p, ctx) => {
    for (let i = 1; i <= p.count; i++) {
      ctx.progress(i, p.count);
      // Yield now and then so the IPC channel drains instead of buffering everything.
      if (i % 200 === 0) await new Promise((r) => setImmediate(r));
    }
    return { count: p.count };
  },
});

export const nodes: AnyNodeDefinition[] = [burstNode as unknown as AnyNodeDefinition];
