import { validateGraph } from '@ptp/graph-core';
import { createNodeRegistry } from '@ptp/nodes';
import { describe, expect, it } from 'vitest';
import { caseWorkflow, scheduleParams } from './caseWorkflow.js';
import { ReferenceCaseSchema, type ReferenceCase } from './referenceCases.js';

const SQ = 'A painting of a squirrel eating a burger';
const LION = 'A painting of a lion eating a burger';
const CAKE = 'A painting of a squirrel eating a cake';
const NEO = 'A neoclassical painting of a squirrel eating a burger';

function refCase(prompts: string[], params: Record<string, unknown>): ReferenceCase {
  const raw = {
    name: 't',
    prompts,
    scheduler: 'pndm',
    steps: 50,
    guidance: 7.5,
    shape: [prompts.length, 4, 64, 64],
    saved_steps: [0],
    token_ids: prompts.map(() => [49406, 49407]),
    params,
  };
  return { ...ReferenceCaseSchema.parse(raw), dir: '/nowhere' };
}

const registry = createNodeRegistry();

describe('caseWorkflow: any number of prompts', () => {
  const c = refCase([SQ, LION, CAKE], {
    controller: 'replace',
    cross_replace_steps: { default_: 0.8, lion: 0.4 },
    self_replace_steps: 0.4,
  });
  const doc = caseWorkflow(c, 'toy');

  it('is a valid graph of the project nodes', () => expect(validateGraph(doc, registry).errors).toEqual([]));

  it('has one prompt and one schedule per edit, linked into the sampler in prompt order', () => {
    expect(doc.nodes.filter((n) => n.type === 'ptp.prompt').map((n) => n.params.text)).toEqual([SQ, LION, CAKE]);
    const intoSampler = doc.edges
      .filter((e) => e.to.node === 'sampler' && e.to.input === 'edits')
      .map((e) => e.from.node);
    expect(intoSampler).toEqual(['schedule1', 'schedule2']);
    const targetOf = (s: string) =>
      doc.nodes.find((n) => n.id === doc.edges.find((e) => e.to.node === s && e.to.input === 'target')!.from.node)!
        .params.text;
    expect(intoSampler.map(targetOf)).toEqual([LION, CAKE]);
  });

  it('gives a per-word window only to the edits whose prompt has the word (the original skips the others)', () => {
    expect(scheduleParams(c, 1)).toMatchObject({
      mode: 'replace',
      cross: 0.8,
      crossWords: { lion: 0.4 },
      self: 0.4,
      equalizer: {},
    });
    expect(scheduleParams(c, 2)).toMatchObject({ mode: 'replace', cross: 0.8, crossWords: {}, self: 0.4 });
  });

  it('gives every edit a local blend with its own words', () => {
    const b = refCase([SQ, LION, CAKE], {
      controller: 'replace',
      cross_replace_steps: 0.8,
      self_replace_steps: 0.4,
      local_blend: { words: [['squirrel'], ['lion'], ['cake']], threshold: 0.75 },
    });
    const d = caseWorkflow(b, 'toy');
    expect(validateGraph(d, registry).errors).toEqual([]);
    expect(d.nodes.filter((n) => n.type === 'ptp.blend').map((n) => n.params)).toEqual([
      { sourceWords: ['squirrel'], targetWords: ['lion'], k: 0.75 },
      { sourceWords: ['squirrel'], targetWords: ['cake'], k: 0.75 },
    ]);
    expect(d.edges.filter((e) => e.to.input === 'blend').map((e) => `${e.from.node}->${e.to.node}`)).toEqual([
      'blend1->schedule1',
      'blend2->schedule2',
    ]);
  });

  it('keeps the two-prompt and source-only shapes', () => {
    expect(
      caseWorkflow(refCase([SQ, LION], { controller: 'replace', cross_replace_steps: 0.8 }), 'toy').nodes.filter(
        (n) => n.type === 'ptp.injectionSchedule',
      ),
    ).toHaveLength(1);
    const store = caseWorkflow(refCase([SQ], { controller: 'AttentionStore (records maps, edits nothing)' }), 'toy');
    expect(store.nodes.some((n) => n.type === 'ptp.editSampler')).toBe(false);
    expect(validateGraph(store, registry).errors).toEqual([]);
  });

  it('samples "none" with closed windows, refining where word counts differ', () => {
    const n = refCase([SQ, LION, NEO], { controller: 'none (EmptyControl)' });
    expect(scheduleParams(n, 1)).toMatchObject({ mode: 'replace', cross: 0, crossWords: {}, self: 0 });
    expect(scheduleParams(n, 2)).toMatchObject({ mode: 'refine', cross: 0, self: 0 });
  });
});

describe('caseWorkflow: chained controllers', () => {
  it('reweight after refine is a refine schedule with the equalizer (reweightAfter), windows from the reweight', () => {
    const c = refCase([SQ, NEO], {
      controller: 'reweight',
      cross_replace_steps: 0.8,
      self_replace_steps: 0.4,
      equalizer: { words: ['neoclassical', 'squirrel'], values: [3] },
      prev_controller: { controller: 'refine', cross_replace_steps: 0.5, self_replace_steps: 0.2 },
    });
    expect(scheduleParams(c, 1)).toEqual({
      mode: 'refine',
      cross: 0.8,
      crossWords: {},
      self: 0.4,
      selfResolutionDivisor: 4,
      equalizer: { neoclassical: 3, squirrel: 3 },
    });
    expect(validateGraph(caseWorkflow(c, 'toy'), registry).errors).toEqual([]);
  });

  it('the shorthand "replace+reweight" means the same as prev_controller', () => {
    const a = refCase([SQ, LION], {
      controller: 'replace+reweight',
      cross_replace_steps: 0.8,
      self_replace_steps: 0.4,
      equalizer: { words: ['lion'], values: [2] },
    });
    const b = refCase([SQ, LION], {
      controller: 'reweight',
      cross_replace_steps: 0.8,
      self_replace_steps: 0.4,
      equalizer: { words: ['lion'], values: [2] },
      prev_controller: { controller: 'replace' },
    });
    expect(scheduleParams(a, 1)).toEqual(scheduleParams(b, 1));
    expect(scheduleParams(a, 1)).toMatchObject({ mode: 'replace', equalizer: { lion: 2 } });
  });

  it('a plain reweight stays a reweight schedule', () => {
    const c = refCase(['a smiling bunny doll', 'a smiling bunny doll'], {
      controller: 'reweight',
      cross_replace_steps: 0.8,
      self_replace_steps: 0.4,
      equalizer: { words: ['smiling'], values: [5] },
    });
    expect(scheduleParams(c, 1)).toMatchObject({ mode: 'reweight', equalizer: { smiling: 5 } });
  });

  it('one equalizer value per edit goes to that edit, on every word', () => {
    const c = refCase([SQ, NEO, 'A beautiful oil painting of a squirrel eating a burger'], {
      controller: 'refine+reweight',
      cross_replace_steps: 0.8,
      self_replace_steps: 0.4,
      equalizer: { words: ['squirrel', 'burger'], values: [3, 0.5] },
    });
    expect(scheduleParams(c, 1)).toMatchObject({ mode: 'refine', equalizer: { squirrel: 3, burger: 3 } });
    expect(scheduleParams(c, 2)).toMatchObject({ mode: 'refine', equalizer: { squirrel: 0.5, burger: 0.5 } });
    expect(validateGraph(caseWorkflow(c, 'toy'), registry).errors).toEqual([]);
  });
});
