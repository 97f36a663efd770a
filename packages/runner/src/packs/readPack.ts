import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PTP_MANIFEST_FILE, PtpManifestSchema, type PtpManifest } from '../onnx/ptpManifest.js';
import { ClipTokenizer } from '../tokenizers/index.js';
import { readJson } from './PackStore.js';

export interface PackFiles {
  dir: string;
  manifest: PtpManifest;
  tokenizer: ClipTokenizer;
  schedulerConfig: unknown;
  vaeScalingFactor: number;
  vaeScale: number;
}

/** Reads everything of a pack except the ONNX models (those go to the backend's sessions). */
export async function readPack(dir: string): Promise<PackFiles> {
  const parsed = PtpManifestSchema.safeParse(await readJson(path.join(dir, PTP_MANIFEST_FILE)));
  if (!parsed.success) throw new Error(`${PTP_MANIFEST_FILE} in ${dir} is invalid: ${parsed.error.issues[0]?.message}; re-import the pack with \`pnpm ptp models import\``);
  const manifest = parsed.data;
  const tokDir = path.join(dir, manifest.components.tokenizer);
  const read = (f: string) => readFile(path.join(tokDir, f), 'utf8');
  const [vocabJson, mergesTxt, configJson] = await Promise.all([read('vocab.json'), read('merges.txt'), read('tokenizer_config.json').catch(() => undefined)]);
  const tokenizer = ClipTokenizer.fromFiles({ vocabJson, mergesTxt, ...(configJson ? { configJson } : {}) });
  const schedulerConfig = await readJson(path.join(dir, manifest.components.scheduler));
  const vaeConfig = (await readJson(path.join(dir, path.dirname(manifest.components.vaeDecoder), 'config.json')).catch(() => ({}))) as Record<string, unknown>;
  const factor = vaeConfig.scaling_factor ?? vaeConfig.vae_scaling_factor ?? 0.18215;
  const blocks = Array.isArray(vaeConfig.block_out_channels) ? vaeConfig.block_out_channels.length : 4;
  return { dir, manifest, tokenizer, schedulerConfig, vaeScalingFactor: Number(factor), vaeScale: Number(vaeConfig.vae_scale ?? 2 ** (blocks - 1)) };
}
