import { describe, expect, it } from 'vitest';
import { danglingLink, quickAddChoices } from './quickAdd';
import { node, testIndex } from './testSupport';

const index = testIndex();
const types = (choices: ReturnType<typeof quickAddChoices>) => choices.map((c) => c.entry.type);

describe('quickAddChoices', () => {
  it('offers what the palette search finds', () => {
    expect(types(quickAddChoices(index, 'decode'))).toContain('ptp.decode');
    expect(quickAddChoices(index, '', undefined, 5)).toHaveLength(5);
    expect(quickAddChoices(index, 'no such node')).toEqual([]);
  });

  it('with a link dragged from an output, only types with an input that takes it, paired with that input', () => {
    const link = { node: 'capture', handle: 'latent', side: 'source' as const, type: 'LATENT' };
    const choices = quickAddChoices(index, '', link, 100);
    expect(choices.find((c) => c.entry.type === 'ptp.decode')?.socket).toBe('latent');
    expect(choices.find((c) => c.entry.type === 'ptp.captureSource')?.socket).toBe('noise');
    expect(types(choices)).not.toContain('ptp.prompt');
    expect(types(choices)).not.toContain('ptp.saveImage');
  });

  it('with a link dragged from an input, only types with an output that feeds it', () => {
    const link = { node: 'save', handle: 'image', side: 'target' as const, type: 'IMAGE' };
    const choices = quickAddChoices(index, '', link, 100);
    expect(choices.find((c) => c.entry.type === 'ptp.decode')?.socket).toBe('image');
    expect(types(choices)).not.toContain('ptp.prompt');
  });
});

describe('danglingLink', () => {
  it('reads the socket type of the node a link was dragged from', () => {
    const nodes = [node('d', 'ptp.decode')];
    expect(danglingLink(nodes, index, 'd', 'image', 'source')).toEqual({
      node: 'd',
      handle: 'image',
      side: 'source',
      type: 'IMAGE',
    });
    expect(danglingLink(nodes, index, 'd', 'latent', 'target')?.type).toBe('LATENT');
    expect(danglingLink(nodes, index, 'd', 'nope', 'source')).toBeUndefined();
    expect(danglingLink([node('x', 'plugin.unknown')], index, 'x', 'out', 'source')).toBeUndefined();
  });
});
