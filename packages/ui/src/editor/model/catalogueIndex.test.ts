import { describe, expect, it } from 'vitest';
import { indexCatalogue, newNodeId, searchCatalogue } from './catalogueIndex';
import { testIndex } from './testSupport';

describe('catalogue index', () => {
  it('groups node types by category in catalogue order', () => {
    const cats = testIndex().categories.map((c) => c.name);
    expect(cats).toEqual(expect.arrayContaining(['model', 'prompt', 'edit', 'output']));
    expect(new Set(cats).size).toBe(cats.length);
    expect(
      testIndex()
        .categories.find((c) => c.name === 'prompt')!
        .entries.map((e) => e.type),
    ).toContain('ptp.prompt');
  });

  it('searches titles, types, descriptions and socket types; title matches first', () => {
    const titles = (q: string) => searchCatalogue(testIndex(), q).map((e) => e.type);
    expect(titles('blend')[0]).toBe('ptp.blend');
    expect(titles('attention viewer')[0]).toBe('ptp.attentionViewer');
    expect(titles('SCHEDULE')).toEqual(expect.arrayContaining(['ptp.injectionSchedule', 'ptp.editSampler']));
    expect(titles('zzzz')).toEqual([]);
    // A param's name finds the node types that have it.
    expect(titles('seed')).toEqual(expect.arrayContaining(['ptp.captureSource', 'ptp.textToImage']));
    expect(titles('  ')).toHaveLength(testIndex().catalogue.nodes.length);
  });

  it('finds node types by the names ComfyUI users know, and by socket names', () => {
    const titles = (q: string) => searchCatalogue(testIndex(), q).map((e) => e.type);
    expect(titles('ksampler')).toEqual(expect.arrayContaining(['ptp.textToImage', 'ptp.captureSource']));
    expect(titles('checkpoint')).toEqual(['ptp.loadModel']);
    expect(titles('clip text encode')[0]).toBe('ptp.prompt');
    expect(titles('negative')).toEqual(expect.arrayContaining(['ptp.captureSource', 'ptp.textToImage']));
    expect(titles('sampler')).toContain('ptp.textToImage');
  });

  it("finds a node package's types by the package name", () => {
    const catalogue = testIndex().catalogue;
    const entry = { ...catalogue.nodes[0]!, type: 'example.thing', origin: { package: 'ptp-example-invert@1.0.0' } };
    const ix = indexCatalogue({ ...catalogue, nodes: [...catalogue.nodes, entry] });
    expect(searchCatalogue(ix, 'example-invert').map((e) => e.type)).toEqual(['example.thing']);
  });

  it('applies the catalogue compatibility rules and socket colours', () => {
    const ix = testIndex();
    expect(ix.canConnect('INT', 'NUMBER')).toBe(true);
    expect(ix.canConnect('NUMBER', 'INT')).toBe(false);
    expect(ix.canConnect('IMAGE', 'ANY')).toBe(true);
    expect(ix.colorOf('PROMPT')).toBe('#ffd54f');
  });

  it('makes readable unique node ids', () => {
    expect(newNodeId('ptp.prompt', new Set())).toBe('prompt');
    expect(newNodeId('ptp.prompt', new Set(['prompt', 'prompt_2']))).toBe('prompt_3');
    expect(newNodeId('weird type!', new Set())).toBe('weirdtype');
  });
});
