import { defineNode } from '@ptp/graph-core';
import { z } from 'zod';
import '../values.js';
import { splitWords } from './splitWords.js';

export const promptNode = defineNode({
  type: 'ptp.prompt',
  version: 1,
  title: 'Prompt',
  category: 'prompt',
  description: 'Text for a source or edit; its words are what schedules and blends refer to.',
  inputs: {},
  outputs: { prompt: { type: 'PROMPT' } },
  params: z.object({
    text: z.string().max(2000).default('a photo of a cat').meta({ widget: 'textarea', description: 'The prompt text' }),
  }),
  run: (_inputs, params) => ({ prompt: { text: params.text, words: splitWords(params.text) } }),
});
