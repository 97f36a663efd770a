import { GraphBuilder } from './GraphBuilder.js';
import { GraphIndex } from './GraphIndex.js';
import { defaultOpsetVersion, graphOf } from './OnnxModel.js';
import { PtpPackError } from './PtpPackError.js';
import { isPatched, type AttentionKind } from './findAttentionLayers.js';
import { planAttentionLayers, type LayerSlot } from './planAttentionLayers.js';
import { DataType, int64ToNumber } from './onnxProto.js';
import type { GraphProto, ModelProto, NodeProto, TensorShapeDimension, ValueInfoProto } from './onnxProto.js';
import { PTP_CONTROL_INPUTS, attentionOutputName } from '@ptp/nodes/diffusion';
import type { ManifestLayer, PatchStats, ResolutionGroup, UnetIo } from '@ptp/nodes/diffusion';
import {
  ControlTensors,
  controlPvMatMul,
  groupAttentionMaps,
  layerHeads,
  materializeProbabilities,
  rewriteValues,
  sumHeads,
} from './rewriteAttention.js';
import type { GroupMaps, LayerRewrite, MapsCarry } from './rewriteAttention.js';

export interface PatchOptions {
  /** Latent size the group names refer to (e.g. 64 for SD 1.x at 512 px). Default: the static
   * size of `sample` if it has one, else 64. */
  nominalLatentSize?: number | readonly [number, number];
  /** Leave self layers whose query length (at the nominal size) exceeds this unpatched: their
   * ptp_self_alpha column is then ignored. Saves the largest probability tensors (SD's 64x64
   * layers) when no preset replaces self-attention there. Default: every self layer is patched. */
  selfMaxQueryLength?: number;
  /** Self layers are controllable only where latent side / layer side >= this: the smallest
   * `selfResolutionDivisor` a schedule can use on the pack. Default 1: every self layer. */
  selfControlDivisor?: number;
  /** Layers no control reaches run as com.microsoft MultiHeadAttention (the runtime's fused
   * kernels): fused export nodes are kept, explicit layers are fused. Default false: they stay as
   * exported, except fused ones, which are always expanded then. */
  fuseUncontrolled?: boolean;
}

export interface PatchedUnet {
  /** The same ModelProto object, rewritten in place. */
  model: ModelProto;
  io: UnetIo;
  opset: number;
  latentChannels: number | null;
  tokenLength: number | null;
  nominalLatentSize: [number, number];
  layers: ManifestLayer[];
  resolutionGroups: ResolutionGroup[];
  attentionOutputs: string[];
  stats: Omit<PatchStats, 'modelBytesBefore' | 'modelBytesAfter'>;
  /** Uncontrolled layers that stay explicit although fusion was asked for, with the reason. */
  notFused: Map<string, string>;
}

/**
 * Turns a diffusers UNet export (plain, or with com.microsoft fused attention) into the
 * controllable UNet (contract in README.md): adds the ptp_* control inputs, rewrites the
 * probabilities (and cross layers' V) of every layer a control reaches on the conditional half,
 * and adds one head/layer-averaged cross-attention output per resolution. All batch/edit/token/
 * query sizes stay dynamic. Rewrites `model` in place.
 */
export function patchControllableUnet(model: ModelProto, options: PatchOptions = {}): PatchedUnet {
  const graph = graphOf(model);
  if (isPatched(model))
    throw new PtpPackError(
      'ALREADY_PATCHED',
      'this UNet already has ptp_* inputs; import the plain export instead of a patched model',
    );
  const opset = defaultOpsetVersion(model);
  if (opset < 11)
    throw new PtpPackError(
      'UNSUPPORTED_OPSET',
      `UNet uses ONNX opset ${opset}; re-export it with opset 14 or newer (torch.onnx.export(..., opset_version=14))`,
    );
  const nodesBefore = graph.node?.length ?? 0;

  const io = detectIo(graph);
  const half = usesHalfPrecision(graph);
  if (half && opset < 15)
    throw new PtpPackError(
      'UNSUPPORTED_OPSET',
      `half-precision UNet with opset ${opset}: the patch needs CastLike (opset 15); re-export with opset >= 15 or in float32`,
    );
  const nominal = nominalSize(graph, io.sample, options.nominalLatentSize);
  const controlled = (kind: AttentionKind, level: number): boolean => {
    if (kind === 'cross') return true;
    const grid = gridAt(nominal, level);
    const max = options.selfMaxQueryLength;
    return (max === undefined || grid[0] * grid[1] <= max) && 2 ** level >= (options.selfControlDivisor ?? 1);
  };
  const plan = planAttentionLayers(model, {
    opset,
    half,
    controlled,
    fuseUncontrolled: options.fuseUncontrolled ?? false,
  });
  const layers = plan.slots;
  const missingV = layers.find((l) => l.kind === 'cross' && l.explicit && !l.explicit.vTensor);
  if (missingV)
    throw new PtpPackError(
      'MISSING_TO_V',
      `cross-attention layer ${missingV.id} has no ${missingV.id}/to_v/ node feeding its P·V MatMul; V injection needs it (re-export with diffusers module names)`,
    );

  const patcher = new UnetPatcher(graph, { opset, io, half, nominal, layers });
  layers.forEach((layer, order) => patcher.patchLayer(layer, order));
  const { groups, outputs } = patcher.addGroupOutputs();
  const nodes = patcher.finish(outputs);

  const opsAdded: Record<string, number> = {};
  for (const n of patcher.b.emitted) opsAdded[n.op_type ?? '?'] = (opsAdded[n.op_type ?? '?'] ?? 0) + 1;
  return {
    model,
    io,
    opset,
    nominalLatentSize: nominal,
    latentChannels: staticDim(graph, io.sample, 1),
    tokenLength: staticDim(graph, io.encoderHiddenStates, 1),
    layers: patcher.manifestLayers,
    resolutionGroups: groups,
    attentionOutputs: outputs.map((o) => o.name ?? ''),
    stats: {
      nodesBefore,
      nodesAfter: nodes.length,
      opsAdded,
      initializersAdded: patcher.b.newInitializers.length,
      layersExpanded: plan.expanded,
      layersFused: layers.filter((l) => l.fused).length,
    },
    notFused: plan.notFused,
  };
}

/** What the patcher knows of the UNet before it rewrites anything. */
interface PatchSetup {
  opset: number;
  io: UnetIo;
  half: boolean;
  nominal: [number, number];
  /** Every attention layer in graph order, with its level and whether a control reaches it. */
  layers: readonly LayerSlot[];
}

/**
 * The rewrite of one graph: new nodes go to the prelude (control tensors), right after the node
 * they follow, or to the tail (group outputs); `finish` splices them into the graph.
 */
class UnetPatcher {
  readonly b: GraphBuilder;
  readonly manifestLayers: ManifestLayer[] = [];
  private readonly prelude: NodeProto[] = [];
  private readonly tail: NodeProto[] = [];
  private readonly ctl: ControlTensors;
  private readonly index: GraphIndex;
  private readonly graphOutputs: Set<string>;
  /** P·V MatMuls an If took over. */
  private readonly removed = new Set<NodeProto>();
  private readonly position: Map<NodeProto, number>;
  /** New nodes by the position of the node they follow (-1: none). */
  private readonly after = new Map<number, NodeProto[]>();
  /** The running map sums of each resolution level's cross layers. */
  private readonly mapsByLevel = new Map<number, GroupMaps>();
  private readonly counts = { self: 0, cross: 0 };

  constructor(
    private readonly graph: GraphProto,
    private readonly setup: PatchSetup,
  ) {
    const { opset, io, layers } = setup;
    this.b = new GraphBuilder(graph, opset);
    for (const name of Object.values(PTP_CONTROL_INPUTS)) this.b.reserve(name);
    const selfLayers = layers.filter((l) => l.kind === 'self').length;
    this.ctl = new ControlTensors(this.b, {
      prelude: this.prelude,
      sample: io.sample,
      encoderHiddenStates: io.encoderHiddenStates,
      selfLayers,
      crossLayers: layers.length - selfLayers,
    });
    this.index = new GraphIndex(graph);
    this.graphOutputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
    this.position = new Map<NodeProto, number>((graph.node ?? []).map((n, i) => [n, i]));
  }

  /** Where nodes that must run right after `node` go. */
  private slotAfter(node: NodeProto): NodeProto[] {
    const i = this.position.get(node) ?? -1;
    const list = this.after.get(i) ?? [];
    this.after.set(i, list);
    return list;
  }

  patchLayer(slot: LayerSlot, order: number): void {
    const { b, ctl, setup } = this;
    const kindIndex = this.counts[slot.kind]++;
    const { level, controlled } = slot;
    const grid = gridAt(setup.nominal, level);
    const layer = slot.explicit;
    if (!layer) {
      // A fused layer: no control reaches it, so it only takes its column in the manifest.
      this.manifestLayers.push({
        ...manifestEntry(slot, kindIndex, order, grid, level),
        fusedNode: slot.fused?.name ?? '',
      });
      return;
    }
    // Fast path: the P·V MatMul reads the Softmax output directly and an If takes it over (with
    // the V injection too when the to_v output only feeds it); the probabilities themselves are
    // never rewritten. Anything else reading P (an exported tensor, a Cast before the MatMul) gets
    // the controlled probabilities materialised under P's name, behind an If of its own; likewise
    // V. Cross layers' If nodes carry their resolution group's map sums.
    const fast = layer.pvMatMul.input?.[0] === layer.probs;
    const injectV =
      layer.kind === 'cross' &&
      fast &&
      layer.toV !== null &&
      onlyFeeds(this.index, layer.vTensor ?? '', layer.pvMatMul, this.graphOutputs);
    const rewrite: LayerRewrite = { layer, kindIndex, ctl, half: setup.half };
    if (controlled) this.controlProbabilities(rewrite, level, fast, injectV);
    if (layer.kind === 'cross' && layer.toV && !injectV) {
      b.sink = this.slotAfter(layer.toV);
      rewriteValues(b, rewrite);
    }
    this.manifestLayers.push({
      ...manifestEntry(slot, kindIndex, order, grid, level),
      layout: layer.layout,
      softmaxNode: layer.softmax.name ?? '',
      pvMatMulNode: layer.pvMatMul.name ?? '',
      toVNode: layer.toV?.name ?? null,
    });
  }

  /** The If(s) that blend the layer's probabilities; a cross layer's also add to its group's map sums. */
  private controlProbabilities(rewrite: LayerRewrite, level: number, fast: boolean, injectV: boolean): void {
    const { b, ctl } = this;
    const { layer } = rewrite;
    const others =
      this.graphOutputs.has(layer.probs) || this.index.consumers(layer.probs).some((n) => n !== layer.pvMatMul);
    const previous = this.mapsByLevel.get(level);
    const carry: MapsCarry = layer.kind === 'cross' ? { previous } : null;
    let raw = layer.probs;
    let maps: string | null = null;
    if (!fast || others) {
      raw = b.unique(`${layer.probs}_ptp_raw`);
      layer.softmax.output = [raw, ...(layer.softmax.output ?? []).slice(1)];
      b.sink = this.slotAfter(layer.softmax);
      maps = materializeProbabilities(b, { ...rewrite, raw, carry: fast ? null : carry });
    }
    b.sink = this.slotAfter(layer.pvMatMul);
    if (fast) {
      maps = controlPvMatMul(b, { ...rewrite, probs: raw, carry, injectV });
      this.removed.add(layer.pvMatMul);
    }
    if (maps)
      this.mapsByLevel.set(level, {
        maps,
        heads: sumHeads(b, previous?.heads, layerHeads(b, layer, ctl), `${layer.id}/ptp_heads`),
      });
  }

  /** Group outputs: sum over layers and heads / total heads, after every layer of the group ran. */
  addGroupOutputs(): { groups: ResolutionGroup[]; outputs: ValueInfoProto[] } {
    const { b, ctl, setup } = this;
    b.sink = this.tail;
    const groups: ResolutionGroup[] = [];
    const outputs: ValueInfoProto[] = [];
    for (const level of [...new Set(setup.layers.map((l) => l.level))].sort((x, y) => x - y)) {
      const grid = gridAt(setup.nominal, level);
      const name = `${grid[0]}x${grid[1]}`;
      const sums = this.mapsByLevel.get(level);
      let output: string | null = null;
      if (sums) {
        output = attentionOutputName(grid);
        b.reserve(output);
        groupAttentionMaps(b, sums, ctl, name, output);
        outputs.push(
          valueInfo(output, [
            { dim_param: 'ptp_items' },
            { dim_param: `ptp_query_${name}` },
            { dim_param: 'ptp_tokens' },
          ]),
        );
      }
      const inGroup = this.manifestLayers.filter((l) => l.downsample === 2 ** level);
      groups.push({
        name,
        output,
        downsample: 2 ** level,
        grid,
        queryLength: grid[0] * grid[1],
        crossLayers: inGroup.filter((l) => l.kind === 'cross').map((l) => l.id),
        selfLayers: inGroup.filter((l) => l.kind === 'self').map((l) => l.id),
      });
    }
    return { groups, outputs };
  }

  /** Splices the new nodes in (dropping the MatMuls taken over) and adds the initializers, inputs and outputs. */
  finish(newOutputs: ValueInfoProto[]): NodeProto[] {
    const { graph, b } = this;
    const nodes: NodeProto[] = [...this.prelude];
    (graph.node ?? []).forEach((node, i) => {
      if (!this.removed.has(node)) nodes.push(node);
      nodes.push(...(this.after.get(i) ?? []));
    });
    nodes.push(...this.tail);
    graph.node = nodes;
    graph.initializer = [...(graph.initializer ?? []), ...b.newInitializers];
    graph.input = [...(graph.input ?? []), ...controlInputs(this.counts.self, this.counts.cross)];
    graph.output = [...(graph.output ?? []), ...newOutputs];
    return nodes;
  }
}

/** The manifest fields every layer has; explicit layers add their node names. */
function manifestEntry(
  slot: LayerSlot,
  index: number,
  order: number,
  grid: [number, number],
  level: number,
): ManifestLayer {
  return {
    id: slot.id,
    kind: slot.kind,
    index,
    order,
    layout: '4d',
    controlled: slot.controlled,
    downsample: 2 ** level,
    queryLength: grid[0] * grid[1],
    group: `${grid[0]}x${grid[1]}`,
    heads: slot.heads,
    softmaxNode: '',
    pvMatMulNode: '',
    toVNode: null,
  };
}

/** Ops that only move V's elements between the to_v output and the P·V MatMul (the head split). */
const V_MOVES = new Set(['Reshape', 'Transpose', 'Identity', 'Cast', 'Squeeze', 'Unsqueeze']);

/**
 * True when `tensor`'s values reach nothing but `target`, through a chain of V_MOVES ops (Shape
 * readers are fine: they read no values), and no tensor on the way is a graph output.
 */
function onlyFeeds(index: GraphIndex, tensor: string, target: NodeProto, graphOutputs: Set<string>): boolean {
  let t = tensor;
  for (let hop = 0; hop < 16 && t; hop++) {
    if (graphOutputs.has(t)) return false;
    const readers = index.consumers(t).filter((n) => n.op_type !== 'Shape');
    const next = readers[0];
    if (readers.length !== 1 || !next) return false;
    if (next === target) return next.input?.[1] === t && next.input?.[0] !== t;
    if (!V_MOVES.has(next.op_type ?? '') || next.input?.[0] !== t || (next.input ?? []).slice(1).includes(t))
      return false;
    t = next.output?.[0] ?? '';
  }
  return false;
}

function gridAt(nominal: readonly [number, number], level: number): [number, number] {
  // Stride-2 convs with padding 1 round up.
  return [Math.ceil(nominal[0] / 2 ** level), Math.ceil(nominal[1] / 2 ** level)];
}

function detectIo(graph: GraphProto): UnetIo {
  const inputs = graph.input ?? [];
  const rank = (v: ValueInfoProto): number => v.type?.tensor_type?.shape?.dim?.length ?? -1;
  const pick = (name: string, r: number): string | undefined =>
    (inputs.find((v) => v.name === name) ?? inputs.find((v) => rank(v) === r && !v.name?.startsWith('ptp_')))?.name;
  const sample = pick('sample', 4);
  const encoderHiddenStates = pick('encoder_hidden_states', 3);
  const timestep =
    inputs.find((v) => v.name === 'timestep')?.name ??
    inputs.find((v) => v.name !== sample && v.name !== encoderHiddenStates)?.name;
  const output = graph.output?.[0]?.name;
  if (!sample || !encoderHiddenStates || !timestep || !output) {
    throw new PtpPackError(
      'UNSUPPORTED_MODEL',
      `UNet inputs not recognised (found ${inputs.map((v) => v.name).join(', ')}); expected sample [B,C,H,W], timestep and encoder_hidden_states [B,T,D]`,
    );
  }
  return { sample, timestep, encoderHiddenStates, output };
}

function staticDim(graph: GraphProto, input: string, axis: number): number | null {
  const d = graph.input?.find((v) => v.name === input)?.type?.tensor_type?.shape?.dim?.[axis];
  const value = int64ToNumber(d?.dim_value);
  return d && !d.dim_param && value > 0 ? value : null;
}

function nominalSize(graph: GraphProto, sample: string, option: PatchOptions['nominalLatentSize']): [number, number] {
  if (typeof option === 'number') return [option, option];
  if (option) return [option[0], option[1]];
  const h = staticDim(graph, sample, 2);
  const w = staticDim(graph, sample, 3);
  return h && w ? [h, w] : [64, 64];
}

function usesHalfPrecision(graph: GraphProto): boolean {
  const half = (t: number | undefined): boolean => t === DataType.FLOAT16 || t === DataType.BFLOAT16;
  if ([...(graph.input ?? []), ...(graph.output ?? [])].some((v) => half(v.type?.tensor_type?.elem_type))) return true;
  if ((graph.initializer ?? []).some((t) => half(t.data_type))) return true;
  return (graph.node ?? []).some(
    (n) => n.op_type === 'Cast' && n.attribute?.some((a) => a.name === 'to' && half(int64ToNumber(a.i))),
  );
}

function valueInfo(name: string, dims: TensorShapeDimension[]): ValueInfoProto {
  return { name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: dims } } } };
}

function controlInputs(selfCount: number, crossCount: number): ValueInfoProto[] {
  const E = { dim_param: 'ptp_edits' };
  const T = { dim_param: 'ptp_tokens' };
  return [
    valueInfo(PTP_CONTROL_INPUTS.crossAlpha, [E, T]),
    valueInfo(PTP_CONTROL_INPUTS.crossMapper, [E, T, T]),
    valueInfo(PTP_CONTROL_INPUTS.equalizer, [E, T]),
    valueInfo(PTP_CONTROL_INPUTS.crossKeep, [E, T]),
    valueInfo(PTP_CONTROL_INPUTS.selfAlpha, [E, { dim_value: selfCount }]),
    valueInfo(PTP_CONTROL_INPUTS.vBeta, [E, { dim_value: crossCount }]),
  ];
}
