import { runChecked } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { fakeContext } from '../testing/fakePack.js';
import { promptNode } from './promptNode.js';

const run = (text: string) =>
  runChecked(promptNode, {}, promptNode.params.parse({ text }), fakeContext()) as {
    prompt: { text: string; words: string[] };
  };

describe('Prompt node', () => {
  it('keeps the text as typed and splits its words on any run of whitespace, as P2P counts them', () => {
    expect(run('  a photo of\ta  cat\n')).toEqual({
      prompt: { text: '  a photo of\ta  cat\n', words: ['a', 'photo', 'of', 'a', 'cat'] },
    });
    // Punctuation stays on its word: word swap compares whole space-separated words.
    expect(run('a cat, riding!').prompt.words).toEqual(['a', 'cat,', 'riding!']);
  });

  it('refuses an empty or blank prompt before running, naming the text param', () => {
    expect(() => run('   ')).toThrow(expect.objectContaining({ param: 'text', code: 'INVALID_PARAM' }));
    expect(promptNode.check!({}, { text: '' })).toEqual([expect.objectContaining({ param: 'text' })]);
    expect(promptNode.check!({}, { text: 'a cat' })).toEqual([]);
  });

  it('defaults to a picture the bundled pack can draw and refuses texts over 2000 characters', () => {
    expect(promptNode.params.parse({})).toEqual({ text: 'a red circle on a white background' });
    expect(promptNode.params.safeParse({ text: 'x'.repeat(2000) }).success).toBe(true);
    expect(promptNode.params.safeParse({ text: 'x'.repeat(2001) }).success).toBe(false);
  });
});
