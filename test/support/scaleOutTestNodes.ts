import { defineNode, type AnyNodeDefinition } from '@ptp/graph-core';
import { z } from 'zod';
import { nodes as serverTestNodes } from './serverTestNodes.js';

/**
 * Nodes the scale-out tests add to workers (configuration, never from a graph): the server tests'
 * ticker (progress with previews, timed), and a poison node that kills the process running it,
 * as a native crash in a model would.
 */
export const poisonNode = defineNode({
  type: 'test.poison',
  version: 1,
  title: 'Poison (tests)',
  category: 'test',
  description: 'Kills the process that runs it.',
  output: true,
  inputs: {},
  outputs: { never: { type: 'ANY' } },
  params: z.object({ label: z.string().default('') }),
  cacheable: false,
  run: async () => {
    process.kill(process.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 10_000));
    return { never: null };
  },
});

export const nodes: AnyNodeDefinition[] = [...serverTestNodes, poisonNode as unknown as AnyNodeDefinition];
