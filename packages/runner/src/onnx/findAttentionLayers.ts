import { GraphIndex } from './GraphIndex.js';
import { graphOf } from './OnnxModel.js';
import { PtpPackError } from './PtpPackError.js';
import type { ModelProto, NodeProto } from './onnxProto.js';

export type AttentionKind = 'self' | 'cross';
/** folded: probabilities [B*heads, Q, K] (batch-major, index b*heads+h); 4d: [B, heads, Q, K]. */
export type AttentionLayout = 'folded' | '4d';

export interface AttentionLayer {
  /** Name scope of the layer, e.g. `/down_blocks.1/attentions.0/transformer_blocks.0/attn2`. */
  id: string;
  kind: AttentionKind;
  layout: AttentionLayout;
  softmax: NodeProto;
  /** MatMul(Q, K^T) before the scale and the Softmax. */
  qkMatMul: NodeProto;
  /** Output tensor of the Softmax (the attention probabilities). */
  probs: string;
  /** MatMul(P, V). */
  pvMatMul: NodeProto;
  /** Node whose output is V before the head split ([B, K, C]); null when the export has none. */
  toV: NodeProto | null;
  /** Output tensor of `toV`. */
  vTensor: string | null;
  /** Head count when the head-split reshape has it as a constant. */
  heads: number | null;
}

/** ORT contrib ops (and ONNX's own Attention) that compute attention without a visible Softmax. */
export const FUSED_OPS = new Set([
  'Attention',
  'MultiHeadAttention',
  'PackedAttention',
  'PackedMultiHeadAttention',
  'GroupQueryAttention',
  'DecoderMaskedMultiHeadAttention',
  'DecoderMaskedSelfAttention',
  'DecoderAttention',
  'LongformerAttention',
  'QAttention',
  'QOrderedAttention',
  'SparseAttention',
  'PagedAttention',
]);

const SCALE_OPS = new Set(['Mul', 'Div', 'Add', 'Sub', 'Cast', 'Identity', 'Where']);
const PASS_OPS = new Set(['Cast', 'Identity', 'Dropout']);
const V_PATH_OPS = new Set(['Reshape', 'Transpose', 'Identity', 'Cast', 'Squeeze', 'Unsqueeze', 'Contiguous']);

export const FUSED_ATTENTION_ADVICE =
  'Fused attention kernels hide the attention probabilities, so Prompt-to-Prompt controls cannot be inserted. ' +
  "Re-export the UNet without ORT's transformer optimizer / attention fusion: e.g. plain `torch.onnx.export`, or " +
  '`optimum-cli export onnx` without `--optimize` (and do not run onnxruntime.transformers.optimizer or ' +
  'optimize_pipeline on it), then import that export.';

export interface FindOptions {
  /** Fused attention nodes the caller keeps on purpose (uncontrolled layers); any other fused node is refused. */
  keptFused?: ReadonlySet<NodeProto>;
}

/**
 * Finds every explicit attention layer of a diffusers-style UNet export by name scope
 * (`.../attn1/` self, `.../attn2/` cross) and op pattern (MatMul -> scale -> Softmax -> MatMul).
 * Layers come in graph order (down, mid, up), which is the manifest order. Refuses fused attention
 * other than `keptFused` (patchControllableUnet expands what it can first).
 */
export function findAttentionLayers(model: ModelProto, options: FindOptions = {}): AttentionLayer[] {
  const graph = graphOf(model);
  const index = new GraphIndex(graph);
  refuseFusedAttention(index.nodes.filter((n) => !options.keptFused?.has(n)));

  const layers: AttentionLayer[] = [];
  const seen = new Set<string>();
  for (const node of index.nodes) {
    if (node.op_type !== 'Softmax' || (node.domain && node.domain !== 'ai.onnx')) continue;
    const probs = node.output?.[0];
    if (!probs) continue;
    const pv = findPvMatMul(index, probs);
    const qk = findUpstream(index, node.input?.[0] ?? '', (n) => n.op_type === 'MatMul', SCALE_OPS, 6);
    const scope = scopeOf(node);
    if (!pv || !qk) {
      if (scope)
        throw new PtpPackError(
          'UNRECOGNIZED_ATTENTION',
          `Softmax '${node.name}' in ${scope} is not between a Q·K MatMul and a P·V MatMul; this export's attention pattern is not supported (expected MatMul -> Mul(scale) -> Softmax -> MatMul)`,
        );
      continue; // a softmax that is not attention (none in SD UNets, but harmless)
    }
    if (!scope) {
      throw new PtpPackError(
        'UNRECOGNIZED_ATTENTION',
        `attention Softmax '${node.name ?? probs}' is not under an .../attn1/ or .../attn2/ name scope; re-export the UNet with torch.onnx.export from the diffusers module so node names keep their module scopes`,
      );
    }
    if (seen.has(scope.id))
      throw new PtpPackError(
        'UNRECOGNIZED_ATTENTION',
        `two attention Softmax nodes under ${scope.id}; cannot tell which one carries the probabilities`,
      );
    seen.add(scope.id);

    const layout = detectLayout(index, qk, pv);
    const v = findToV(index, pv, scope.id);
    layers.push({
      id: scope.id,
      kind: scope.kind,
      layout,
      softmax: node,
      qkMatMul: qk,
      probs,
      pvMatMul: pv,
      toV: v?.node ?? null,
      vTensor: v?.tensor ?? null,
      heads: v ? headsFromSplit(index, v.tensor) : null,
    });
  }
  if (layers.length === 0 && !options.keptFused?.size) {
    throw new PtpPackError(
      'NO_ATTENTION_LAYERS',
      'no attention layers found (no Softmax between MatMuls under .../attn1/ or .../attn2/); is this a UNet export from diffusers?',
    );
  }
  return layers;
}

function refuseFusedAttention(nodes: NodeProto[]): void {
  const fused = nodes.filter(
    (n) => FUSED_OPS.has(n.op_type ?? '') && (n.domain === 'com.microsoft' || !n.domain || n.domain === 'ai.onnx'),
  );
  const first = fused[0];
  if (!first) return;
  const domain = first.domain || 'ai.onnx';
  throw new PtpPackError(
    'FUSED_ATTENTION',
    `the UNet contains fused attention (${fused.length} node(s), e.g. ${domain}.${first.op_type} '${first.name ?? ''}'). ${FUSED_ATTENTION_ADVICE}`,
  );
}

export function scopeOf(node: NodeProto): { id: string; kind: AttentionKind } | null {
  for (const name of [node.name ?? '', node.output?.[0] ?? '']) {
    const m = /^(.*\/attn([12]))\//.exec(name);
    if (m?.[1]) return { id: m[1], kind: m[2] === '1' ? 'self' : 'cross' };
  }
  return null;
}

/** Depth-first search upstream through `through` ops (non-constant inputs only). */
function findUpstream(
  index: GraphIndex,
  tensor: string,
  match: (n: NodeProto) => boolean,
  through: Set<string>,
  depth: number,
): NodeProto | null {
  const node = index.producer(tensor);
  if (!node) return null;
  if (match(node)) return node;
  if (depth <= 0 || !through.has(node.op_type ?? '')) return null;
  for (const inp of node.input ?? []) {
    if (!inp || index.isConstant(inp)) continue;
    const found = findUpstream(index, inp, match, through, depth - 1);
    if (found) return found;
  }
  return null;
}

function findPvMatMul(index: GraphIndex, probs: string): NodeProto | null {
  let tensors = [probs];
  for (let hop = 0; hop < 3; hop++) {
    const next: string[] = [];
    for (const t of tensors) {
      for (const c of index.consumers(t)) {
        if (c.op_type === 'MatMul' && c.input?.[0] === t) return c;
        if (PASS_OPS.has(c.op_type ?? '') && c.output?.[0]) next.push(c.output[0]);
      }
    }
    tensors = next;
  }
  return null;
}

function detectLayout(index: GraphIndex, qk: NodeProto, pv: NodeProto): AttentionLayout {
  // K^T: Transpose perm [0,2,1] (heads folded) or [0,1,3,2] (4-D SDPA), maybe behind a sqrt-scale Mul.
  const kT = findUpstream(index, qk.input?.[1] ?? '', (n) => n.op_type === 'Transpose', SCALE_OPS, 3);
  const perm = kT?.attribute?.find((a) => a.name === 'perm')?.ints;
  if (perm?.length === 3) return 'folded';
  if (perm?.length === 4) return '4d';
  // Fallback: the op just before P·V's V input (Reshape after the head transpose folds heads).
  const vOp = index.producer(pv.input?.[1] ?? '');
  const vPerm = vOp?.attribute?.find((a) => a.name === 'perm')?.ints;
  if (vOp?.op_type === 'Reshape') return 'folded';
  if (vOp?.op_type === 'Transpose' && vPerm?.length === 4) return '4d';
  throw new PtpPackError(
    'UNRECOGNIZED_ATTENTION',
    `cannot tell the head layout of attention MatMul '${qk.name ?? ''}' (no K transpose found)`,
  );
}

function findToV(index: GraphIndex, pv: NodeProto, scope: string): { node: NodeProto; tensor: string } | null {
  let tensor = pv.input?.[1] ?? '';
  for (let hop = 0; hop < 12; hop++) {
    const node = index.producer(tensor);
    if (!node) return null;
    if ((node.name ?? '').startsWith(`${scope}/to_v/`))
      return node.output?.[0] ? { node, tensor: node.output[0] } : null;
    if (!V_PATH_OPS.has(node.op_type ?? '')) return null;
    tensor = node.input?.[0] ?? '';
  }
  return null;
}

/** Heads from the constant in V's head-split Reshape target [B, K, heads, d], when present. */
function headsFromSplit(index: GraphIndex, vTensor: string): number | null {
  const reshape = index.consumers(vTensor).find((n) => n.op_type === 'Reshape');
  const shapeName = reshape?.input?.[1];
  if (!shapeName) return null;
  const direct = index.constInts(shapeName);
  if (direct) return direct.length === 4 && (direct[2] ?? 0) > 0 ? (direct[2] ?? null) : null;
  const concat = index.producer(shapeName);
  if (concat?.op_type !== 'Concat' || concat.input?.length !== 4) return null;
  const part = index.constInts(concat.input[2] ?? '');
  return part?.length === 1 && (part[0] ?? 0) > 0 ? (part[0] ?? null) : null;
}

/** True when a graph was already patched (it has the PtP control inputs). */
export function isPatched(model: ModelProto): boolean {
  return (graphOf(model).input ?? []).some((v) => v.name?.startsWith('ptp_'));
}
