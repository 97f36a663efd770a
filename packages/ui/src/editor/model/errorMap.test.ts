import { validateGraph } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { buildErrorMap, hasErrors, inputProblemLabel, problemsOf } from './errorMap';
import { documentToGraph, graphToDocument } from './editorGraph';
import { templateDocument } from './templates';
import { testRegistry } from './testSupport';

describe('validation report -> per-node, per-input error map', () => {
  it('puts each problem where the editor shows it', () => {
    const doc = templateDocument('generate')!;
    const t2i = doc.nodes.find((n) => n.type === 'ptp.textToImage')!;
    t2i.params.steps = 0; // below the minimum
    doc.edges = doc.edges.filter((e) => !(e.to.node === t2i.id && e.to.input === 'prompt'));
    doc.nodes.push({ id: 'ghost', type: 'plugin.ghost', typeVersion: 1, params: {} });
    doc.nodes = doc.nodes.filter((n) => n.type !== 'ptp.saveImage');
    const report = validateGraph(graphToDocument(documentToGraph(doc)), testRegistry());
    const map = buildErrorMap([...report.errors, ...report.warnings]);
    const p = map.byNode.get(t2i.id)!;
    expect(p.inputs.prompt?.[0]?.code).toBe('MISSING_INPUT');
    expect(p.params.steps?.[0]?.code).toBe('INVALID_PARAM');
    expect(map.byNode.get('ghost')!.node[0]!.code).toBe('UNKNOWN_NODE_TYPE');
    expect(map.graph.map((e) => e.code)).toContain('NO_OUTPUT');
    expect(map.errorCount).toBe(report.errors.length);
    expect(hasErrors(p)).toBe(true);
    expect(problemsOf(p)).toHaveLength(2);
    // Nodes without problems have no entry.
    expect(map.byNode.has(doc.nodes[0]!.id)).toBe(false);
  });

  it('counts warnings apart from errors', () => {
    const map = buildErrorMap([{ code: 'UNKNOWN_PARAM', message: 'x', severity: 'warning', nodeId: 'a', param: 'p' }]);
    expect(map.warningCount).toBe(1);
    expect(map.errorCount).toBe(0);
    expect(hasErrors(map.byNode.get('a'))).toBe(false);
  });

  it("says an input's problem in a word or two, or a node check's message as it is", () => {
    const doc = templateDocument('generate')!;
    const t2i = doc.nodes.find((n) => n.type === 'ptp.textToImage')!;
    // The model output linked into the prompt input: a type mismatch from a hand-edited file.
    const model = doc.edges.find((e) => e.to.node === t2i.id && e.to.input === 'model')!;
    doc.edges = doc.edges.map((e) =>
      e.to.node === t2i.id && e.to.input === 'prompt' ? { ...e, from: { ...model.from } } : e,
    );
    const report = validateGraph(doc, testRegistry());
    const errs = buildErrorMap(report.errors).byNode.get(t2i.id)!.inputs.prompt!;
    expect(errs[0]!.message).toMatch(/takes PROMPT but .* gives MODEL/);
    expect(inputProblemLabel(errs)).toBe('wrong type');
    expect(inputProblemLabel([{ code: 'INVALID_INPUT', message: 'needs 64x64', severity: 'error' }])).toBe(
      'needs 64x64',
    );
    expect(inputProblemLabel([])).toBe('');
  });
});
