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
    text: z
      .string()
      .max(2000)
      .default('a red circle on a white background')
      .meta({ widget: 'textarea', description: 'The prompt text' }),
  }),
  check: (_inputs, p) =>
    p.text.trim() === '' ? [{ message: 'the prompt is empty: describe a picture', param: 'text' }] : [],
  static: true,
  run: (_inputs, params) => ({ prompt: { text: params.text, words: splitWords(params.text) } }),
});
