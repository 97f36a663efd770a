import { GraphBuilder } from './GraphBuilder.js';
import { PtpPackError } from './PtpPackError.js';
import { FUSED_ATTENTION_ADVICE, FUSED_OPS, scopeOf, type AttentionKind } from './findAttentionLayers.js';
import { int64ToNumber } from './onnxProto.js';
import type { AttributeProto, GraphProto, NodeProto } from './onnxProto.js';

export const MS_DOMAIN = 'com.microsoft';

/** One fused attention node (ORT contrib op) of a diffusers attention layer. */
export interface FusedAttention {
  /** Name scope, e.g. `/down_blocks.0/attentions.0/transformer_blocks.0/attn1`. */
  id: string;
  kind: AttentionKind;
  node: NodeProto;
  heads: number;
}

export function attr(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}

function intAttr(node: NodeProto, name: string, fallback: number): number {
  const a = attr(node, name);
  return a?.i === undefined || a.i === null ? fallback : int64ToNumber(a.i);
}

/** Inputs from `from` on that are set (non-empty names). */
function setInputsFrom(node: NodeProto, from: number): number[] {
  return (node.input ?? []).flatMap((name, i) => (i >= from && name ? [i] : []));
}

/**
 * Why a fused node cannot be expanded into the explicit form, or null when it can. Supported:
 * com.microsoft `MultiHeadAttention` (separate q/k/v, packed QKV in `query`, packed KV in `key`,
 * optional `bias`) and `Attention` (packed projection weights, optional bias); no masks, no
 * attention bias, no past state, not unidirectional. Those are what ORT's transformer optimizer
 * emits for SD UNets; anything else changes the maths the controls rely on.
 */
function unsupportedReason(node: NodeProto): string | null {
  const op = node.op_type ?? '';
  if (node.domain !== MS_DOMAIN) return `${node.domain || 'ai.onnx'}.${op} is not an ORT contrib op this import knows`;
  if (op !== 'MultiHeadAttention' && op !== 'Attention') return `${MS_DOMAIN}.${op} has no explicit expansion here`;
  if (intAttr(node, 'num_heads', 0) <= 0) return 'no num_heads attribute';
  if (intAttr(node, 'unidirectional', 0) !== 0) return 'unidirectional (causal) attention';
  if (intAttr(node, 'do_rotary', 0) !== 0) return 'rotary embeddings';
  const extra = setInputsFrom(node, op === 'Attention' ? 3 : 4);
  if (extra.length) return `mask / attention bias / past inputs (input ${extra.join(', ')})`;
  if (op === 'Attention' && !node.input?.[1]) return 'Attention without weights';
  if (op === 'MultiHeadAttention' && !node.input?.[1] && node.input?.[2]) return 'value without key';
  const sizes = attr(node, 'qkv_hidden_sizes')?.ints;
  if (sizes && sizes.length !== 3) return 'qkv_hidden_sizes with other than 3 entries';
  return null;
}

/**
 * Every fused attention node of the UNet, checked: each must sit under a diffusers attention scope
 * (`.../attn1/`, `.../attn2/`) and have a form `unfuseAttention` can expand, else FUSED_ATTENTION
 * says which node and why.
 */
export function findFusedAttention(nodes: readonly NodeProto[]): FusedAttention[] {
  const found: FusedAttention[] = [];
  const seen = new Set<string>();
  for (const node of nodes) {
    const op = node.op_type ?? '';
    if (!FUSED_OPS.has(op) || !(node.domain === MS_DOMAIN || !node.domain || node.domain === 'ai.onnx')) continue;
    const where = `${node.domain || 'ai.onnx'}.${op} '${node.name ?? ''}'`;
    const reason = unsupportedReason(node);
    if (reason)
      throw new PtpPackError(
        'FUSED_ATTENTION',
        `the UNet contains fused attention this import cannot expand (${where}: ${reason}). ${FUSED_ATTENTION_ADVICE}`,
      );
    const scope = scopeOf(node);
    if (!scope || seen.has(scope.id))
      throw new PtpPackError(
        'FUSED_ATTENTION',
        `fused attention ${where} is ${scope ? 'the second one' : 'not'} under an .../attn1/ or .../attn2/ name scope, so its layer cannot be told. ${FUSED_ATTENTION_ADVICE}`,
      );
    seen.add(scope.id);
    found.push({ id: scope.id, kind: scope.kind, node, heads: intAttr(node, 'num_heads', 0) });
  }
  return found;
}

/**
 * Replaces the given fused nodes by the explicit attention the patcher controls, in place:
 * head split to [B, heads, S, d], MatMul(q, k^T) -> Mul(scale) -> Softmax (named `<scope>/Softmax`)
 * -> MatMul(P, v) -> head merge, writing the fused node's output. V passes a node named
 * `<scope>/to_v/...` so cross layers get V injection. The arithmetic is the contrib kernels' (ORT
 * docs: softmax(q k^T * scale) v, scale default 1/sqrt(head size)); weights are never read, so
 * models with external data stay unloaded.
 */
export function unfuseAttention(graph: GraphProto, opset: number, layers: readonly FusedAttention[]): void {
  if (layers.length === 0) return;
  const b = new GraphBuilder(graph, opset);
  const expansions = new Map<NodeProto, NodeProto[]>();
  for (const layer of layers) {
    const sink: NodeProto[] = [];
    b.within(sink, () => expand(b, layer));
    expansions.set(layer.node, sink);
  }
  graph.node = (graph.node ?? []).flatMap((n) => expansions.get(n) ?? [n]);
  graph.initializer = [...(graph.initializer ?? []), ...b.newInitializers];
}

function expand(b: GraphBuilder, layer: FusedAttention): void {
  const { node, id, heads } = layer;
  const s = `${id}/ptp_unfused`;
  const inputs = node.input ?? [];
  let q: string;
  let k: string;
  let v: string;
  if (node.op_type === 'Attention') {
    const sizes = attr(node, 'qkv_hidden_sizes')?.ints?.map((x) => int64ToNumber(x));
    let qkv = b.op('MatMul', [inputs[0] ?? '', inputs[1] ?? ''], `${id}/to_qkv/MatMul`);
    if (inputs[2]) qkv = b.op('Add', [qkv, inputs[2]], `${id}/to_qkv/Add`);
    [q, k, v] = split(b, qkv, 2, 3, `${s}/QkvSplit`, sizes) as [string, string, string];
  } else if (!inputs[1]) {
    // Packed QKV [B, S, heads, 3, d].
    [q, k, v] = unpack(b, inputs[0] ?? '', 3, `${s}/PackedQkv`) as [string, string, string];
  } else if (!inputs[2]) {
    // Packed KV [B, L, heads, 2, d].
    q = inputs[0] ?? '';
    [k, v] = unpack(b, inputs[1], 2, `${s}/PackedKv`) as [string, string];
  } else [q, k, v] = [inputs[0] ?? '', inputs[1], inputs[2]];
  if (node.op_type === 'MultiHeadAttention' && inputs[3]) {
    const [bq, bk, bv] = split(b, inputs[3], 0, 3, `${s}/BiasSplit`) as [string, string, string];
    q = b.op('Add', [q, bq], `${s}/QBias`);
    k = b.op('Add', [k, bk], `${s}/KBias`);
    v = b.op('Add', [v, bv], `${id}/to_v/Add`);
  }
  // findToV looks for a node under <scope>/to_v/ on V's path; an Identity marks it when V came
  // from elsewhere (the packed projections, a split).
  if (!v.startsWith(`${id}/to_v/`)) v = b.op('Identity', [v], `${id}/to_v/Identity`);

  const heads4 = (x: string, perm: number[], tag: string): string =>
    b.op('Transpose', [b.op('Reshape', [x, b.int64([0, 0, heads, -1])], `${s}/${tag}Heads`)], `${s}/${tag}T`, { perm });
  const qh = heads4(q, [0, 2, 1, 3], 'Q');
  const kt = heads4(k, [0, 2, 3, 1], 'K');
  const vh = heads4(v, [0, 2, 1, 3], 'V');
  const scores = b.op('MatMul', [qh, kt], `${s}/QK`);
  const scaleAttr = attr(node, 'scale');
  // ORT: scale 0 or absent means 1/sqrt(head size); the head size is only known at run time.
  const scale =
    scaleAttr?.f !== undefined && scaleAttr.f !== 0
      ? b.float([scaleAttr.f])
      : b.op(
          'Reciprocal',
          [
            b.op(
              'Sqrt',
              [b.op('Cast', [b.slice(b.op('Shape', [qh], `${s}/QShape`), 3, 4, 0, `${s}/D`)], `${s}/DF`, { to: 1 })],
              `${s}/SqrtD`,
            ),
          ],
          `${s}/Scale`,
        );
  const probs = b.op('Softmax', [b.op('Mul', [scores, scale], `${s}/Scaled`)], `${id}/Softmax`, { axis: 3 });
  const out = b.op('Transpose', [b.op('MatMul', [probs, vh], `${s}/PV`)], `${s}/OutT`, { perm: [0, 2, 1, 3] });
  b.op('Reshape', [out, b.int64([0, 0, -1])], `${s}/Merge`, {}, node.output?.[0]);
}

/** Split along `axis` into `n` parts (equal, or `sizes`), across the opset changes of Split. */
function split(b: GraphBuilder, x: string, axis: number, n: number, base: string, sizes?: number[]): string[] {
  const inputs = [x];
  const attrs: Record<string, number | number[]> = { axis };
  if (sizes && b.opset >= 13) inputs.push(b.int64(sizes));
  else if (sizes) attrs.split = sizes;
  else if (b.opset >= 18) attrs.num_outputs = n;
  return b.opMulti('Split', inputs, base, n, attrs);
}

/** [B, S, heads, n, d] -> n tensors [B, S, heads*d]. */
function unpack(b: GraphBuilder, packed: string, n: number, base: string): string[] {
  return split(b, packed, 3, n, `${base}/Split`).map((part, k) =>
    b.op('Reshape', [b.squeeze(part, [3], `${base}/Squeeze${k}`), b.int64([0, 0, -1])], `${base}/Flat${k}`),
  );
}
