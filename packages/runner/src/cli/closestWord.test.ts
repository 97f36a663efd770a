import { describe, expect, it } from 'vitest';
import { closestWord } from './closestWord.js';

describe('closestWord', () => {
  const commands = ['validate', 'catalog', 'run', 'extract', 'models', 'quality', 'sweep', 'tune', 'serve', 'worker'];
  it('finds what a typo meant', () => {
    expect(closestWord('rnu', commands)).toBe('run');
    expect(closestWord('RUN', commands)).toBe('run');
    expect(closestWord('qualty', commands)).toBe('quality');
    expect(closestWord('serv', commands)).toBe('serve');
    expect(closestWord('--ot', ['--out', '--set', '--provider'])).toBe('--out');
    expect(closestWord('--sample', ['--samples', '--steps'])).toBe('--samples');
    expect(closestWord('--prov', ['--out', '--provider'])).toBe('--provider');
  });
  it('suggests nothing for a word far from every candidate', () => {
    expect(closestWord('frobnicate', commands)).toBeUndefined();
    expect(closestWord('study', commands)).toBeUndefined();
    expect(closestWord('--zzz', ['--out', '--set'])).toBeUndefined();
  });
});
