import { describe, expect, it } from 'vitest';
import { EDIT_RESULT_TEMPLATE, editName, editResultDocument, packOf, promptOfResult } from './editResult';
import { templateDocument } from './templates';

const template = (id: string) => templateDocument(id)!;
const text = (id: string, node: string) => template(id).nodes.find((n) => n.id === node)!.params.text;

describe('editing a result further', () => {
  it('finds the prompt each saved picture was made from: the source first, then each edit', () => {
    expect(promptOfResult(template('word-swap'), 0)).toBe(text('word-swap', 'source'));
    expect(promptOfResult(template('word-swap'), 1)).toBe(text('word-swap', 'target1'));
    const multi = template('multi-edit');
    expect([1, 2, 3].map((i) => promptOfResult(multi, i))).toEqual(
      ['target1', 'target2', 'target3'].map((t) => text('multi-edit', t)),
    );
    // Through a block, and for a plain generation.
    expect(promptOfResult(template('cl-p2p-block'), 1)).toBe(text('cl-p2p-block', 'target1'));
    expect(promptOfResult(template('generate'), 0)).toBe(
      text('generate', template('generate').nodes.find((n) => n.type === 'ptp.prompt')!.id),
    );
  });

  it('sets up the real-image edit with the picture, its prompt as source and target, and the pack', () => {
    const doc = editResultDocument(template(EDIT_RESULT_TEMPLATE), {
      upload: 'abc123',
      prompt: 'a blue circle',
      pack: 'tiny-scenes',
      name: 'Word swap',
    });
    const params = (type: string, i = 0) => doc.nodes.filter((n) => n.type === type)[i]!.params;
    expect(params('ptp.loadImage').upload).toBe('abc123');
    expect(params('ptp.prompt', 0).text).toBe('a blue circle');
    expect(params('ptp.prompt', 1).text).toBe('a blue circle');
    expect(packOf(doc)).toBe('tiny-scenes');
    expect(doc.metadata.name).toBe('Edit of Word swap');
    // Edited again and again: counted, not nested.
    expect(editName(editName(editName('Word swap')))).toBe('Edit 3 of Word swap');
    // The template itself is untouched.
    expect(
      templateDocument(EDIT_RESULT_TEMPLATE)!.nodes.find((n) => n.type === 'ptp.loadImage')!.params.upload,
    ).not.toBe('abc123');
  });
});
