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

/**
 * Builds a tiny diffusers-shaped attention block as a ModelProto: sample [B,4,H,W] -> tokens ->
 * self attention (attn1) -> cross attention (attn2, K/V from encoder_hidden_states) -> out_sample.
 * Exercises the patcher's pattern matching on both head layouts without a real export.
 */
export function buildTinyUnet(opts: TinyUnetOptions): TinyUnet {
  const heads = opts.heads ?? 2;
  const d = 4;
  const c = heads * d;
  const textDim = opts.textDim ?? 6;
  const scope = opts.scope ?? '/down_blocks.0/attentions.0/transformer_blocks.0';
  const rand = seededRandom(42);
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  let counter = 0;
  const op = (type: string, inputs: string[], name: string, attrs: AttributeProto[] = [], domain?: string): string => {
    const out = `${name}_output_0`;
    nodes.push({ name, op_type: type, input: inputs, output: [out], attribute: attrs, ...(domain ? { domain } : {}) });
    return out;
  };
  const ints = (name: string, v: number[]): AttributeProto => ({ name, type: AttributeType.INTS, ints: v });
  const int = (name: string, v: number): AttributeProto => ({ name, type: AttributeType.INT, i: v });
  const i64 = (v: number[]): string => {
    const raw = new Uint8Array(v.length * 8);
    const view = new DataView(raw.buffer);
    v.forEach((x, k) => view.setBigInt64(k * 8, BigInt(x), true));
    const name = `const_i64_${counter++}`;
    inits.push({ name, dims: [v.length], data_type: DataType.INT64, raw_data: raw });
    return name;
  };
  const f32 = (dims: number[], values?: number[]): string => {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: n }, (_, k) => values?.[k] ?? (rand() * 2 - 1) * 0.8);
    const name = `weight_${counter++}`;
    const raw = opts.half ? new Uint8Array(toHalfBits(data).buffer) : new Uint8Array(data.buffer);
    inits.push({ name, dims, data_type: opts.half ? DataType.FLOAT16 : DataType.FLOAT, raw_data: raw });
    return name;
  };

  // sample [B,4,H,W] -> tokens [B, HW, 4], plus a timestep-dependent shift so every input is used.
  const flat = op('Reshape', ['sample', i64([0, 4, -1])], '/conv_in/Reshape');
  const shifted = op('Add', [flat, op('Mul', ['timestep', f32([], [0.001])], '/time_proj/Mul')], '/time_proj/Add');
  const x = op('Transpose', [shifted], '/conv_in/Transpose', [ints('perm', [0, 2, 1])]);

  const probsOf: Record<string, string> = {};
  const outOf: Record<string, string> = {};
  let crossV = '';
  const attention = (name: 'attn1' | 'attn2', hidden: string, context: string, inDim: number, ctxDim: number): string => {
    const s = `${scope}/${name}`;
    const q = op('MatMul', [hidden, f32([inDim, c])], `${s}/to_q/MatMul`);
    const k = op('MatMul', [context, f32([ctxDim, c])], `${s}/to_k/MatMul`);
    const v = op('MatMul', [context, f32([ctxDim, c])], `${s}/to_v/MatMul`);
    if (name === 'attn2') crossV = v;
    const split = (t: string, tag: string): string => op('Transpose', [op('Reshape', [t, i64([0, -1, heads, d])], `${s}/Reshape_${tag}`)], `${s}/Transpose_${tag}`, [ints('perm', [0, 2, 1, 3])]);
    let attnOut: string;
    if (opts.layout === '4d') {
      const sqrtScale = f32([], [Math.sqrt(1 / Math.sqrt(d))]);
      const qs = op('Mul', [split(q, 'q'), sqrtScale], `${s}/Mul`);
      const kt = op('Mul', [op('Transpose', [split(k, 'k')], `${s}/Transpose_kt`, [ints('perm', [0, 1, 3, 2])]), sqrtScale], `${s}/Mul_1`);
      const p = op('Softmax', [op('MatMul', [qs, kt], `${s}/MatMul`)], `${s}/Softmax`, [int('axis', -1)]);
      probsOf[name] = p;
      const o4 = op('MatMul', [p, split(v, 'v')], `${s}/MatMul_1`);
      outOf[name] = o4;
      attnOut = op('Reshape', [op('Transpose', [o4], `${s}/Transpose_o`, [ints('perm', [0, 2, 1, 3])]), i64([0, -1, c])], `${s}/Reshape_o`);
    } else {
      // Fold heads into the batch like diffusers 0.x head_to_batch_dim: [B*heads, len, d].
      const fold = (t: string, tag: string): string => {
        const len = op('Slice', [op('Shape', [t], `${s}/Shape_${tag}`), i64([1]), i64([2]), i64([0])], `${s}/Slice_${tag}`);
        const shape = op('Concat', [i64([-1]), len, i64([d])], `${s}/Concat_${tag}`, [int('axis', 0)]);
        return op('Reshape', [split(t, tag), shape], `${s}/Reshape_f${tag}`);
      };
      const kt = op('Transpose', [fold(k, 'k')], `${s}/Transpose_kt`, [ints('perm', [0, 2, 1])]);
      const scores = op('Mul', [op('MatMul', [fold(q, 'q'), kt], `${s}/MatMul`), f32([], [1 / Math.sqrt(d)])], `${s}/Mul`);
      const p = op('Softmax', [scores], `${s}/Softmax`, [int('axis', -1)]);
      probsOf[name] = p;
      const o3 = op('MatMul', [p, fold(v, 'v')], `${s}/MatMul_1`);
      outOf[name] = o3;
      const qLen = op('Slice', [op('Shape', [hidden], `${s}/Shape_h`), i64([1]), i64([2]), i64([0])], `${s}/Slice_h`);
      const unfold = op('Concat', [i64([-1, heads]), qLen, i64([d])], `${s}/Concat_o`, [int('axis', 0)]);
      const o4 = op('Transpose', [op('Reshape', [o3, unfold], `${s}/Reshape_o4`)], `${s}/Transpose_o`, [ints('perm', [0, 2, 1, 3])]);
      attnOut = op('Reshape', [o4, i64([0, -1, c])], `${s}/Reshape_o`);
    }
    return op('MatMul', [attnOut, f32([c, inDim])], `${s}/to_out.0/MatMul`);
  };

  let h1: string;
  if (opts.fused) {
    const s = `${scope}/attn1`;
    const q = op('MatMul', [x, f32([4, c])], `${s}/to_q/MatMul`);
    const k = op('MatMul', [x, f32([4, c])], `${s}/to_k/MatMul`);
    const v = op('MatMul', [x, f32([4, c])], `${s}/to_v/MatMul`);
    const mha = op('MultiHeadAttention', [q, k, v], `${s}/MultiHeadAttention`, [int('num_heads', heads)], 'com.microsoft');
    h1 = op('Add', [x, op('MatMul', [mha, f32([c, 4])], `${s}/to_out.0/MatMul`)], `${scope}/Add`);
  } else {
    h1 = op('Add', [x, attention('attn1', x, x, 4, 4)], `${scope}/Add`);
  }
  const h2 = op('Add', [h1, attention('attn2', h1, 'encoder_hidden_states', 4, textDim)], `${scope}/Add_1`);
  const back = op('Transpose', [h2], '/conv_out/Transpose', [ints('perm', [0, 2, 1])]);
  nodes.push({ name: '/conv_out/Reshape', op_type: 'Reshape', input: [back, op('Shape', ['sample'], '/conv_out/Shape')], output: ['out_sample'] });

  const tensor = (name: string, dims: (number | string)[]): ValueInfoProto => ({
    name,
    type: { tensor_type: { elem_type: opts.half ? DataType.FLOAT16 : DataType.FLOAT, shape: { dim: dims.map((v) => (typeof v === 'number' ? { dim_value: v } : { dim_param: v })) } } },
  });
  const outputs = [tensor('out_sample', ['batch', 4, 'height', 'width'])];
  if (opts.exposeInternals && !opts.fused) outputs.push(tensor(probsOf.attn1 ?? '', []), tensor(probsOf.attn2 ?? '', []), tensor(crossV, []));
  if (opts.exposeAttentionOutputs && !opts.fused) outputs.push(tensor(outOf.attn1 ?? '', []), tensor(outOf.attn2 ?? '', []));
  for (const o of outputs.slice(1)) delete o.type?.tensor_type?.shape;
  const opsets = [{ domain: '', version: opts.opset ?? 17 }, ...(opts.fused ? [{ domain: 'com.microsoft', version: 1 }] : [])];
  return {
    model: {
      ir_version: 8,
      producer_name: 'ptp-tiny-unet',
      opset_import: opsets,
      graph: {
        name: 'tiny_unet',
        node: nodes,
        initializer: inits,
        input: [tensor('sample', ['batch', 4, 'height', 'width']), tensor('timestep', []), tensor('encoder_hidden_states', ['batch', 'sequence', textDim])],
        output: outputs,
      },
    },
    selfProbs: probsOf.attn1 ?? '',
    crossProbs: probsOf.attn2 ?? '',
    crossV,
    selfOut: outOf.attn1 ?? '',
    crossOut: outOf.attn2 ?? '',
  };
}
