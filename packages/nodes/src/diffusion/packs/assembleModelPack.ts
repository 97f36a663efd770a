import type { ModelPack, ModelSession, PackInfo } from '../../runtime/InferenceBackend.js';
import { packSchedulers, type ParsedPack } from './parsePack.js';

// Model assembly shared by every backend (onnxruntime-node in the runner, onnxruntime-web in the
// editor): the backend parses the pack's files and creates sessions its own way; the ModelPack
// nodes receive is put together here, once.

/**
 * Creates (or returns the cached) session of one model file of the pack. `relativePath` is
 * pack-relative ('/'-separated); `externalData` lists the pack-relative external data files next
 * to it (the UNet's; empty for the other models).
 */
export type CreatePackSession = (relativePath: string, externalData: readonly string[]) => Promise<ModelSession>;

/** The image side the pack was made for (latent side times pixels per latent cell). */
export function packDefaultImageSize(files: ParsedPack): number {
  return files.manifest.nominalLatentSize[0] * files.vaeScale;
}

export function packInfo(id: string, files: ParsedPack): PackInfo {
  const { samplePrompt } = files.manifest;
  return {
    id,
    name: files.manifest.name,
    defaultImageSize: packDefaultImageSize(files),
    ...(samplePrompt ? { samplePrompt } : {}),
  };
}

/** `PackInfo` of each pack, in order; an unreadable pack is left out (loading it by id reports why). */
export async function listPackInfos(
  packs: readonly { id: string; parse(): Promise<ParsedPack> }[],
): Promise<PackInfo[]> {
  const out: PackInfo[] = [];
  for (const { id, parse } of packs) {
    try {
      out.push(packInfo(id, await parse()));
    } catch {
      // An unreadable pack is left out of the list; loading it by id reports why.
    }
  }
  return out;
}

/** A runtime-neutral `ModelPack` from a parsed pack, its sessions created through `createSession`. */
export async function assembleModelPack(
  id: string,
  files: ParsedPack,
  createSession: CreatePackSession,
): Promise<ModelPack> {
  const { manifest } = files;
  const [textEncoder, unet, vaeDecoder, vaeEncoder] = await Promise.all([
    createSession(manifest.components.textEncoder, []),
    createSession(manifest.unet.model, manifest.unet.externalData),
    createSession(manifest.components.vaeDecoder, []),
    manifest.components.vaeEncoder ? createSession(manifest.components.vaeEncoder, []) : Promise.resolve(undefined),
  ]);
  return {
    id,
    tokenizer: files.tokenizer,
    textEncoder,
    unet,
    vaeDecoder,
    ...(vaeEncoder ? { vaeEncoder } : {}),
    layout: manifest,
    vaeScalingFactor: files.vaeScalingFactor,
    vaeScale: files.vaeScale,
    defaultImageSize: packDefaultImageSize(files),
    ...packSchedulers(files.schedulerConfig),
  };
}
