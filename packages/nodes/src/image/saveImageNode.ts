import { defineNode } from '@ptp/graph-core';
import { z } from 'zod';
import '../values.js';
import { filePrefixSchema, imageFiles, type OutputFile } from './imageFiles.js';

export type { OutputFile } from './imageFiles.js';

const prefix = (fallback: string) => filePrefixSchema().default(fallback);

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
    prefix: prefix('ptp'),
    embedWorkflow: z
      .boolean()
      .default(true)
      .meta({ description: 'the workflow inside the PNG: drop it on the editor to reopen', advanced: true }),
  }),
  run: ({ image }, p, ctx) => ({
    image,
    files: imageFiles(
      image,
      p.prefix,
      p.embedWorkflow && ctx.workflow ? { workflow: JSON.stringify(ctx.workflow) } : {},
    ),
  }),
  summarize: ({ files }) => ({ files: (files as OutputFile[]).map((f) => f.name) }),
});

export const previewImageNode = defineNode({
  type: 'ptp.previewImage',
  version: 1,
  title: 'Preview image',
  category: 'output',
  description: 'Shows images without archiving them.',
  output: true,
  inputs: { image: { type: 'IMAGE' } },
  outputs: { image: { type: 'IMAGE' }, files: { type: 'ANY' } },
  params: z.object({ prefix: prefix('preview') }),
  run: ({ image }, p) => ({ image, files: imageFiles(image, p.prefix, {}, true) }),
  summarize: ({ files }) => ({ files: (files as OutputFile[]).map((f) => f.name) }),
});
