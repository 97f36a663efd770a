import { defineNode } from '@ptp/graph-core';
import { z } from 'zod';
import '../values.js';
import { encodePng } from './encodePng.js';

/** A file an output node asks its runner to keep (CLI: --out DIR; server: the run's outputs). */
export interface OutputFile {
  readonly name: string;
  readonly mime: string;
  readonly data: Uint8Array;
}

export const saveImageNode = defineNode({
  type: 'ptp.saveImage',
  version: 1,
  title: 'Save image',
  category: 'output',
  description: 'Writes PNGs with the workflow embedded, so dropping one on the editor restores the graph.',
  output: true,
  inputs: { image: { type: 'IMAGE' } },
  outputs: { image: { type: 'IMAGE' }, files: { type: 'ANY' } },
  params: z.object({
    prefix: z.string().regex(/^[A-Za-z0-9 _.-]{1,64}$/, 'letters, digits, space, ".", "_" or "-" (no paths)').default('ptp'),
    embedWorkflow: z.boolean().default(true),
  }),
  run: ({ image }, p, ctx) => {
    const text: Record<string, string> = p.embedWorkflow && ctx.workflow ? { workflow: JSON.stringify(ctx.workflow) } : {};
    const files: OutputFile[] = image.images.map((img, i) => ({ name: `${p.prefix}_${String(i).padStart(3, '0')}.png`, mime: 'image/png', data: encodePng(img, text) }));
    return { image, files };
  },
  summarize: ({ files }) => ({ files: (files as OutputFile[]).map((f) => f.name) }),
});
