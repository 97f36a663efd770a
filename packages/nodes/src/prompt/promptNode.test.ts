import { describe, expect, it } from 'vitest';
import { fakeContext } from '../testing/fakePack.js';
import { promptNode } from './promptNode.js';

const run = (text: string) =>
  promptNode.run({}, promptNode.params.parse({ text }), fakeContext()) as { prompt: { text: string; words: string[] } };

describe('Prompt node', () => {
  it('keeps the text as typed and splits its words on any run of whitespace, as P2P counts them', () => {
    expect(run('  a photo of\ta  cat\n')).toEqual({
      prompt: { text: '  a photo of\ta  cat\n', words: ['a', 'photo', 'of', 'a', 'cat'] },
    });
    // Punctuation stays on its word: word swap compares whole space-separated words.
    expect(run('a cat, riding!').prompt.words).toEqual(['a', 'cat,', 'riding!']);
    expect(run('   ').prompt.words).toEqual([]);
  });

  it('defaults to "a photo of a cat" and refuses texts over 2000 characters', () => {
    expect(promptNode.params.parse({})).toEqual({ text: 'a photo of a cat' });
    expect(promptNode.params.safeParse({ text: 'x'.repeat(2000) }).success).toBe(true);
    expect(promptNode.params.safeParse({ text: 'x'.repeat(2001) }).success).toBe(false);
  });
});
