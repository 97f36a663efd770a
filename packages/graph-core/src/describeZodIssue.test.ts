import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeZodIssue } from './describeZodIssue.js';

const say = (schema: z.ZodType, value: unknown) => {
  const r = schema.safeParse(value);
  if (r.success) throw new Error('expected a failure');
  return r.error.issues.map(describeZodIssue);
};

describe('describeZodIssue', () => {
  it('says bounds as what the value must be', () => {
    expect(say(z.number().int().min(1).max(200), -5)).toEqual(['must be at least 1']);
    expect(say(z.number().max(30), 31)).toEqual(['must be at most 30']);
    expect(say(z.number().gt(0), 0)).toEqual(['must be more than 0']);
    expect(say(z.number().lt(1), 1)).toEqual(['must be less than 1']);
    expect(say(z.number().int(), 2.5)).toEqual(['must be a whole number']);
    expect(say(z.number().multipleOf(8), 12)).toEqual(['must be a multiple of 8']);
  });

  it('says sizes of texts and lists, and empty ones plainly', () => {
    expect(say(z.string().min(1), '')).toEqual(['must not be empty']);
    expect(say(z.string().max(3), 'abcd')).toEqual(['must have at most 3 characters']);
    expect(say(z.array(z.string()).min(2), ['a'])).toEqual(['must have at least 2 items']);
    expect(say(z.array(z.string()).max(1), ['a', 'b'])).toEqual(['must have at most 1 item']);
  });

  it('says wrong types, missing values and choices', () => {
    expect(say(z.number(), 'abc')).toEqual(['must be a number (got a string)']);
    expect(say(z.array(z.number()), {})).toEqual(['must be an array (got an object)']);
    // Numbers that are none (1e400 reads as Infinity) are named as themselves.
    expect(say(z.number(), Infinity)).toEqual(['must be a number (got Infinity)']);
    expect(say(z.number(), -Infinity)).toEqual(['must be a number (got -Infinity)']);
    expect(say(z.number(), NaN)).toEqual(['must be a number (got NaN)']);
    expect(say(z.object({ text: z.string() }), {})).toEqual(['is required']);
    expect(say(z.enum(['replace', 'refine']), 'swap')).toEqual(['must be one of "replace", "refine"']);
    expect(say(z.literal(2), 3)).toEqual(['must be 2']);
    expect(say(z.union([z.number(), z.tuple([z.number(), z.number()])]), 'abc')).toEqual([
      'must be a number or an array (got a string)',
    ]);
  });

  it("keeps zod's message for what it does not word itself", () => {
    expect(say(z.string().regex(/^a/), 'b')[0]).toMatch(/Invalid string/);
  });
});
