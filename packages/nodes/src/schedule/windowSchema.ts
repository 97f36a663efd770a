import { z } from 'zod';

/** A step window as Prompt-to-Prompt takes it: a fraction c meaning (0, c), or a pair (c0, c1). */
export const WindowSchema = z.union([
  z.number().min(0).max(1),
  z
    .tuple([z.number().min(0).max(1), z.number().min(0).max(1)])
    .refine(([a, b]) => a <= b, { message: 'window start must not exceed its end' }),
]);
