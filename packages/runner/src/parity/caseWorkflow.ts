import type { WorkflowDocument } from '@ptp/graph-core';
import { controllerChain, type CaseParams, type ReferenceCase } from './referenceCases.js';

type Node = WorkflowDocument['nodes'][number];
type Edge = WorkflowDocument['edges'][number];
const node = (id: string, type: string, params: Record<string, unknown> = {}): Node => ({
  id,
  type,
  typeVersion: 1,
  params,
});
const edge = (from: string, output: string, to: string, input: string): Edge => ({
  from: { node: from, output },
  to: { node: to, input },
});

/** Node ids of edit `i` (1-based, the case's prompt i). */
export const editNodeIds = (i: number) => ({ target: `target${i}`, schedule: `schedule${i}`, blend: `blend${i}` });

/**
 * A reference case as a workflow of the project's own nodes: pack, test-pattern noise (the
 * reference's initial latent), prompts, capture, then one prompt + injection schedule (+ blend) per
 * edit prompt, all into one edit sampler, so the source and every edit denoise in one batch as the
 * original code runs them. A chained controller (reweight after refine or replace) is one schedule
 * whose mode is the base edit and whose equalizer scales it, which is what the original's
 * AttentionReweight(controller=...) computes.
 */
export function caseWorkflow(c: ReferenceCase, packId: string): WorkflowDocument {
  const nodes: Node[] = [
    node('model', 'ptp.loadModel', { pack: packId }),
    node('noise', 'ptp.testPatternNoise', { width: c.shape[3] * 8, height: c.shape[2] * 8, amplitude: 1.5 }),
    node('source', 'ptp.prompt', { text: c.prompts[0] }),
    node('capture', 'ptp.captureSource', { steps: c.steps, guidance: c.guidance, scheduler: c.scheduler }),
    node('out', 'ptp.showValue'),
  ];
  const edges: Edge[] = [
    edge('model', 'model', 'noise', 'model'),
    edge('model', 'model', 'capture', 'model'),
    edge('source', 'prompt', 'capture', 'prompt'),
    edge('noise', 'noise', 'capture', 'noise'),
  ];
  const doc = (): WorkflowDocument => ({
    schemaVersion: 3,
    metadata: { name: c.name, description: '', tags: ['parity'] },
    nodes,
    edges,
  });
  if (c.prompts.length === 1) {
    edges.push(edge('capture', 'source', 'out', 'value'));
    return doc();
  }
  const edits = c.prompts.length - 1;
  nodes.push(node('sampler', 'ptp.editSampler', edits > 8 ? { maxEdits: edits } : {}));
  edges.push(edge('model', 'model', 'sampler', 'model'), edge('capture', 'source', 'sampler', 'source'));
  // Edge order is edit order: the sampler's multi input sees the schedules as linked.
  for (let i = 1; i <= edits; i++) {
    const id = editNodeIds(i);
    nodes.push(
      node(id.target, 'ptp.prompt', { text: c.prompts[i] }),
      node(id.schedule, 'ptp.injectionSchedule', scheduleParams(c, i)),
    );
    edges.push(
      edge('source', 'prompt', id.schedule, 'source'),
      edge(id.target, 'prompt', id.schedule, 'target'),
      edge(id.schedule, 'schedule', 'sampler', 'edits'),
    );
    const blend = c.params.local_blend;
    if (blend) {
      nodes.push(
        node(id.blend, 'ptp.blend', { sourceWords: blend.words[0], targetWords: blend.words[i], k: blend.threshold }),
      );
      edges.push(
        edge('source', 'prompt', id.blend, 'source'),
        edge(id.target, 'prompt', id.blend, 'target'),
        edge(id.blend, 'blend', id.schedule, 'blend'),
      );
    }
  }
  edges.push(edge('sampler', 'trajectory', 'out', 'value'));
  return doc();
}

/** The injection schedule of edit `i` (1-based), in the original controller's terms. */
export function scheduleParams(c: Pick<ReferenceCase, 'prompts' | 'params'>, i: number): Record<string, unknown> {
  const p: CaseParams = c.params;
  const chain = controllerChain(p);
  const target = c.prompts[i]!;
  const source = c.prompts[0]!;
  // "none" (EmptyControl): every prompt sampled independently = windows that never open.
  const none = chain.kind === 'none';
  const cross = p.cross_replace_steps ?? 1;
  const { default_: crossDefault = 1, ...crossWords } =
    typeof cross === 'number' || Array.isArray(cross) ? { default_: cross } : cross;
  // The original looks each per-word window up in every edit prompt and skips prompts without it.
  const words = new Set(target.split(' '));
  const equalizer = chain.kind === 'reweight' && p.equalizer ? equalizerFor(p.equalizer, i) : {};
  return {
    mode: none
      ? source.split(' ').length === target.split(' ').length
        ? 'replace'
        : 'refine'
      : (chain.base ?? chain.kind),
    cross: none ? 0 : crossDefault,
    crossWords: none ? {} : Object.fromEntries(Object.entries(crossWords).filter(([w]) => words.has(w))),
    self: none ? 0 : (p.self_replace_steps ?? 0),
    selfResolutionDivisor: 4,
    equalizer,
  };
}

/** get_equalizer's row for edit `i`: one value for every edit, or one per edit; every word of the row gets it. */
function equalizerFor(eq: NonNullable<CaseParams['equalizer']>, i: number): Record<string, number> {
  const value = eq.values.length === 1 ? eq.values[0]! : eq.values[i - 1]!;
  return Object.fromEntries(eq.words.map((w) => [w, value]));
}
