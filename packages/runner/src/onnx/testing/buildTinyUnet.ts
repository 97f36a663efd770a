import { AttributeType, DataType } from '../onnxProto.js';
import type { AttributeProto, ModelProto, NodeProto, TensorProto, ValueInfoProto } from '../onnxProto.js';
import { toHalfBits } from '../../backends/halfFloat.js';
import { seededRandom } from './unetTestKit.js';

export interface TinyUnetOptions {
  /** folded: torch 1.x [B*heads, Q, K]; 4d: torch 2 SDPA decomposition [B, heads, Q, K]. */
  layout: 'folded' | '4d';
  opset?: number;
  heads?: number;
  /** Text embedding width D and token count are dynamic; C = heads * 4. */
  textDim?: number;
  /** Also expose each layer's probabilities and the cross layer's to_v output as graph outputs. */
  exposeInternals?: boolean;
  /** Also expose each layer's P·V MatMul output (nothing else reads P or V then: the patcher's fast path). */
  exposeAttentionOutputs?: boolean;
  /** Replace the self-attention by a fused com.microsoft MultiHeadAttention node. */
  fused?: boolean;
  /** Block scope prefix, default `/down_blocks.0/attentions.0/transformer_blocks.0`. */
  scope?: string;
  /** float16 inputs, weights and output (as `optimum-cli export --fp16`). */
  half?: boolean;
}

export interface TinyUnet {
  model: ModelProto;
  /** Exposed tensor names (when exposeInternals). */
  selfProbs: string;
  crossProbs: string;
  crossV: string;
  /** P·V MatMul outputs (exposed when exposeAttentionOutputs). */
  selfOut: string;
  crossOut: string;
}

/** Per-head width of the tiny block's attention. */
const D = 4;

/** Nodes and initializers of the tiny graph; weights drawn from one seeded stream, in call order. */
class TinyGraph {
  readonly nodes: NodeProto[] = [];
  readonly inits: TensorProto[] = [];
  private counter = 0;
  private readonly rand = seededRandom(42);

  constructor(private readonly half: boolean) {}

  op(type: string, inputs: string[], name: string, attrs: AttributeProto[] = [], domain?: string): string {
    const out = `${name}_output_0`;
    this.nodes.push({
      name,
      op_type: type,
      input: inputs,
      output: [out],
      attribute: attrs,
      ...(domain ? { domain } : {}),
    });
    return out;
  }

  i64(v: number[]): string {
    const raw = new Uint8Array(v.length * 8);
    const view = new DataView(raw.buffer);
    v.forEach((x, k) => view.setBigInt64(k * 8, BigInt(x), true));
    const name = `const_i64_${this.counter++}`;
    this.inits.push({ name, dims: [v.length], data_type: DataType.INT64, raw_data: raw });
    return name;
  }

  f32(dims: number[], values?: number[]): string {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: n }, (_, k) => values?.[k] ?? (this.rand() * 2 - 1) * 0.8);
    const name = `weight_${this.counter++}`;
    const raw = this.half ? new Uint8Array(toHalfBits(data).buffer) : new Uint8Array(data.buffer);
    this.inits.push({ name, dims, data_type: this.half ? DataType.FLOAT16 : DataType.FLOAT, raw_data: raw });
    return name;
  }
}

const ints = (name: string, v: number[]): AttributeProto => ({ name, type: AttributeType.INTS, ints: v });
const int = (name: string, v: number): AttributeProto => ({ name, type: AttributeType.INT, i: v });

/** The attention layers of the block, and the tensors each one exposes. */
interface AttentionBlock {
  g: TinyGraph;
  scope: string;
  heads: number;
  layout: TinyUnetOptions['layout'];
  probsOf: Record<string, string>;
  outOf: Record<string, string>;
  crossV: string;
}

/**
 * Builds a tiny diffusers-shaped attention block as a ModelProto: sample [B,4,H,W] -> tokens ->
 * self attention (attn1) -> cross attention (attn2, K/V from encoder_hidden_states) -> out_sample.
 * Exercises the patcher's pattern matching on both head layouts without a real export.
 */
export function buildTinyUnet(opts: TinyUnetOptions): TinyUnet {
  const heads = opts.heads ?? 2;
  const textDim = opts.textDim ?? 6;
  const scope = opts.scope ?? '/down_blocks.0/attentions.0/transformer_blocks.0';
  const g = new TinyGraph(Boolean(opts.half));
  const block: AttentionBlock = { g, scope, heads, layout: opts.layout, probsOf: {}, outOf: {}, crossV: '' };

  // sample [B,4,H,W] -> tokens [B, HW, 4], plus a timestep-dependent shift so every input is used.
  const flat = g.op('Reshape', ['sample', g.i64([0, 4, -1])], '/conv_in/Reshape');
  const shifted = g.op(
    'Add',
    [flat, g.op('Mul', ['timestep', g.f32([], [0.001])], '/time_proj/Mul')],
    '/time_proj/Add',
  );
  const x = g.op('Transpose', [shifted], '/conv_in/Transpose', [ints('perm', [0, 2, 1])]);

  const h1 = opts.fused
    ? fusedSelfAttention(g, x, scope, heads)
    : g.op('Add', [x, attention(block, 'attn1', x, x, 4, 4)], `${scope}/Add`);
  const h2 = g.op('Add', [h1, attention(block, 'attn2', h1, 'encoder_hidden_states', 4, textDim)], `${scope}/Add_1`);
  const back = g.op('Transpose', [h2], '/conv_out/Transpose', [ints('perm', [0, 2, 1])]);
  g.nodes.push({
    name: '/conv_out/Reshape',
    op_type: 'Reshape',
    input: [back, g.op('Shape', ['sample'], '/conv_out/Shape')],
    output: ['out_sample'],
  });

  const { probsOf, outOf, crossV } = block;
  return {
    model: tinyModel(g, opts, textDim, block),
    selfProbs: probsOf.attn1 ?? '',
    crossProbs: probsOf.attn2 ?? '',
    crossV,
    selfOut: outOf.attn1 ?? '',
    crossOut: outOf.attn2 ?? '',
  };
}

/** One attention layer (to_q/k/v, scores, Softmax, P·V, to_out) in the block's head layout. */
function attention(
  block: AttentionBlock,
  name: 'attn1' | 'attn2',
  hidden: string,
  context: string,
  inDim: number,
  ctxDim: number,
): string {
  const { g, heads } = block;
  const c = heads * D;
  const s = `${block.scope}/${name}`;
  const q = g.op('MatMul', [hidden, g.f32([inDim, c])], `${s}/to_q/MatMul`);
  const k = g.op('MatMul', [context, g.f32([ctxDim, c])], `${s}/to_k/MatMul`);
  const v = g.op('MatMul', [context, g.f32([ctxDim, c])], `${s}/to_v/MatMul`);
  if (name === 'attn2') block.crossV = v;
  const split = (t: string, tag: string): string =>
    g.op(
      'Transpose',
      [g.op('Reshape', [t, g.i64([0, -1, heads, D])], `${s}/Reshape_${tag}`)],
      `${s}/Transpose_${tag}`,
      [ints('perm', [0, 2, 1, 3])],
    );
  const attnOut =
    block.layout === '4d'
      ? attention4d(block, name, s, { q, k, v, split })
      : attentionFolded(block, name, s, hidden, { q, k, v, split });
  return g.op('MatMul', [attnOut, g.f32([c, inDim])], `${s}/to_out.0/MatMul`);
}

interface Projections {
  q: string;
  k: string;
  v: string;
  /** [B, len, C] -> [B, heads, len, D]. */
  split(t: string, tag: string): string;
}

/** torch 2 SDPA decomposition: [B, heads, Q, K] probabilities, scale split between Q and K. */
function attention4d(block: AttentionBlock, name: string, s: string, { q, k, v, split }: Projections): string {
  const { g } = block;
  const c = block.heads * D;
  const sqrtScale = g.f32([], [Math.sqrt(1 / Math.sqrt(D))]);
  const qs = g.op('Mul', [split(q, 'q'), sqrtScale], `${s}/Mul`);
  const kt = g.op(
    'Mul',
    [g.op('Transpose', [split(k, 'k')], `${s}/Transpose_kt`, [ints('perm', [0, 1, 3, 2])]), sqrtScale],
    `${s}/Mul_1`,
  );
  const p = g.op('Softmax', [g.op('MatMul', [qs, kt], `${s}/MatMul`)], `${s}/Softmax`, [int('axis', -1)]);
  block.probsOf[name] = p;
  const o4 = g.op('MatMul', [p, split(v, 'v')], `${s}/MatMul_1`);
  block.outOf[name] = o4;
  return g.op(
    'Reshape',
    [g.op('Transpose', [o4], `${s}/Transpose_o`, [ints('perm', [0, 2, 1, 3])]), g.i64([0, -1, c])],
    `${s}/Reshape_o`,
  );
}

/** Heads folded into the batch like diffusers 0.x head_to_batch_dim: [B*heads, len, d]. */
function attentionFolded(
  block: AttentionBlock,
  name: string,
  s: string,
  hidden: string,
  { q, k, v, split }: Projections,
): string {
  const { g, heads } = block;
  const c = heads * D;
  const fold = (t: string, tag: string): string => {
    const len = g.op(
      'Slice',
      [g.op('Shape', [t], `${s}/Shape_${tag}`), g.i64([1]), g.i64([2]), g.i64([0])],
      `${s}/Slice_${tag}`,
    );
    const shape = g.op('Concat', [g.i64([-1]), len, g.i64([D])], `${s}/Concat_${tag}`, [int('axis', 0)]);
    return g.op('Reshape', [split(t, tag), shape], `${s}/Reshape_f${tag}`);
  };
  const kt = g.op('Transpose', [fold(k, 'k')], `${s}/Transpose_kt`, [ints('perm', [0, 2, 1])]);
  const scores = g.op(
    'Mul',
    [g.op('MatMul', [fold(q, 'q'), kt], `${s}/MatMul`), g.f32([], [1 / Math.sqrt(D)])],
    `${s}/Mul`,
  );
  const p = g.op('Softmax', [scores], `${s}/Softmax`, [int('axis', -1)]);
  block.probsOf[name] = p;
  const o3 = g.op('MatMul', [p, fold(v, 'v')], `${s}/MatMul_1`);
  block.outOf[name] = o3;
  const qLen = g.op(
    'Slice',
    [g.op('Shape', [hidden], `${s}/Shape_h`), g.i64([1]), g.i64([2]), g.i64([0])],
    `${s}/Slice_h`,
  );
  const unfold = g.op('Concat', [g.i64([-1, heads]), qLen, g.i64([D])], `${s}/Concat_o`, [int('axis', 0)]);
  const o4 = g.op('Transpose', [g.op('Reshape', [o3, unfold], `${s}/Reshape_o4`)], `${s}/Transpose_o`, [
    ints('perm', [0, 2, 1, 3]),
  ]);
  return g.op('Reshape', [o4, g.i64([0, -1, c])], `${s}/Reshape_o`);
}

/** The self attention as one fused com.microsoft MultiHeadAttention node, plus the residual. */
function fusedSelfAttention(g: TinyGraph, x: string, scope: string, heads: number): string {
  const c = heads * D;
  const s = `${scope}/attn1`;
  const q = g.op('MatMul', [x, g.f32([4, c])], `${s}/to_q/MatMul`);
  const k = g.op('MatMul', [x, g.f32([4, c])], `${s}/to_k/MatMul`);
  const v = g.op('MatMul', [x, g.f32([4, c])], `${s}/to_v/MatMul`);
  const mha = g.op(
    'MultiHeadAttention',
    [q, k, v],
    `${s}/MultiHeadAttention`,
    [int('num_heads', heads)],
    'com.microsoft',
  );
  return g.op('Add', [x, g.op('MatMul', [mha, g.f32([c, 4])], `${s}/to_out.0/MatMul`)], `${scope}/Add`);
}

/** The ModelProto: the graph's inputs, out_sample and the exposed internals as outputs, the opsets. */
function tinyModel(
  g: TinyGraph,
  opts: TinyUnetOptions,
  textDim: number,
  { probsOf, outOf, crossV }: AttentionBlock,
): ModelProto {
  const tensor = (name: string, dims: (number | string)[]): ValueInfoProto => ({
    name,
    type: {
      tensor_type: {
        elem_type: opts.half ? DataType.FLOAT16 : DataType.FLOAT,
        shape: { dim: dims.map((v) => (typeof v === 'number' ? { dim_value: v } : { dim_param: v })) },
      },
    },
  });
  const outputs = [tensor('out_sample', ['batch', 4, 'height', 'width'])];
  if (opts.exposeInternals && !opts.fused)
    outputs.push(tensor(probsOf.attn1 ?? '', []), tensor(probsOf.attn2 ?? '', []), tensor(crossV, []));
  if (opts.exposeAttentionOutputs && !opts.fused)
    outputs.push(tensor(outOf.attn1 ?? '', []), tensor(outOf.attn2 ?? '', []));
  for (const o of outputs.slice(1)) delete o.type?.tensor_type?.shape;
  const opsets = [
    { domain: '', version: opts.opset ?? 17 },
    ...(opts.fused ? [{ domain: 'com.microsoft', version: 1 }] : []),
  ];
  return {
    ir_version: 8,
    producer_name: 'ptp-tiny-unet',
    opset_import: opsets,
    graph: {
      name: 'tiny_unet',
      node: g.nodes,
      initializer: g.inits,
      input: [
        tensor('sample', ['batch', 4, 'height', 'width']),
        tensor('timestep', []),
        tensor('encoder_hidden_states', ['batch', 'sequence', textDim]),
      ],
      output: outputs,
    },
  };
}
