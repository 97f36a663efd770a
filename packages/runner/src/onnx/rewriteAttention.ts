import type { GraphBuilder } from './GraphBuilder.js';
import type { AttentionLayer } from './findAttentionLayers.js';
import { DataType } from './onnxProto.js';
import { PTP_CONTROL_INPUTS as C } from './ptpManifest.js';

/** End bound for "to the end" slices (Slice clamps it). */
const END = Number.MAX_SAFE_INTEGER;

/** Control tensors prepared once per graph, broadcast-ready. */
export interface ControlTensors {
  /** [1] int64: N = B / 2 (items per CFG half). */
  nVec: string;
  /** [1] int64: N + 1 (first edit of the conditional half). */
  n1Vec: string;
  /** [1] int64: B. */
  bVec: string;
  /** [E,1] int64: batch rows of the edits in the conditional half (N+1 .. B-1), for ScatterND. */
  editRows: string;
  /** [3] int64: [E, 1, 1], to expand the source item over the edits. */
  eShape: string;
  /** [E,T,T]: M[e,k,n] * alpha[e,n] * eq[e,n] (mapper with the injected term's weight folded in). */
  mapperW: string;
  /** [E,1,T]: 1 - alpha (weight of the edit's own map). */
  oneMinusA: string;
  /** [E,T,T] mapper transposed, for M^T v_source. */
  mapperT: string;
  /** [E,L_self,1] and 1 - it. */
  self3: string;
  oneMinusSelf3: string;
  /** [E,L_cross,1] and 1 - it. */
  beta3: string;
  oneMinusBeta3: string;
}

export function emitControlPrelude(b: GraphBuilder, sampleInput: string): ControlTensors {
  const shape = b.op('Shape', [sampleInput], '/ptp/batch/Shape');
  const bVec = b.slice(shape, 0, 1, 0, '/ptp/batch/B');
  const nVec = b.op('Div', [bVec, b.int64([2])], '/ptp/batch/N');
  const one = b.float([1], []);
  const alpha3 = b.unsqueeze(C.crossAlpha, [1], '/ptp/cross/alpha3');
  const eq3 = b.unsqueeze(C.equalizer, [1], '/ptp/cross/eq3');
  const self3 = b.unsqueeze(C.selfAlpha, [2], '/ptp/self/alpha3');
  const beta3 = b.unsqueeze(C.vBeta, [2], '/ptp/v/beta3');
  const eVec = b.op('Sub', [nVec, b.int64([1])], '/ptp/batch/E');
  const n1Vec = b.op('Add', [nVec, b.int64([1])], '/ptp/batch/N1');
  const scalar = (v: string, name: string): string => b.op('Reshape', [v, b.int64([], [0])], `/ptp/batch/${name}Scalar`);
  const aEq = b.op('Mul', [alpha3, eq3], '/ptp/cross/alphaEq');
  return {
    nVec,
    n1Vec,
    bVec,
    editRows: b.unsqueeze(b.op('Range', [scalar(n1Vec, 'N1'), scalar(bVec, 'B'), b.int64([1], [])], '/ptp/batch/EditRange'), [1], '/ptp/batch/EditRows'),
    eShape: b.op('Concat', [eVec, b.int64([1, 1])], '/ptp/batch/EShape', { axis: 0 }),
    mapperW: b.op('Mul', [C.crossMapper, aEq], '/ptp/cross/mapperWeighted'),
    oneMinusA: b.op('Sub', [one, alpha3], '/ptp/cross/oneMinusAlpha'),
    mapperT: b.op('Transpose', [C.crossMapper], '/ptp/v/mapperT', { perm: [0, 2, 1] }),
    self3,
    oneMinusSelf3: b.op('Sub', [one, self3], '/ptp/self/oneMinusAlpha'),
    beta3,
    oneMinusBeta3: b.op('Sub', [one, beta3], '/ptp/v/oneMinusBeta'),
  };
}

/** Per-layer head-summed conditional maps [N,Q,T] (float32) and the layer's head count [1]. */
export interface LayerMaps {
  maps: string;
  heads: string;
}

/**
 * Rewrites one layer's probabilities P (the Softmax output) in place: consumers of P now see
 * [P_uncond ; base ; edit'] where edit' blends the source's map into each edit (cross: through the
 * mapper, alpha and equalizer; self: by the layer's self alpha). Returns head sums for cross layers.
 */
export function rewriteProbabilities(b: GraphBuilder, layer: AttentionLayer, kindIndex: number, ctl: ControlTensors, half: boolean): LayerMaps | null {
  const s = layer.id + '/ptp';
  const raw = b.unique(`${layer.probs}_ptp_raw`);
  const softmaxOut = layer.softmax.output ?? [];
  layer.softmax.output = [raw, ...softmaxOut.slice(1)];
  // Controls are float32; cast them to P's type only when the model computes in half precision.
  const like = (t: string, name: string): string => (half ? b.op('CastLike', [t, raw], `${s}/${name}CastLike`) : t);

  // Work on a [B, heads*Q, K] view: same for both layouts, and the mapper MatMul needs no batch broadcast.
  const shape = b.op('Shape', [raw], `${s}/Shape`);
  const kVec = b.slice(shape, -1, END, 0, `${s}/K`);
  const p3 = b.op('Reshape', [raw, b.op('Concat', [ctl.bVec, b.int64([-1]), kVec], `${s}/Shape3`, { axis: 0 })], `${s}/View3`);
  // Base and edits straight from P (no copy of the whole conditional half).
  const base = b.slice(p3, ctl.nVec, ctl.n1Vec, 0, `${s}/Base`);
  const edit = b.slice(p3, ctl.n1Vec, END, 0, `${s}/Edit`);

  let injected: string;
  let keep: string;
  if (layer.kind === 'cross') {
    // einsum('hqk,ekn->ehqn') * alpha * eq as [E, heads*Q, T] @ [E, T, T] with the weights folded into
    // the mapper. Base is expanded to E first: ORT's MatMul refuses to broadcast a batch of 1 to 0.
    const baseE = b.op('Expand', [base, ctl.eShape], `${s}/BaseE`);
    injected = b.op('MatMul', [baseE, like(ctl.mapperW, 'Mapper')], `${s}/Inject`);
    keep = b.op('Mul', [edit, like(ctl.oneMinusA, 'OneMinusAlpha')], `${s}/Keep`);
  } else {
    const idx = b.int64([kindIndex]);
    const sl = b.op('Gather', [ctl.self3, idx], `${s}/SelfAlpha`, { axis: 1 });
    const oms = b.op('Gather', [ctl.oneMinusSelf3, idx], `${s}/OneMinusSelfAlpha`, { axis: 1 });
    injected = b.op('Mul', [base, like(sl, 'SelfAlpha')], `${s}/Weighted`);
    keep = b.op('Mul', [edit, like(oms, 'OneMinusSelfAlpha')], `${s}/Keep`);
  }
  const blended = b.op('Add', [injected, keep], `${s}/Blend`);
  // Write the edits back into P (ORT's ScatterND may run in place: no copy of the other items).
  const p3New = b.op('ScatterND', [p3, ctl.editRows, blended], `${s}/Merge`);
  b.op('Reshape', [p3New, shape], `${s}/Restore`, {}, layer.probs);

  if (layer.kind !== 'cross') return null;
  // Heads apart again for the maps: [B, heads, Q, T].
  const shape4 = layer.layout === 'folded' ? b.op('Concat', [ctl.bVec, b.int64([-1]), b.slice(shape, 1, 3, 0, `${s}/QT`)], `${s}/Shape4`, { axis: 0 }) : shape;
  const p4 = b.op('Reshape', [p3New, shape4], `${s}/View4`);
  const headSum = b.reduceSum(p4, [1], 0, `${s}/HeadSum`);
  let maps = b.slice(headSum, ctl.nVec, END, 0, `${s}/CondMaps`);
  if (half) maps = b.op('Cast', [maps], `${s}/MapsFloat`, { to: DataType.FLOAT });
  const heads = b.op('Cast', [b.slice(b.op('Shape', [p4], `${s}/Shape4New`), 1, 2, 0, `${s}/Heads`)], `${s}/HeadsFloat`, { to: DataType.FLOAT });
  return { maps, heads };
}

/**
 * V injection on a cross layer: the conditional half of V ([B, T, C], before the head split)
 * becomes [v_src ; (1 - beta) v_edit + beta M^T v_src]; the uncond half is untouched.
 */
export function rewriteValues(b: GraphBuilder, layer: AttentionLayer, crossIndex: number, ctl: ControlTensors, half: boolean): void {
  const node = layer.toV;
  const v = layer.vTensor;
  if (!node || !v) return;
  const s = layer.id + '/ptp_v';
  const raw = b.unique(`${v}_ptp_raw`);
  node.output = [raw, ...(node.output ?? []).slice(1)];
  const like = (t: string, name: string): string => (half ? b.op('CastLike', [t, raw], `${s}/${name}CastLike`) : t);

  const vu = b.slice(raw, 0, ctl.nVec, 0, `${s}/Uncond`);
  const src = b.slice(raw, ctl.nVec, ctl.n1Vec, 0, `${s}/Source`);
  const edit = b.slice(raw, ctl.n1Vec, END, 0, `${s}/Edit`);
  // aligned[e,n,c] = sum_k M[e,k,n] v_src[k,c]: [E,T,T] @ [E,T,C] (source expanded: see Inject).
  const srcE = b.op('Expand', [src, ctl.eShape], `${s}/SourceE`);
  const aligned = b.op('MatMul', [like(ctl.mapperT, 'MapperT'), srcE], `${s}/Align`);
  const idx = b.int64([crossIndex]);
  const beta = b.op('Gather', [ctl.beta3, idx], `${s}/Beta`, { axis: 1 });
  const omb = b.op('Gather', [ctl.oneMinusBeta3, idx], `${s}/OneMinusBeta`, { axis: 1 });
  const mixed = b.op('Add', [b.op('Mul', [edit, like(omb, 'OneMinusBeta')], `${s}/Keep`), b.op('Mul', [aligned, like(beta, 'Beta')], `${s}/Weighted`)], `${s}/Blend`);
  b.op('Concat', [vu, src, mixed], `${s}/Merge`, { axis: 0 }, v);
}
