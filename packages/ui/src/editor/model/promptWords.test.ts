import { splitWords } from '@ptp/nodes';
import { describe, expect, it } from 'vitest';
import { documentToGraph } from './editorGraph';
import { wordsForPicker } from './promptWords';
import { templateDocument } from './templates';
import { testIndex } from './testSupport';

describe('word pickers are fed by the words of connected prompts', () => {
  const g = documentToGraph(templateDocument('word-swap')!);
  const words = (node: string, from?: string) => wordsForPicker(node, from, g.nodes, g.edges, testIndex());
  const textOf = (id: string) => String(g.nodes.find((n) => n.id === id)!.data.params.text);
  const sourceWords = [...new Set(splitWords(textOf('source')))];
  const targetWords = [...new Set(splitWords(textOf('target1')))];
  const onlyInTarget = targetWords.find((w) => !sourceWords.includes(w))!;
  const onlyInSource = sourceWords.find((w) => !targetWords.includes(w))!;

  it('uses the prompt linked to the input named by wordsFrom', () => {
    expect(onlyInTarget && onlyInSource).toBeTruthy(); // the preset swaps a word
    expect(words('blend1', 'source')).toEqual(sourceWords);
    expect(words('blend1', 'target')).toEqual(targetWords);
  });

  it('defaults to the target prompt on nodes that take one (per-word schedule tables)', () => {
    const sched = g.nodes.find((n) => n.data.nodeType === 'ptp.injectionSchedule')!;
    expect(words(sched.id)).toContain(onlyInTarget);
    expect(words(sched.id)).not.toContain(onlyInSource);
  });

  it('collects every upstream prompt for nodes without prompt inputs (attention viewer)', () => {
    const viewer = g.nodes.find((n) => n.data.nodeType === 'ptp.attentionViewer')!;
    const all = words(viewer.id);
    // The viewer reads the capture's maps: only the source prompt is upstream.
    expect(all).toEqual(sourceWords);
    expect(new Set(all).size).toBe(all.length);
  });

  it('follows edits to the prompt text and returns nothing for an unlinked input', () => {
    const nodes = g.nodes.map((n) =>
      n.id === 'source' ? { ...n, data: { ...n.data, params: { text: 'red  fox' } } } : n,
    );
    expect(wordsForPicker('blend1', 'source', nodes, g.edges, testIndex())).toEqual(['red', 'fox']);
    expect(
      wordsForPicker(
        'blend1',
        'source',
        nodes,
        g.edges.filter((e) => e.target !== 'blend1'),
        testIndex(),
      ),
    ).toEqual([]);
  });
});
