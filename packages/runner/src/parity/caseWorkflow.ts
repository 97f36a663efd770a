import type { WorkflowDocument } from '@ptp/graph-core';
import type { ReferenceCase } from './referenceCases.js';

/**
 * A reference case as a workflow of the project's own nodes: pack, test-pattern noise (the
 * reference's initial latent), prompts, capture, schedule (+ blend), edit sampler.
 */
export function caseWorkflow(c: ReferenceCase, packId: string): WorkflowDocument {
  const p = c.params as {
    controller: string;
    cross_replace_steps?: number | Record<string, number>;
    self_replace_steps?: number;
    local_blend?: { words: string[][]; threshold: number };
    equalizer?: { words: string[]; values: number[] };
  };
  const node = (id: string, type: string, params: Record<string, unknown> = {}) => ({ id, type, typeVersion: 1, params });
  const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });
  const nodes = [
    node('model', 'ptp.loadModel', { pack: packId }),
    node('noise', 'ptp.testPatternNoise', { width: c.shape[3] * 8, height: c.shape[2] * 8, amplitude: 1.5 }),
    node('source', 'ptp.prompt', { text: c.prompts[0] }),
    node('capture', 'ptp.captureSource', { steps: c.steps, guidance: c.guidance, scheduler: c.scheduler }),
    node('out', 'ptp.showValue'),
  ];
  const edges = [edge('model', 'model', 'noise', 'model'), edge('model', 'model', 'capture', 'model'), edge('source', 'prompt', 'capture', 'prompt'), edge('noise', 'noise', 'capture', 'noise')];
  if (c.prompts.length === 1) {
    edges.push(edge('capture', 'source', 'out', 'value'));
    return { schemaVersion: 2, metadata: { name: c.name, description: '', tags: ['parity'] }, nodes, edges };
  }
  const cross = p.cross_replace_steps ?? 1;
  const { default_: crossDefault = 1, ...crossWords } = typeof cross === 'number' ? { default_: cross } : cross;
  const mode = p.controller.startsWith('none') ? 'replace' : p.controller;
  nodes.push(
    node('target', 'ptp.prompt', { text: c.prompts[1] }),
    node('schedule', 'ptp.injectionSchedule', {
      mode,
      // "none": both prompts sampled independently = windows that never open.
      cross: p.controller.startsWith('none') ? 0 : crossDefault,
      crossWords,
      self: p.controller.startsWith('none') ? 0 : (p.self_replace_steps ?? 0),
      selfResolutionDivisor: 4,
      equalizer: p.equalizer ? Object.fromEntries(p.equalizer.words.map((w, i) => [w, p.equalizer!.values[i]!])) : {},
    }),
    node('sampler', 'ptp.editSampler'),
  );
  edges.push(
    edge('source', 'prompt', 'schedule', 'source'),
    edge('target', 'prompt', 'schedule', 'target'),
    edge('model', 'model', 'sampler', 'model'),
    edge('capture', 'source', 'sampler', 'source'),
    edge('schedule', 'schedule', 'sampler', 'edits'),
    edge('sampler', 'trajectory', 'out', 'value'),
  );
  if (p.local_blend) {
    nodes.push(node('blend', 'ptp.blend', { sourceWords: p.local_blend.words[0], targetWords: p.local_blend.words[1], k: p.local_blend.threshold }));
    edges.push(edge('source', 'prompt', 'blend', 'source'), edge('target', 'prompt', 'blend', 'target'), edge('blend', 'blend', 'schedule', 'blend'));
  }
  return { schemaVersion: 2, metadata: { name: c.name, description: '', tags: ['parity'] }, nodes, edges };
}
