import { describe, expect, it } from 'vitest';
import { promptWordIssues } from './promptWordIssues.js';
import { splitWords } from './splitWords.js';

const prompt = (text: string) => ({ text, words: splitWords(text) });

describe('promptWordIssues', () => {
  it('finds words case-insensitively and without the punctuation around them, as the controllers do', () => {
    expect(promptWordIssues(['Square', 'red square'], prompt('a red square, on "grass"'), 'words')).toEqual([]);
    expect(promptWordIssues(['grass'], prompt('a red square, on "grass"'), 'words')).toEqual([]);
    expect(promptWordIssues(['circle', 'red'], prompt('a red square, on grass'), 'words')).toEqual([
      { message: '"circle" not in the prompt "a red square, on grass"', param: 'words' },
    ]);
  });
});
