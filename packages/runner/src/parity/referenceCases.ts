import { describeZodIssue } from '@ptp/graph-core';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from '../repoRoot.js';

/** fixtures/p2p-reference: runs of the original P2P code on a toy pack (provenance in fixtures/README.md). */
export const DEFAULT_REFERENCE_DIR = path.join(REPO_ROOT, 'fixtures/p2p-reference');

/** A step window as the original code takes it: a fraction c means (0, c), or a pair (c0, c1). */
const Window = z.union([z.number().min(0).max(1), z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)])]);
export type CaseWindow = z.infer<typeof Window>;

/** The kinds the original code's edit controllers come in (AttentionReplace, AttentionRefine, AttentionReweight). */
export const EDIT_KINDS = ['replace', 'refine', 'reweight'] as const;
const BASE_KINDS = ['replace', 'refine'] as const;

/**
 * The controller a reweight runs after: the original code's `AttentionReweight(..., controller=X)`.
 * The original takes only X's cross-attention edit (its mapper and, for refine, its per-token
 * alphas); windows, self replacement and local blend come from the reweight. X's own windows and
 * blend, when a case records them, are kept for the record and not used, as in the original.
 */
const PrevControllerSchema = z.looseObject({
  controller: z.enum(BASE_KINDS),
  cross_replace_steps: z.unknown().optional(),
  self_replace_steps: z.unknown().optional(),
  local_blend: z.unknown().optional(),
});

/**
 * A case's controller, in the original code's terms. `controller` is `replace`, `refine` or
 * `reweight`; free text starting with `none` (EmptyControl) or `AttentionStore` for the runs that
 * edit nothing. A chain is a reweight with `prev_controller`, or the shorthand
 * `"refine+reweight"` / `"replace+reweight"`.
 */
export const CaseParamsSchema = z
  .looseObject({
    controller: z.string().min(1),
    /** The reference's cross_replace_steps: one window, or windows per word with `default_`. */
    cross_replace_steps: z.union([Window, z.record(z.string(), Window)]).optional(),
    self_replace_steps: Window.optional(),
    /** Blend words per prompt (item 0 the source's), as LocalBlend(prompts, words, threshold). */
    local_blend: z.object({ words: z.array(z.array(z.string())), threshold: z.number().min(0).max(1) }).optional(),
    /**
     * get_equalizer(text, words, values): every word gets the value of the edit's row; one value
     * applies to every edit, or one value per edit (the original broadcasts rows over the edits).
     */
    equalizer: z.object({ words: z.array(z.string().min(1)).min(1), values: z.array(z.number()).min(1) }).optional(),
    prev_controller: PrevControllerSchema.optional(),
  })
  .superRefine((p, ctx) => {
    const chain = controllerChain(p);
    if (chain.kind === 'unknown')
      ctx.addIssue({
        code: 'custom',
        path: ['controller'],
        message: `unknown controller "${p.controller}" (replace, refine, reweight, refine+reweight, replace+reweight, none..., AttentionStore...)`,
      });
    if (chain.kind === 'reweight' && !p.equalizer)
      ctx.addIssue({ code: 'custom', path: ['equalizer'], message: 'a reweight needs an equalizer' });
    if (p.equalizer && chain.kind !== 'reweight')
      ctx.addIssue({
        code: 'custom',
        path: ['equalizer'],
        message: `controller "${p.controller}" takes no equalizer (use reweight, or refine+reweight)`,
      });
    if (p.prev_controller && chain.kind !== 'reweight')
      ctx.addIssue({
        code: 'custom',
        path: ['prev_controller'],
        message: 'only a reweight runs after another controller',
      });
    if (p.prev_controller && chain.base && chain.base !== p.prev_controller.controller)
      ctx.addIssue({
        code: 'custom',
        path: ['prev_controller'],
        message: `controller "${p.controller}" and prev_controller "${p.prev_controller.controller}" disagree`,
      });
  });
export type CaseParams = z.infer<typeof CaseParamsSchema>;

/** What a case's controller does: `store`/`none` edit nothing; `base` is the controller a reweight runs after. */
export interface ControllerChain {
  kind: 'store' | 'none' | (typeof EDIT_KINDS)[number] | 'unknown';
  base?: (typeof BASE_KINDS)[number];
}

export function controllerChain(p: Pick<CaseParams, 'controller' | 'prev_controller'>): ControllerChain {
  const c = p.controller.trim();
  if (c.startsWith('AttentionStore')) return { kind: 'store' };
  if (c.startsWith('none')) return { kind: 'none' };
  const chained = /^(replace|refine)\s*(?:\+|->|then)\s*reweight$/.exec(c);
  if (chained) return { kind: 'reweight', base: chained[1] as 'replace' | 'refine' };
  if ((EDIT_KINDS as readonly string[]).includes(c)) {
    const kind = c as (typeof EDIT_KINDS)[number];
    return kind === 'reweight' && p.prev_controller ? { kind, base: p.prev_controller.controller } : { kind };
  }
  return { kind: 'unknown' };
}

export const ReferenceCaseSchema = z
  .object({
    name: z.string(),
    /** Item 0 is the source, items 1..N-1 the edits, run as one batch as the original code does. */
    prompts: z.array(z.string()).min(1),
    scheduler: z.enum(['pndm', 'ddim']),
    steps: z.number().int().positive(),
    guidance: z.number(),
    shape: z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]),
    saved_steps: z.array(z.number().int().nonnegative()),
    token_ids: z.array(z.array(z.number().int())),
    params: CaseParamsSchema,
  })
  .superRefine((c, ctx) => {
    const n = c.prompts.length;
    if (c.shape[0] !== n)
      ctx.addIssue({
        code: 'custom',
        path: ['shape'],
        message: `shape[0] is ${c.shape[0]} but there are ${n} prompts`,
      });
    if (c.token_ids.length !== n)
      ctx.addIssue({
        code: 'custom',
        path: ['token_ids'],
        message: `${c.token_ids.length} token id rows for ${n} prompts`,
      });
    const chain = controllerChain(c.params);
    if (n === 1 && chain.kind !== 'store' && chain.kind !== 'none')
      ctx.addIssue({
        code: 'custom',
        path: ['params', 'controller'],
        message: `controller "${c.params.controller}" needs at least one edit prompt`,
      });
    const blend = c.params.local_blend;
    if (blend && blend.words.length !== n)
      ctx.addIssue({
        code: 'custom',
        path: ['params', 'local_blend', 'words'],
        message: `local_blend has words for ${blend.words.length} prompts, the case has ${n}`,
      });
    const eq = c.params.equalizer;
    if (eq && eq.values.length !== 1 && eq.values.length !== n - 1)
      ctx.addIssue({
        code: 'custom',
        path: ['params', 'equalizer', 'values'],
        message: `equalizer has ${eq.values.length} values: give one, or one per edit (${n - 1})`,
      });
  });
export type ReferenceCase = z.infer<typeof ReferenceCaseSchema> & { dir: string };

/** A folder holding a case.json: the parsed case, or why it could not be read (that case fails alone). */
export type FoundCase =
  | { name: string; dir: string; case: ReferenceCase; error?: undefined }
  | { name: string; dir: string; case?: undefined; error: string };

const ToleranceSchema = z.object({ max_abs: z.number().positive(), mean_abs: z.number().positive() });
export type Tolerance = z.infer<typeof ToleranceSchema>;

/** Every folder below `dir` that holds a case.json, so new cases need no code. A malformed case.json is reported, not thrown. */
export function scanReferenceCases(dir: string): FoundCase[] {
  const found: FoundCase[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const sub = path.join(d, entry.name);
      if (!entry.isDirectory() && !(entry.isSymbolicLink() && statSync(sub, { throwIfNoEntry: false })?.isDirectory()))
        continue;
      const file = path.join(sub, 'case.json');
      if (existsSync(file)) found.push(readCase(file, sub, entry.name));
      else walk(sub);
    }
  };
  walk(dir);
  return found;
}

function readCase(file: string, dir: string, folder: string): FoundCase {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return { name: folder, dir, error: `case.json: ${(e as Error).message}` };
  }
  const name = typeof (raw as { name?: unknown })?.name === 'string' ? (raw as { name: string }).name : folder;
  const parsed = ReferenceCaseSchema.safeParse(raw);
  if (!parsed.success)
    return {
      name,
      dir,
      error: `case.json: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${describeZodIssue(i)}`).join('; ')}`,
    };
  return { name, dir, case: { ...parsed.data, dir } };
}

/** The well-formed cases below `dir`; throws on a malformed case.json (use scanReferenceCases to keep going). */
export function findReferenceCases(dir: string): ReferenceCase[] {
  return scanReferenceCases(dir).map((f) => {
    if (f.error !== undefined) throw new Error(`${f.dir}: ${f.error}`);
    return f.case;
  });
}

/**
 * The folder holding the toy pack and tolerance.json for cases under `dir`: `dir` itself or its
 * nearest ancestor that has both, so a subfolder of cases (e.g. `local/`) runs on its own.
 */
export function referenceHome(dir: string): string {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (existsSync(path.join(d, 'toy-sd-pack')) && existsSync(path.join(d, 'tolerance.json'))) return d;
    if (path.dirname(d) === d) throw new Error(`no toy-sd-pack/ and tolerance.json in ${dir} or above it`);
  }
}

/** tolerance.json's bound for `provider`; providers it does not list get `fallback` (stated by the caller). */
export function readTolerance(dir: string, provider: string, fallback?: Tolerance): Tolerance {
  const raw = JSON.parse(readFileSync(path.join(dir, 'tolerance.json'), 'utf8')) as Record<string, unknown>;
  const parsed = ToleranceSchema.safeParse(raw[provider]);
  if (parsed.success) return parsed.data;
  if (fallback) return fallback;
  throw new Error(`tolerance.json in ${dir} has no bound for provider ${provider}`);
}

export function readF32(file: string): Float32Array {
  const buf = readFileSync(file);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

export function readSavedLatents(c: ReferenceCase, step: number): Float32Array {
  return readF32(path.join(c.dir, `latents_step${String(step).padStart(2, '0')}.f32`));
}

export function diffStats(a: Float32Array, b: Float32Array): { maxAbs: number; meanAbs: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { maxAbs: max, meanAbs: sum / a.length };
}
