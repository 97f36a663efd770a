import { z } from 'zod';

/** 2: adds ptp_cross_keep. Packs of an older version must be re-imported. */
export const PTP_MANIFEST_VERSION = 2;
export const PTP_MANIFEST_FILE = 'ptp-manifest.json';

/** Names of the controllable UNet's extra inputs (stable contract; see README.md). */
export const PTP_CONTROL_INPUTS = {
  /** [E, T] per-edit per-token cross-attention injection weight. */
  crossAlpha: 'ptp_cross_alpha',
  /** [E, T, T] source-token -> edit-token mapper (identity = neutral). */
  crossMapper: 'ptp_cross_mapper',
  /** [E, T] reweight factors on the injected term (1 = neutral). */
  equalizer: 'ptp_equalizer',
  /** [E, T] weight of each edit's own cross probabilities (1 = neutral; 1 - alpha for replace). */
  crossKeep: 'ptp_cross_keep',
  /** [E, L_self] self-attention replace weight per self layer, manifest order. */
  selfAlpha: 'ptp_self_alpha',
  /** [E, L_cross] V-injection weight per cross layer, manifest order. */
  vBeta: 'ptp_v_beta',
} as const;

/** Output name of the head- and layer-averaged cross-attention maps of one resolution. */
export function attentionOutputName(grid: readonly [number, number]): string {
  return `ptp_attn_${grid[0]}x${grid[1]}`;
}

const Int = z.number().int();

export const ManifestLayerSchema = z.object({
  /** Name scope, e.g. `/down_blocks.1/attentions.0/transformer_blocks.0/attn2`. */
  id: z.string(),
  kind: z.enum(['self', 'cross']),
  /** Position among layers of the same kind: the column in ptp_self_alpha / ptp_v_beta. */
  index: Int.nonnegative(),
  /** Position among all layers (graph order: down, mid, up). */
  order: Int.nonnegative(),
  layout: z.enum(['folded', '4d']),
  /** False for self layers no control reaches (beyond the import's self limit): their alpha is ignored. */
  controlled: z.boolean(),
  /** Set when the layer runs as one fused attention node (com.microsoft MultiHeadAttention/Attention): its name. */
  fusedNode: z.string().optional(),
  /** Latent side / layer grid side (a power of two). */
  downsample: Int.positive(),
  /** Query length H*W at the nominal latent size. */
  queryLength: Int.positive(),
  /** Resolution group name, e.g. `16x16`. */
  group: z.string(),
  heads: Int.positive().nullable(),
  softmaxNode: z.string(),
  pvMatMulNode: z.string(),
  toVNode: z.string().nullable(),
});
export type ManifestLayer = z.infer<typeof ManifestLayerSchema>;

export const ResolutionGroupSchema = z.object({
  name: z.string(),
  /** `ptp_attn_<h>x<w>`: [N, H*W, T]; null when the resolution has no cross layer. */
  output: z.string().nullable(),
  downsample: Int.positive(),
  /** Grid [h, w] at the nominal latent size; at run time it is ceil(latent / downsample). */
  grid: z.tuple([Int.positive(), Int.positive()]),
  queryLength: Int.positive(),
  crossLayers: z.array(z.string()),
  selfLayers: z.array(z.string()),
});
export type ResolutionGroup = z.infer<typeof ResolutionGroupSchema>;

export const FileEntrySchema = z.object({
  /** Path relative to the folder it was read from (the export, or the pack). */
  path: z.string(),
  size: Int.nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type FileEntry = z.infer<typeof FileEntrySchema>;

export const PatchStatsSchema = z.object({
  nodesBefore: Int.nonnegative(),
  nodesAfter: Int.nonnegative(),
  opsAdded: z.record(z.string(), Int.nonnegative()),
  initializersAdded: Int.nonnegative(),
  /** Size of unet model.onnx before / after the patch (graph and inline tensors, not external data). */
  modelBytesBefore: Int.nonnegative(),
  modelBytesAfter: Int.nonnegative(),
  /** Fused attention nodes of the export expanded into the explicit, controllable form. */
  layersExpanded: Int.nonnegative().optional(),
  /** Uncontrolled layers left fused (kept from the export or fused by the import). */
  layersFused: Int.nonnegative().optional(),
});
export type PatchStats = z.infer<typeof PatchStatsSchema>;

export const UnetIoSchema = z.object({
  sample: z.string(),
  timestep: z.string(),
  encoderHiddenStates: z.string(),
  output: z.string(),
});
export type UnetIo = z.infer<typeof UnetIoSchema>;

export const PtpManifestSchema = z.object({
  manifestVersion: z.literal(PTP_MANIFEST_VERSION),
  format: z.literal('ptp-studio-pack'),
  name: z.string(),
  createdAt: z.string(),
  /** A caption the pack draws well; the editor starts new prompts with it. Optional (older packs). */
  samplePrompt: z.string().max(500).optional(),
  unet: z.object({
    /** The controllable UNet, relative to the pack. */
    model: z.string(),
    /** The unpatched UNet when kept, else null (see plainNote). */
    plain: z.string().nullable(),
    plainNote: z.string(),
    io: UnetIoSchema,
    opset: Int.nonnegative(),
    /** External data files of the UNet, relative to the pack (next to model.onnx). */
    externalData: z.array(z.string()),
  }),
  tokenLength: Int.positive(),
  latentChannels: Int.positive(),
  nominalLatentSize: z.tuple([Int.positive(), Int.positive()]),
  layers: z.array(ManifestLayerSchema),
  resolutionGroups: z.array(ResolutionGroupSchema),
  controls: z.object({
    crossAlpha: z.literal(PTP_CONTROL_INPUTS.crossAlpha),
    crossMapper: z.literal(PTP_CONTROL_INPUTS.crossMapper),
    equalizer: z.literal(PTP_CONTROL_INPUTS.equalizer),
    crossKeep: z.literal(PTP_CONTROL_INPUTS.crossKeep),
    selfAlpha: z.literal(PTP_CONTROL_INPUTS.selfAlpha),
    vBeta: z.literal(PTP_CONTROL_INPUTS.vBeta),
  }),
  attentionOutputs: z.array(z.string()),
  components: z.object({
    textEncoder: z.string(),
    unet: z.string(),
    vaeDecoder: z.string(),
    vaeEncoder: z.string().nullable(),
    tokenizer: z.string(),
    scheduler: z.string(),
    modelIndex: z.string().nullable(),
  }),
  /** Files of the export the pack was made from (paths relative to the export folder). */
  sourceFiles: z.array(FileEntrySchema),
  patch: PatchStatsSchema,
});
export type PtpManifest = z.infer<typeof PtpManifestSchema>;
