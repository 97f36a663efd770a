import { defineNode } from '@ptp/graph-core';
import { z } from 'zod';

/**
 * ComfyUI's Reroute: a bend in a link to tidy a graph. It never runs: the engine and validation see
 * the link it stands on (graph-core takes pass-through nodes out of the graph with the bypassed
 * ones), so types are checked end to end and caching is that of the graph without it.
 */
export const rerouteNode = defineNode({
  type: 'ptp.reroute',
  version: 1,
  title: 'Reroute',
  category: 'util',
  description: 'A bend in a link: passes on whatever is linked into it, of any type, and never runs.',
  passThrough: true,
  inputs: { input: { type: 'ANY' } },
  outputs: { output: { type: 'ANY' } },
  params: z.object({}),
  run: ({ input }) => ({ output: input }),
});
