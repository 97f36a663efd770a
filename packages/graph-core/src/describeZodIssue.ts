import type { z } from 'zod';

const a = (noun: string) => (/^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`);
const kindOf = (expected: string) => (expected === 'tuple' ? 'an array' : a(expected));
const received = (message: string) => {
  const got = /received (-?\w+)$/.exec(message)?.[1];
  // Zod names a kind ("got a string"), or for numbers that are none the value itself.
  if (got && /^(-?Infinity|NaN)$/.test(got)) return ` (got ${got})`;
  return got ? ` (got ${a(got)})` : '';
};
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * One schema issue in words a user acts on ("must be at least 1", "must be one of ..."), not
 * zod's own ("Too small: expected number to be >=1"). Anything not listed keeps zod's message.
 */
export function describeZodIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = Number(small ? issue.minimum : issue.maximum);
      const inclusive = issue.inclusive !== false;
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') {
        const word = small ? (inclusive ? 'at least' : 'more than') : inclusive ? 'at most' : 'less than';
        return `must be ${word} ${bound}`;
      }
      const unit = issue.origin === 'string' ? ['character', 'characters'] : ['item', 'items'];
      if (issue.origin === 'string' || issue.origin === 'array' || issue.origin === 'set') {
        if (small && bound === 1 && inclusive) return 'must not be empty';
        return `must have ${small ? 'at least' : 'at most'} ${plural(bound, unit[0]!, unit[1]!)}`;
      }
      return issue.message;
    }
    case 'invalid_type': {
      if (/received undefined$/.test(issue.message)) return 'is required';
      if (issue.expected === 'int') return 'must be a whole number';
      return `must be ${kindOf(issue.expected)}${received(issue.message)}`;
    }
    case 'invalid_union': {
      // "number or [start, end]": each branch refused the value's type outright.
      const firsts = issue.errors.map((branch) => branch[0]);
      if (firsts.length && firsts.every((i) => i?.code === 'invalid_type' && i.path.length === 0)) {
        const kinds = [...new Set(firsts.map((i) => kindOf((i as { expected: string }).expected)))];
        return `must be ${kinds.join(' or ')}${received(firsts[0]!.message)}`;
      }
      return issue.message;
    }
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    default:
      return issue.message;
  }
}
