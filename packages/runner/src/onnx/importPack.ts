import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, readdir, realpath, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { decodeOnnxModel, encodeOnnxModel } from './OnnxModel.js';
import { PtpPackError } from './PtpPackError.js';
import { checkExternalData } from './checkExternalData.js';
import { listFiles, placeFile, realInside, sha256File } from './packFiles.js';
import { patchControllableUnet, type PatchedUnet } from './patchControllableUnet.js';
import { PTP_CONTROL_INPUTS, PTP_MANIFEST_FILE, PTP_MANIFEST_VERSION, PtpManifestSchema } from '@ptp/nodes/diffusion';
import type { FileEntry, PtpManifest } from '@ptp/nodes/diffusion';

export interface ImportOptions {
  /** Pack name in the manifest (default: the export folder's name). */
  name?: string;
  /** Keep the plain UNet as unet/plain.onnx when it costs at most this many bytes (default 64 MiB). */
  keepPlainMaxBytes?: number;
  /** See PatchOptions.selfMaxQueryLength. */
  selfMaxQueryLength?: number;
  /** See PatchOptions.selfControlDivisor. Default DEFAULT_SELF_CONTROL_DIVISOR (2) when fusing, else 1 (all). */
  selfControlDivisor?: number;
  /** See PatchOptions.fuseUncontrolled. Default true. */
  fuseUncontrolled?: boolean;
}

/**
 * Self layers at the full latent grid are the only ones left uncontrolled (and fused) by default:
 * both reference notebooks replace self-attention at most up to latent/2 (16x16 and 32x32 at
 * 512 px), and the full-grid layers hold ~92% of SD's attention-matrix elements (5 x 4096^2 of
 * about 91M per item and head).
 */
export const DEFAULT_SELF_CONTROL_DIVISOR = 2;

export interface ImportResult {
  packDir: string;
  manifest: PtpManifest;
}

const EXPORT_HINT = 'expected the diffusers/optimum ONNX layout (e.g. `optimum-cli export onnx --model <model> <dir>`)';

/**
 * Copies an optimum-layout export into `packDir`, patching the UNet into the controllable UNet
 * (`unet/model.onnx`) and writing `ptp-manifest.json`. Only graph protos are decoded: external
 * weights are checked, hard-linked or copied, never loaded. Builds in a staging folder beside
 * `packDir` and renames it at the end, so a failed import leaves nothing half-written.
 */
export async function importPack(
  exportDir: string,
  packDir: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const src = resolve(exportDir);
  const dst = resolve(packDir);
  const realSrc = await realpath(src).catch(() => {
    throw new PtpPackError('MISSING_COMPONENT', `export folder ${exportDir} does not exist`, exportDir);
  });
  await assertEmptyTarget(dst);
  const layout = await checkExportLayout(src);

  await mkdir(dirname(dst), { recursive: true });
  const staging = `${dst}.importing-${randomBytes(4).toString('hex')}`;
  await mkdir(staging);
  try {
    const files = new StagedFiles(src, realSrc, staging);
    await copyComponents(files, layout);
    const unet = await importUnet(files, options);
    const manifest = await packManifest({
      src,
      name: options.name ?? basename(src),
      layout,
      unet,
      sourceFiles: files.sourceFiles,
    });
    await writeFile(join(staging, PTP_MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
    await assertEmptyTarget(dst);
    await rmdir(dst).catch(() => undefined);
    await rename(staging, dst);
    return { packDir: dst, manifest };
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

/** The optional parts of an export; the required ones are checked (else MISSING_COMPONENT). */
interface ExportLayout {
  hasVaeEncoder: boolean;
  hasModelIndex: boolean;
}

async function checkExportLayout(src: string): Promise<ExportLayout> {
  const need = async (rel: string, what: string): Promise<void> => {
    const ok = await stat(join(src, rel)).then(
      () => true,
      () => false,
    );
    if (!ok) throw new PtpPackError('MISSING_COMPONENT', `export has no ${rel} (${what}); ${EXPORT_HINT}`, rel);
  };
  await need('text_encoder/model.onnx', 'text encoder');
  await need('unet/model.onnx', 'UNet');
  await need('vae_decoder/model.onnx', 'VAE decoder');
  await need('scheduler/scheduler_config.json', 'scheduler config');
  await need('tokenizer', 'tokenizer folder');
  const hasFile = (rel: string): Promise<boolean> =>
    stat(join(src, rel)).then(
      (s) => s.isFile(),
      () => false,
    );
  if (
    !(await hasFile('tokenizer/tokenizer.json')) &&
    !((await hasFile('tokenizer/vocab.json')) && (await hasFile('tokenizer/merges.txt')))
  ) {
    throw new PtpPackError(
      'MISSING_COMPONENT',
      `tokenizer/ has neither tokenizer.json nor vocab.json + merges.txt; ${EXPORT_HINT}`,
      'tokenizer',
    );
  }
  return { hasVaeEncoder: await hasFile('vae_encoder/model.onnx'), hasModelIndex: await hasFile('model_index.json') };
}

/** Files placed into the staging folder, each recorded (size and hash) as a source file of the pack. */
class StagedFiles {
  readonly sourceFiles: FileEntry[] = [];

  constructor(
    readonly src: string,
    readonly realSrc: string,
    readonly staging: string,
  ) {}

  async take(rel: string, to = rel): Promise<void> {
    const from = await realInside(join(this.src, rel), this.realSrc, rel);
    this.sourceFiles.push({ path: rel, size: (await stat(from)).size, sha256: await sha256File(from) });
    await placeFile(from, join(this.staging, to));
  }
}

/** Every component but the UNet, unchanged; their external data must stay inside the pack too. */
async function copyComponents(files: StagedFiles, layout: ExportLayout): Promise<void> {
  const { src, realSrc } = files;
  const components = [
    'text_encoder',
    'vae_decoder',
    ...(layout.hasVaeEncoder ? ['vae_encoder'] : []),
    'tokenizer',
    'scheduler',
  ];
  for (const dir of components) {
    const names = await listFiles(join(src, dir), realSrc, dir);
    if (names.includes('model.onnx')) {
      const model = decodeOnnxModel(await readFile(join(src, dir, 'model.onnx')), `${dir}/model.onnx`);
      await checkExternalData(model, join(realSrc, dir), realSrc);
    }
    for (const f of names) await files.take(`${dir}/${f}`);
  }
  if (layout.hasModelIndex) await files.take('model_index.json');
}

/** What the UNet step leaves for the manifest. */
interface ImportedUnet {
  patched: PatchedUnet;
  plainBytes: number;
  patchedBytes: number;
  /** External data files, relative to unet/. */
  dataFiles: string[];
  config: Record<string, unknown> | null;
  keepPlain: boolean;
  keepMax: number;
}

/** UNet: patch the graph, carry external data and side files over unchanged, keep the plain graph when small. */
async function importUnet(files: StagedFiles, options: ImportOptions): Promise<ImportedUnet> {
  const { realSrc, staging } = files;
  const unetDir = join(realSrc, 'unet');
  const plainBytes = await readFile(join(unetDir, 'model.onnx'));
  const model = decodeOnnxModel(plainBytes, 'unet/model.onnx');
  const dataFiles = await checkExternalData(model, unetDir, realSrc);
  const config = await readJson(join(unetDir, 'config.json'));
  const fuse = options.fuseUncontrolled ?? true;
  const patched = patchControllableUnet(model, {
    nominalLatentSize: numberOr(config?.sample_size, undefined),
    ...(options.selfMaxQueryLength === undefined ? {} : { selfMaxQueryLength: options.selfMaxQueryLength }),
    selfControlDivisor: options.selfControlDivisor ?? (fuse ? DEFAULT_SELF_CONTROL_DIVISOR : 1),
    fuseUncontrolled: fuse,
  });
  const patchedBytes = encodeOnnxModel(patched.model);
  for (const f of await listFiles(unetDir, realSrc, 'unet')) {
    if (f === 'model.onnx')
      files.sourceFiles.push({
        path: 'unet/model.onnx',
        size: plainBytes.byteLength,
        sha256: await sha256File(join(unetDir, f)),
      });
    else await files.take(`unet/${f}`);
  }
  await mkdir(join(staging, 'unet'), { recursive: true });
  await writeFile(join(staging, 'unet/model.onnx'), patchedBytes);
  await checkExternalData(decodeOnnxModel(patchedBytes), join(staging, 'unet'), staging);
  const keepMax = options.keepPlainMaxBytes ?? 64 * 1024 * 1024;
  const keepPlain = plainBytes.byteLength <= keepMax;
  if (keepPlain) await copyFile(join(unetDir, 'model.onnx'), join(staging, 'unet/plain.onnx'));
  return {
    patched,
    plainBytes: plainBytes.byteLength,
    patchedBytes: patchedBytes.byteLength,
    dataFiles,
    config,
    keepPlain,
    keepMax,
  };
}

async function packManifest(o: {
  src: string;
  name: string;
  layout: ExportLayout;
  unet: ImportedUnet;
  sourceFiles: FileEntry[];
}): Promise<PtpManifest> {
  const { patched, plainBytes, dataFiles, config, keepPlain, keepMax } = o.unet;
  return PtpManifestSchema.parse({
    manifestVersion: PTP_MANIFEST_VERSION,
    format: 'ptp-studio-pack',
    name: o.name,
    createdAt: new Date().toISOString(),
    unet: {
      model: 'unet/model.onnx',
      plain: keepPlain ? 'unet/plain.onnx' : null,
      plainNote: keepPlain
        ? `plain UNet kept (graph ${plainBytes} bytes${dataFiles.length ? '; shares the external data files' : ''})`
        : `plain UNet not kept: its model.onnx is ${plainBytes} bytes of inline weights (limit ${keepMax}); re-import from the export to get it back`,
      io: patched.io,
      opset: patched.opset,
      externalData: dataFiles.map((f) => `unet/${f}`),
    },
    tokenLength: patched.tokenLength ?? (await tokenLength(o.src)),
    latentChannels: patched.latentChannels ?? numberOr(config?.in_channels, 4),
    nominalLatentSize: patched.nominalLatentSize,
    layers: patched.layers,
    resolutionGroups: patched.resolutionGroups,
    controls: PTP_CONTROL_INPUTS,
    attentionOutputs: patched.attentionOutputs,
    components: {
      textEncoder: 'text_encoder/model.onnx',
      unet: 'unet/model.onnx',
      vaeDecoder: 'vae_decoder/model.onnx',
      vaeEncoder: o.layout.hasVaeEncoder ? 'vae_encoder/model.onnx' : null,
      tokenizer: 'tokenizer',
      scheduler: 'scheduler/scheduler_config.json',
      modelIndex: o.layout.hasModelIndex ? 'model_index.json' : null,
    },
    sourceFiles: o.sourceFiles.sort((a, b) => a.path.localeCompare(b.path)),
    patch: { ...patched.stats, modelBytesBefore: plainBytes, modelBytesAfter: o.unet.patchedBytes },
  });
}

async function assertEmptyTarget(dst: string): Promise<void> {
  const entries = await readdir(dst).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw new PtpPackError('PACK_DIR_NOT_EMPTY', `pack folder ${dst} exists and is not a folder`, dst);
  });
  if (entries.length > 0)
    throw new PtpPackError(
      'PACK_DIR_NOT_EMPTY',
      `pack folder ${dst} is not empty; choose a new folder or remove the old pack first`,
      dst,
    );
}

async function readJson(path: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function numberOr<T>(v: unknown, fallback: T): number | T {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback;
}

/** T from the tokenizer config (CLIP: 77) when the UNet's token axis is dynamic. */
async function tokenLength(src: string): Promise<number> {
  const cfg = await readJson(join(src, 'tokenizer/tokenizer_config.json'));
  const t = numberOr(cfg?.model_max_length, 77);
  return t <= 4096 ? t : 77;
}
