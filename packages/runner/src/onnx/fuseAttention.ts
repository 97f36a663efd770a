import { GraphIndex } from './GraphIndex.js';
import type { AttentionLayer } from './findAttentionLayers.js';
import { MS_DOMAIN } from './fusedAttention.js';
import { AttributeType } from './onnxProto.js';
import type { GraphProto, ModelProto, NodeProto } from './onnxProto.js';

/** Ops between a projection (to_q / to_k) and the Q·K MatMul: head split, SDPA's sqrt-scale, casts. */
const QK_PATH_OPS = new Set(['Reshape', 'Transpose', 'Mul', 'Div', 'Cast', 'Identity', 'Squeeze', 'Unsqueeze']);
/** Ops between the P·V MatMul and to_out.0: the head merge. */
const MERGE_OPS = new Set(['Reshape', 'Transpose', 'Identity']);

/** What replacing one explicit layer by a fused node needs, found without changing the graph. */
interface FusePlan {
  q: string;
  k: string;
  v: string;
  /** The head-merged result to_out.0 reads; the fused node writes it. */
  out: string;
  /** Explicit scale when the export has it as a constant; undefined: the kernel's 1/sqrt(head size). */
  scale: number | undefined;
}

/**
 * Replaces explicit attention layers (no control reaches them) by com.microsoft
 * `MultiHeadAttention(q, k, v)` on the layer's own projections, so the runtime's fused kernels
 * (flash / memory-efficient attention on GPUs) run them without materialising [B, heads, Q, K].
 * Returns the fused nodes by layer id; a layer whose pattern is not recognised (head count or
 * scale unknown, another reader of P) stays explicit, with the reason in `skipped`.
 */
export function fuseAttentionLayers(
  model: ModelProto,
  layers: readonly AttentionLayer[],
): { fused: Map<string, NodeProto>; skipped: Map<string, string> } {
  const graph = model.graph ?? {};
  const fused = new Map<string, NodeProto>();
  const skipped = new Map<string, string>();
  for (const layer of layers) {
    const index = new GraphIndex(graph);
    const plan = planFusion(index, layer);
    if (typeof plan === 'string') {
      skipped.set(layer.id, plan);
      continue;
    }
    const node: NodeProto = {
      name: uniqueName(graph, `${layer.id}/ptp_fused/MultiHeadAttention`),
      op_type: 'MultiHeadAttention',
      domain: MS_DOMAIN,
      input: [plan.q, plan.k, plan.v],
      output: [plan.out],
      attribute: [
        { name: 'num_heads', type: AttributeType.INT, i: layer.heads ?? 0 },
        ...(plan.scale === undefined ? [] : [{ name: 'scale', type: AttributeType.FLOAT, f: plan.scale }]),
      ],
    };
    const dead = deadAfterReplacing(graph, index.producer(plan.out), node, layer.id);
    if (!dead.has(layer.softmax)) {
      skipped.set(layer.id, 'the probabilities have other readers');
      continue;
    }
    const producer = index.producer(plan.out);
    graph.node = (graph.node ?? []).flatMap((n) => (n === producer ? [node] : dead.has(n) ? [] : [n]));
    fused.set(layer.id, node);
  }
  if (fused.size && !(model.opset_import ?? []).some((o) => o.domain === MS_DOMAIN))
    model.opset_import = [...(model.opset_import ?? []), { domain: MS_DOMAIN, version: 1 }];
  return { fused, skipped };
}

function planFusion(index: GraphIndex, layer: AttentionLayer): FusePlan | string {
  if (!layer.heads) return 'head count not a constant of the export';
  if (!layer.vTensor) return `no ${layer.id}/to_v/ node`;
  const q = projection(index, layer.qkMatMul.input?.[0] ?? '', `${layer.id}/to_q/`);
  const k = projection(index, layer.qkMatMul.input?.[1] ?? '', `${layer.id}/to_k/`);
  if (!q || !k) return 'to_q / to_k projection not found';
  const scale = constantScale(index, layer);
  if (scale === null) return 'scale not recognised';
  let out = layer.pvMatMul.output?.[0] ?? '';
  for (let hop = 0; hop < 8; hop++) {
    // Shape readers only size the merge; they die with it (deadAfterReplacing checks).
    const readers = index.consumers(out).filter((n) => n.op_type !== 'Shape');
    const next = readers[0];
    if (readers.length !== 1 || !next || !MERGE_OPS.has(next.op_type ?? '') || next.input?.[0] !== out) break;
    out = next.output?.[0] ?? '';
  }
  if (!index.consumers(out).some((n) => (n.name ?? '').startsWith(`${layer.id}/to_out.0/`)))
    return 'head merge before to_out.0 not recognised';
  return { q, k, v: layer.vTensor, out, scale };
}

/** The output of the last node under `scope` (e.g. `<layer>/to_q/`) upstream of `tensor`. */
function projection(index: GraphIndex, tensor: string, scope: string): string | null {
  let t = tensor;
  for (let hop = 0; hop < 8; hop++) {
    const node = index.producer(t);
    if (!node) return null;
    if ((node.name ?? '').startsWith(scope)) return t;
    if (!QK_PATH_OPS.has(node.op_type ?? '')) return null;
    // Follow the data input, not a scale operand (SDPA multiplies q and k by sqrt(scale)).
    const data = (node.input ?? []).find((i) => i && !index.isConstant(i) && !isScaleTensor(index, i));
    if (!data) return null;
    t = data;
  }
  return null;
}

/** SDPA's sqrt(scale): the output of a Sqrt (possibly behind a Cast/Reciprocal/Div). */
function isScaleTensor(index: GraphIndex, tensor: string): boolean {
  let node = index.producer(tensor);
  for (let hop = 0; hop < 3 && node; hop++) {
    if (node.op_type === 'Sqrt') return true;
    if (!['Cast', 'Reciprocal', 'Div'].includes(node.op_type ?? '')) return false;
    node = index.producer(node.input?.[node.op_type === 'Div' ? 1 : 0] ?? '');
  }
  return false;
}

/**
 * The layer's softmax scale: a constant Mul/Div between Q·K and the Softmax (folded exports), or
 * undefined when the scale is SDPA's in-graph 1/sqrt(d) on q and k (the kernel's default); null
 * when it is neither.
 */
function constantScale(index: GraphIndex, layer: AttentionLayer): number | undefined | null {
  let scale = 1;
  let constant = false;
  let t = layer.softmax.input?.[0] ?? '';
  for (let hop = 0; hop < 6; hop++) {
    const node = index.producer(t);
    if (!node || node === layer.qkMatMul) break;
    const [a = '', c = ''] = node.input ?? [];
    const value = index.constFloat(c) ?? (node.op_type === 'Mul' ? index.constFloat(a) : null);
    if ((node.op_type === 'Mul' || node.op_type === 'Div') && value !== null) {
      scale = node.op_type === 'Mul' ? scale * value : scale / value;
      constant = true;
      t = index.constFloat(c) !== null ? a : c;
    } else if (node.op_type === 'Cast' || node.op_type === 'Identity') t = a;
    else return null;
  }
  if (constant) return scale;
  const sqrtScaled = (input: string): boolean => {
    let node = index.producer(input);
    for (let hop = 0; hop < 3 && node; hop++) {
      if ((node.op_type === 'Mul' || node.op_type === 'Div') && (node.input ?? []).some((i) => isScaleTensor(index, i)))
        return true;
      node = index.producer(node.input?.[0] ?? '');
    }
    return false;
  };
  return sqrtScaled(layer.qkMatMul.input?.[0] ?? '') && sqrtScaled(layer.qkMatMul.input?.[1] ?? '') ? undefined : null;
}

/**
 * Nodes under the layer's scope that nothing reads once `replaced` (the head merge's last node)
 * is swapped for the fused node: the explicit attention, found by reference counting. Readers
 * inside subgraphs (If/Loop bodies) count, so nothing a branch needs is dropped.
 */
function deadAfterReplacing(
  graph: GraphProto,
  replaced: NodeProto | undefined,
  fusedNode: NodeProto,
  scope: string,
): Set<NodeProto> {
  const dead = new Set<NodeProto>();
  if (!replaced) return dead;
  const readers = new Map<string, number>();
  const read = (name: string | undefined, d: number) => name && readers.set(name, (readers.get(name) ?? 0) + d);
  const visit = (nodes: readonly NodeProto[], d: number) => {
    for (const n of nodes) {
      for (const i of n.input ?? []) read(i, d);
      for (const a of n.attribute ?? []) {
        if (a.g) visit(a.g.node ?? [], d);
        for (const g of a.graphs ?? []) visit(g.node ?? [], d);
      }
    }
  };
  visit(graph.node ?? [], 1);
  for (const o of graph.output ?? []) read(o.name, 1);
  // The fused node reads q, k, v; the replaced node's own inputs are released.
  visit([fusedNode], 1);
  visit([replaced], -1);
  dead.add(replaced);
  const nodes = (graph.node ?? []).filter((n) => (n.name ?? '').startsWith(`${scope}/`) && n !== replaced);
  for (let changed = true; changed;) {
    changed = false;
    for (const n of nodes) {
      if (dead.has(n) || (n.output ?? []).some((o) => o && (readers.get(o) ?? 0) > 0)) continue;
      dead.add(n);
      visit([n], -1);
      changed = true;
    }
  }
  return dead;
}

function uniqueName(graph: GraphProto, base: string): string {
  const used = new Set((graph.node ?? []).map((n) => n.name));
  let name = base;
  for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
  return name;
}
