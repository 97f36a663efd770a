import { defineNode, summarizeValue } from '@ptp/graph-core';
import { z } from 'zod';

/** An output node that shows any value's summary: handy for checking a branch before images exist. */
export const showValueNode = defineNode({
  type: 'ptp.showValue',
  version: 1,
  title: 'Show value',
  category: 'output',
  description: 'Displays a summary of whatever is connected.',
  output: true,
  inputs: { value: { type: 'ANY' } },
  outputs: { summary: { type: 'ANY' } },
  params: z.object({}),
  run: ({ value }) => ({ summary: summarizeValue(value) }),
});
