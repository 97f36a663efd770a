import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from '../repoRoot.js';

/** The project's copy of ../shared/data/p2p-reference (runs of the original P2P code on a toy pack). */
export const DEFAULT_REFERENCE_DIR = path.join(REPO_ROOT, 'fixtures/p2p-reference');

export const ReferenceCaseSchema = z.object({
  name: z.string(),
  prompts: z.array(z.string()).min(1),
  scheduler: z.enum(['pndm', 'ddim']),
  steps: z.number().int().positive(),
  guidance: z.number(),
  shape: z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]),
  saved_steps: z.array(z.number().int().nonnegative()),
  token_ids: z.array(z.array(z.number().int())),
  params: z.record(z.string(), z.unknown()),
});
export type ReferenceCase = z.infer<typeof ReferenceCaseSchema> & { dir: string };

const ToleranceSchema = z.object({ max_abs: z.number().positive(), mean_abs: z.number().positive() });
export type Tolerance = z.infer<typeof ToleranceSchema>;

/** Every folder below `dir` that holds a case.json, so new cases need no code. */
export function findReferenceCases(dir: string): ReferenceCase[] {
  const found: ReferenceCase[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.isDirectory()) continue;
      const sub = path.join(d, entry.name);
      const file = path.join(sub, 'case.json');
      if (existsSync(file)) found.push({ ...ReferenceCaseSchema.parse(JSON.parse(readFileSync(file, 'utf8'))), dir: sub });
      else walk(sub);
    }
  };
  walk(dir);
  return found;
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
