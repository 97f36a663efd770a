import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  controllerChain,
  findReferenceCases,
  ReferenceCaseSchema,
  referenceHome,
  scanReferenceCases,
} from './referenceCases.js';

const SQ = 'A painting of a squirrel eating a burger';
const base = (prompts: string[], params: Record<string, unknown>) => ({
  name: 'c',
  prompts,
  scheduler: 'pndm',
  steps: 50,
  guidance: 7.5,
  shape: [prompts.length, 4, 64, 64],
  saved_steps: [0, 1],
  token_ids: prompts.map(() => [49406, 49407]),
  params,
});
const issues = (raw: unknown) => {
  const r = ReferenceCaseSchema.safeParse(raw);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('case format', () => {
  it('reads the controllers of the recorded cases', () => {
    expect(controllerChain({ controller: 'AttentionStore (records maps, edits nothing)' })).toEqual({ kind: 'store' });
    expect(controllerChain({ controller: 'none (EmptyControl): both prompts sampled independently' })).toEqual({
      kind: 'none',
    });
    expect(controllerChain({ controller: 'refine' })).toEqual({ kind: 'refine' });
    expect(controllerChain({ controller: 'reweight' })).toEqual({ kind: 'reweight' });
  });

  it('reads a chain as prev_controller or as the shorthand', () => {
    expect(controllerChain({ controller: 'reweight', prev_controller: { controller: 'refine' } })).toEqual({
      kind: 'reweight',
      base: 'refine',
    });
    expect(controllerChain({ controller: 'replace+reweight' })).toEqual({ kind: 'reweight', base: 'replace' });
    expect(controllerChain({ controller: 'refine -> reweight' })).toEqual({ kind: 'reweight', base: 'refine' });
  });

  it('accepts three prompts and a chained controller', () => {
    expect(
      issues(
        base([SQ, 'A painting of a lion eating a burger', 'A painting of a squirrel eating a cake'], {
          controller: 'replace',
          cross_replace_steps: { default_: 0.8, lion: [0, 0.4] },
          self_replace_steps: 0.4,
        }),
      ),
    ).toEqual([]);
    expect(
      issues(
        base([SQ, 'A neoclassical painting of a squirrel eating a burger'], {
          controller: 'reweight',
          cross_replace_steps: 0.8,
          equalizer: { words: ['squirrel'], values: [3] },
          prev_controller: { controller: 'refine', self_replace_steps: 0.2 },
        }),
      ),
    ).toEqual([]);
  });

  it('says what is wrong with a malformed case', () => {
    expect(issues({ ...base([SQ, SQ, SQ], { controller: 'replace' }), shape: [2, 4, 64, 64] })).toEqual([
      'shape: shape[0] is 2 but there are 3 prompts',
    ]);
    expect(issues(base([SQ, SQ], { controller: 'swap' }))[0]).toMatch(/^params.controller: unknown controller "swap"/);
    expect(issues(base([SQ, SQ], { controller: 'reweight' }))).toEqual([
      'params.equalizer: a reweight needs an equalizer',
    ]);
    expect(issues(base([SQ, SQ], { controller: 'replace', equalizer: { words: ['a'], values: [2] } }))[0]).toMatch(
      /takes no equalizer/,
    );
    expect(issues(base([SQ, SQ], { controller: 'refine', prev_controller: { controller: 'replace' } }))).toEqual([
      'params.prev_controller: only a reweight runs after another controller',
    ]);
    expect(
      issues(
        base([SQ, SQ], {
          controller: 'reweight',
          equalizer: { words: ['a'], values: [2] },
          prev_controller: { controller: 'reweight' },
        }),
      )[0],
    ).toMatch(/^params.prev_controller.controller/);
    expect(
      issues(base([SQ, SQ, SQ], { controller: 'reweight', equalizer: { words: ['a'], values: [2, 3, 4] } })),
    ).toEqual(['params.equalizer.values: equalizer has 3 values: give one, or one per edit (2)']);
    expect(
      issues(base([SQ, SQ, SQ], { controller: 'replace', local_blend: { words: [['a'], ['a']], threshold: 0.3 } })),
    ).toEqual(['params.local_blend.words: local_blend has words for 2 prompts, the case has 3']);
    expect(issues(base([SQ], { controller: 'replace' }))).toEqual([
      'params.controller: controller "replace" needs at least one edit prompt',
    ]);
  });
});

describe('scanning a reference folder', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'ptp-refcases-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const put = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  };
  put('tolerance.json', '{"cpu":{"max_abs":1,"mean_abs":1}}');
  mkdirSync(path.join(root, 'toy-sd-pack'));
  put('a/good/case.json', JSON.stringify({ ...base([SQ, SQ], { controller: 'replace' }), name: 'good' }));
  put('a/not-json/case.json', '{ nope');
  put('b/bad/case.json', JSON.stringify({ ...base([SQ, SQ], { controller: 'reweight' }), name: 'bad-name' }));

  it('reports a malformed case.json as that case and keeps the others', () => {
    const found = scanReferenceCases(root);
    expect(found.map((f) => [f.name, f.error === undefined])).toEqual([
      ['good', true],
      ['not-json', false],
      ['bad-name', false],
    ]);
    expect(found[1]!.error).toMatch(/^case.json: /);
    expect(found[2]!.error).toBe('case.json: params.equalizer: a reweight needs an equalizer');
    expect(() => findReferenceCases(root)).toThrow(/not-json: case.json/);
  });

  it('follows a symlinked case folder', () => {
    const other = mkdtempSync(path.join(tmpdir(), 'ptp-refcases-links-'));
    try {
      symlinkSync(path.join(root, 'a', 'good'), path.join(other, 'linked'));
      expect(scanReferenceCases(other).map((f) => [f.name, f.dir])).toEqual([['good', path.join(other, 'linked')]]);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('finds the pack and tolerance.json above a subfolder of cases', () => {
    expect(referenceHome(path.join(root, 'a', 'good'))).toBe(root);
    expect(referenceHome(root)).toBe(root);
    expect(() => referenceHome(tmpdir())).toThrow(/no toy-sd-pack/);
  });
});
