import type { SchedulerKind } from '../../runtime/InferenceBackend.js';
import { PTP_MANIFEST_FILE, PtpManifestSchema, type PtpManifest } from './ptpManifest.js';
import { createScheduler, type Scheduler } from '../schedulers/index.js';
import type { SupportedSchedulerClass } from '../schedulers/SchedulerConfig.js';
import { ClipTokenizer } from '../tokenizers/index.js';

// Pure (no node:*): shared by the Node backend (files on disk) and the browser backend (fetch).

/** Reads a pack file as text by its path relative to the pack ('/'-separated); rejects when missing. */
export type ReadPackText = (relativePath: string) => Promise<string>;

export interface ParsedPack {
  manifest: PtpManifest;
  tokenizer: ClipTokenizer;
  schedulerConfig: unknown;
  vaeScalingFactor: number;
  vaeScale: number;
}

/** The folder part of a pack-relative path (`vae_decoder/model.onnx` -> `vae_decoder`). */
export function packDirname(relativePath: string): string {
  const i = relativePath.lastIndexOf('/');
  return i < 0 ? '.' : relativePath.slice(0, i);
}

/** Joins pack-relative path parts with '/', dropping `.` parts. */
export function packJoin(...parts: string[]): string {
  return parts.filter((p) => p !== '' && p !== '.').join('/');
}

/** Parses everything of a pack except the ONNX models; `where` names the pack in errors. */
export async function parsePack(read: ReadPackText, where: string): Promise<ParsedPack> {
  const readJson = async (rel: string): Promise<unknown> => JSON.parse(await read(rel));
  const parsed = PtpManifestSchema.safeParse(await readJson(PTP_MANIFEST_FILE));
  if (!parsed.success)
    throw new Error(
      `${PTP_MANIFEST_FILE} in ${where} is invalid: ${parsed.error.issues[0]?.message}; re-import the pack with \`pnpm ptp models import\``,
    );
  const manifest = parsed.data;
  const tok = (f: string) => read(packJoin(manifest.components.tokenizer, f));
  const [vocabJson, mergesTxt, configJson] = await Promise.all([
    tok('vocab.json'),
    tok('merges.txt'),
    tok('tokenizer_config.json').catch(() => undefined),
  ]);
  const tokenizer = ClipTokenizer.fromFiles({ vocabJson, mergesTxt, ...(configJson ? { configJson } : {}) });
  const schedulerConfig = await readJson(manifest.components.scheduler);
  const vaeConfig = (await readJson(packJoin(packDirname(manifest.components.vaeDecoder), 'config.json')).catch(
    () => ({}),
  )) as Record<string, unknown>;
  const factor = vaeConfig.scaling_factor ?? vaeConfig.vae_scaling_factor ?? 0.18215;
  const blocks = Array.isArray(vaeConfig.block_out_channels) ? vaeConfig.block_out_channels.length : 4;
  return {
    manifest,
    tokenizer,
    schedulerConfig,
    vaeScalingFactor: Number(factor),
    vaeScale: Number(vaeConfig.vae_scale ?? 2 ** (blocks - 1)),
  };
}

const SCHEDULER_CLASSES: Record<Exclude<SchedulerKind, 'pack'>, SupportedSchedulerClass> = {
  pndm: 'PNDMScheduler',
  ddim: 'DDIMScheduler',
  euler: 'EulerDiscreteScheduler',
  'euler-ancestral': 'EulerAncestralDiscreteScheduler',
};

/** The scheduler factories of a `ModelPack`, from the pack's scheduler_config.json. */
export function packSchedulers(schedulerConfig: unknown): {
  createScheduler(kind?: SchedulerKind): Scheduler;
  createInverseScheduler(): Scheduler;
} {
  return {
    createScheduler: (kind: SchedulerKind = 'pack') =>
      // DDIM from a PNDM config keeps the pack's betas; clip_sample off as SD pipelines run it.
      createScheduler(
        schedulerConfig,
        kind === 'pack' ? {} : { className: SCHEDULER_CLASSES[kind], overrides: { clip_sample: false } },
      ),
    createInverseScheduler: () =>
      createScheduler(schedulerConfig, { className: 'DDIMInverseScheduler', overrides: { clip_sample: false } }),
  };
}
