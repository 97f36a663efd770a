import type { GraphBuilder } from './GraphBuilder.js';
import type { AttentionLayer } from './findAttentionLayers.js';
import { DataType } from './onnxProto.js';
import type { NodeProto } from './onnxProto.js';
import { PTP_CONTROL_INPUTS as C } from '@ptp/nodes/diffusion';

/*
 * Every control sits behind an ONNX If whose else branch is the plain computation, so a control
 * that is off costs one If and no pass over an attention tensor. The taken branch works on the
 * conditional edits only and, where it can, never materialises the blended probabilities: the
 * P·V product is linear in P, so the edits' rows are rebuilt from the source's probabilities and
 * the edits' own product (see controlPvMatMul).
 */

/** End bound for "to the end" slices (Slice clamps it). */
const END = Number.MAX_SAFE_INTEGER;

/**
 * Batch bounds and per-layer on/off flags, emitted once into the prelude (before every graph node)
 * the first time a layer asks for them; all tiny. The control weights themselves are emitted
 * inside the branches that use them (`crossWeights` & co.), so they cost nothing while off.
 */
export interface ControlTensorsOptions {
  /** Where the tensors are emitted: before every graph node. */
  prelude: NodeProto[];
  /** The UNet's latent input [B, C, H, W] (B from its shape). */
  sample: string;
  /** The UNet's text input [B, T, D] (T from its shape). */
  encoderHiddenStates: string;
  /** How many self and cross layers there are (the widths of ptp_self_alpha and ptp_v_beta). */
  selfLayers: number;
  crossLayers: number;
}

export class ControlTensors {
  private readonly memo = new Map<string, string>();
  private readonly prelude: NodeProto[];
  private readonly sample: string;
  private readonly encoderHiddenStates: string;
  private readonly selfLayers: number;
  private readonly crossLayers: number;

  constructor(
    private readonly b: GraphBuilder,
    options: ControlTensorsOptions,
  ) {
    this.prelude = options.prelude;
    this.sample = options.sample;
    this.encoderHiddenStates = options.encoderHiddenStates;
    this.selfLayers = options.selfLayers;
    this.crossLayers = options.crossLayers;
  }

  private get(key: string, emit: () => string): string {
    let name = this.memo.get(key);
    if (name === undefined) {
      name = this.b.within(this.prelude, emit);
      this.memo.set(key, name);
    }
    return name;
  }

  /** [1] int64: B. */
  get bVec(): string {
    return this.get('bVec', () =>
      this.b.slice(this.b.op('Shape', [this.sample], '/ptp/batch/Shape'), 0, 1, 0, '/ptp/batch/B'),
    );
  }

  /** [1] int64: N = B / 2 (items per CFG half; the source's row in the conditional half). */
  get nVec(): string {
    return this.get('nVec', () => this.b.op('Div', [this.bVec, this.b.int64([2])], '/ptp/batch/N'));
  }

  /** [1] int64: N + 1 (first edit of the conditional half). */
  get n1Vec(): string {
    return this.get('n1Vec', () => this.b.op('Add', [this.nVec, this.b.int64([1])], '/ptp/batch/N1'));
  }

  /** [E,1] int64: batch rows of the edits in the conditional half (N+1 .. B-1), for ScatterND. */
  get editRows(): string {
    return this.get('editRows', () => {
      const b = this.b;
      const scalar = (v: string, name: string): string =>
        b.op('Reshape', [v, b.int64([], [0])], `/ptp/batch/${name}Scalar`);
      return b.unsqueeze(
        b.op('Range', [scalar(this.n1Vec, 'N1'), scalar(this.bVec, 'B'), b.int64([1], [])], '/ptp/batch/EditRange'),
        [1],
        '/ptp/batch/EditRows',
      );
    });
  }

  /** [3] int64: [E, 1, 1], to expand the source item over the edits. */
  get eShape(): string {
    return this.get('eShape', () =>
      this.b.op(
        'Concat',
        [this.b.op('Sub', [this.nVec, this.b.int64([1])], '/ptp/batch/E'), this.b.int64([1, 1])],
        '/ptp/batch/EShape',
        { axis: 0 },
      ),
    );
  }

  /** [8] int64 Pad pads that put [E, ...] 4-D rows after the uncond half and the source: [N+1,0,0,0, 0,0,0,0]. */
  get editPads(): string {
    return this.get('editPads', () =>
      this.b.op('Concat', [this.n1Vec, this.b.int64([0, 0, 0, 0, 0, 0, 0])], '/ptp/batch/EditPads', { axis: 0 }),
    );
  }

  /** bool scalar: some cross alpha is non-zero or some keep is not 1 (else the cross injection is the identity). */
  get crossOn(): string {
    return this.get('crossOn', () => {
      const b = this.b;
      const flat = b.op('Reshape', [C.crossAlpha, b.int64([1, -1])], '/ptp/cross/alphaFlat');
      // keep != 1 also changes the result (refine's new tokens under reweight).
      const keepOff = b.op(
        'Sub',
        [b.op('Reshape', [C.crossKeep, b.int64([1, -1])], '/ptp/cross/keepFlat'), b.float([1], [])],
        '/ptp/cross/keepOff',
      );
      // A leading 0 keeps the reduction defined (and false) for E = 0.
      const padded = b.op(
        'Concat',
        [
          b.float([0], [1, 1]),
          b.op('Abs', [flat], '/ptp/cross/alphaAbs'),
          b.op('Abs', [keepOff], '/ptp/cross/keepAbs'),
        ],
        '/ptp/cross/alphaPadded',
        { axis: 1 },
      );
      return b.op(
        'Greater',
        [b.reduce('ReduceMax', padded, [0, 1], 0, '/ptp/cross/alphaMax'), b.float([0], [])],
        '/ptp/cross/on',
      );
    });
  }

  /** [L_self] bool: self layer l has a non-zero alpha for some edit. */
  get selfOn(): string {
    return this.get('selfOn', () => this.columnsOn(C.selfAlpha, this.selfLayers, '/ptp/self'));
  }

  /** [L_cross] bool: cross layer l has a non-zero V beta for some edit. */
  get vOn(): string {
    return this.get('vOn', () => this.columnsOn(C.vBeta, this.crossLayers, '/ptp/v'));
  }

  /** [L_cross] bool: cross layer l's P·V If must run its then branch (alpha or the layer's beta on). */
  get crossOrVOn(): string {
    return this.get('crossOrVOn', () => this.b.op('Or', [this.crossOn, this.vOn], '/ptp/cross/orV'));
  }

  /** [1] int64: T, the text token count (the cross layers' key length). */
  get tVec(): string {
    return this.get('tVec', () =>
      this.b.slice(this.b.op('Shape', [this.encoderHiddenStates], '/ptp/batch/TextShape'), 1, 2, 0, '/ptp/batch/T'),
    );
  }

  /**
   * [N, B*heads] float32 that sums the heads of the conditional half: row n has ones at the
   * columns of batch item N + n. `heads` a number (memoised) or an int64 [1] tensor (emitted here).
   */
  condHeadSelector(heads: number | string): string {
    const emit = (): string => {
      const b = this.b;
      const scalar = (v: string, name: string): string =>
        b.op('Reshape', [v, b.int64([], [0])], `/ptp/batch/${name}Scalar`);
      const zero = b.int64([0], []);
      const one = b.int64([1], []);
      const items = b.unsqueeze(
        b.op('Range', [zero, scalar(this.bVec, 'B'), one], '/ptp/maps/Items'),
        [0],
        '/ptp/maps/Items1',
      );
      const cond = b.unsqueeze(
        b.op(
          'Add',
          [b.op('Range', [zero, scalar(this.nVec, 'N'), one], '/ptp/maps/Half'), this.nVec],
          '/ptp/maps/CondItems',
        ),
        [1],
        '/ptp/maps/CondItems1',
      );
      const pick = b.unsqueeze(
        b.op('Cast', [b.op('Equal', [cond, items], '/ptp/maps/Pick')], '/ptp/maps/PickFloat', { to: DataType.FLOAT }),
        [2],
        '/ptp/maps/Pick3',
      );
      const hVec = typeof heads === 'number' ? b.int64([heads]) : heads;
      const spread = b.op(
        'Expand',
        [pick, b.op('Concat', [b.int64([1, 1]), hVec], '/ptp/maps/SpreadShape', { axis: 0 })],
        '/ptp/maps/Spread',
      );
      return b.op('Reshape', [spread, b.int64([0, -1])], '/ptp/maps/Selector');
    };
    return typeof heads === 'number' ? this.get(`selector${heads}`, emit) : emit();
  }

  private columnsOn(input: string, width: number, scope: string): string {
    const b = this.b;
    const zeros = b.float(new Array<number>(width).fill(0), [1, width]);
    const padded = b.op('Concat', [zeros, b.op('Abs', [input], `${scope}/abs`)], `${scope}/padded`, { axis: 0 });
    return b.op('Greater', [b.reduce('ReduceMax', padded, [0], 0, `${scope}/max`), b.float([0], [])], `${scope}/on`);
  }
}

/** [E,T,T] mapper with alpha and equalizer folded in (W[e,k,n] = M[e,k,n] alpha[e,n] eq[e,n]) and [E,1,T] keep (the edit's own weight). Emitted where called. */
function crossWeights(b: GraphBuilder, s: string): { mapperW: string; keep: string } {
  const alpha3 = b.unsqueeze(C.crossAlpha, [1], `${s}/Alpha3`);
  const aEq = b.op('Mul', [alpha3, b.unsqueeze(C.equalizer, [1], `${s}/Eq3`)], `${s}/AlphaEq`);
  return {
    mapperW: b.op('Mul', [C.crossMapper, aEq], `${s}/MapperWeighted`),
    keep: b.unsqueeze(C.crossKeep, [1], `${s}/Keep3`),
  };
}

/** Column `index` of an [E, L] control as [E, 1, 1, 1]. Emitted where called. */
function column4(b: GraphBuilder, input: string, index: number, s: string): string {
  return b.op(
    'Reshape',
    [b.op('Gather', [input, b.int64([index])], `${s}/Column`, { axis: 1 }), b.int64([-1, 1, 1, 1])],
    `${s}/Column4`,
  );
}

/** M^T v_src: [E,T,T]^T @ v_src, for V injection (v_src [1, ..., T, C] broadcasts over edits). */
function alignedSource(
  b: GraphBuilder,
  vSrc: string,
  rank: 3 | 4,
  like: (t: string, name: string) => string,
  s: string,
): string {
  let mT = b.op('Transpose', [C.crossMapper], `${s}/MapperT`, { perm: [0, 2, 1] });
  if (rank === 4) mT = b.unsqueeze(mT, [1], `${s}/MapperT4`);
  return b.op('MatMul', [like(mT, 'MapperT'), vSrc], `${s}/Align`);
}

/**
 * The 4-D view [B, heads, rows, cols] of a tensor in the layer's head layout (4d: the tensor
 * itself; folded [B*heads, rows, cols]: reshaped to [B, -1, rows, cols]) and its original shape.
 */
function view4(
  b: GraphBuilder,
  x: string,
  layout: AttentionLayer['layout'],
  ctl: ControlTensors,
  base: string,
): { x4: string; shape: string } {
  const shape = b.op('Shape', [x], `${base}/Shape`);
  if (layout === '4d') return { x4: x, shape };
  const tail = b.slice(shape, -2, END, 0, `${base}/Tail`);
  const x4 = b.op(
    'Reshape',
    [x, b.op('Concat', [ctl.bVec, b.int64([-1]), tail], `${base}/Shape4`, { axis: 0 })],
    `${base}/View4`,
  );
  return { x4, shape };
}

/**
 * [E, heads, Q, d] = source probabilities [1, heads, Q, K] times each edit's [E, heads, K, d], as
 * one MatMul that reads the source's probabilities once: [heads, Q, K] @ [heads, K, E*d].
 */
function sourceTimes(b: GraphBuilder, p4: string, rhs: string, dVec: string, ctl: ControlTensors, s: string): string {
  const src = b.slice(p4, ctl.nVec, ctl.n1Vec, 0, `${s}/SourceP`);
  const src3 = b.squeeze(src, [0], `${s}/SourceP3`);
  const wide = b.op(
    'Reshape',
    [b.op('Transpose', [rhs], `${s}/RhsT`, { perm: [1, 2, 0, 3] }), b.int64([0, 0, -1])],
    `${s}/RhsWide`,
  );
  const prod = b.op('MatMul', [src3, wide], `${s}/SourceMatMul`);
  const split = b.op(
    'Reshape',
    [prod, b.op('Concat', [b.int64([0, 0, -1]), dVec], `${s}/SplitShape`, { axis: 0 })],
    `${s}/Split`,
  );
  return b.op('Transpose', [split], `${s}/PerEdit`, { perm: [2, 0, 1, 3] });
}

/**
 * Running head sums of one resolution group's raw cross probabilities (conditional half), carried
 * from layer to layer through the layers' If nodes: one small buffer per group stays alive between
 * the down and the up blocks, and the If is P's last reader, so P is freed right after it. The
 * injection is linear and the same for every cross layer, so `groupAttentionMaps` applies it once,
 * to the sums.
 */
export interface GroupMaps {
  /** [N, Q*T] float32: summed over heads and the group's layers so far. */
  maps: string;
  /** Heads summed over the same layers: a number when every layer's head count is known, else [1] float32. */
  heads: number | string;
}

/** For cross layers: the group's sums before this layer (none for its first layer). */
export type MapsCarry = { previous: GroupMaps | undefined } | null;

/** One attention layer being rewritten, and what every rewrite of it needs. */
export interface LayerRewrite {
  layer: AttentionLayer;
  /** The layer's index among the layers of its kind: its column in ptp_self_alpha, or in ptp_v_beta and the cross flags. */
  kindIndex: number;
  ctl: ControlTensors;
  /** A half-precision UNet: control weights are cast like the tensor they scale. */
  half: boolean;
}

/** This layer's head count: the constant from the export when known, else from V's shape [B*heads,K,d] / [B,heads,K,d]. */
export function layerHeads(b: GraphBuilder, layer: AttentionLayer, ctl: ControlTensors): number | string {
  if (layer.heads) return layer.heads;
  const s = `${layer.id}/ptp_heads`;
  const shape = b.op('Shape', [layer.pvMatMul.input?.[1] ?? ''], `${s}/VShape`);
  const heads =
    layer.layout === '4d'
      ? b.slice(shape, 1, 2, 0, `${s}/Heads`)
      : b.op('Div', [b.slice(shape, 0, 1, 0, `${s}/BH`), ctl.bVec], `${s}/Heads`);
  return b.op('Cast', [heads], `${s}/HeadsFloat`, { to: DataType.FLOAT });
}

/** a + c for head counts (numbers stay numbers). */
export function sumHeads(
  b: GraphBuilder,
  a: number | string | undefined,
  c: number | string,
  base: string,
): number | string {
  if (a === undefined) return c;
  if (typeof a === 'number' && typeof c === 'number') return a + c;
  const t = (x: number | string): string => (typeof x === 'number' ? b.float([x]) : x);
  return b.op('Add', [t(a), t(c)], `${base}/SumHeads`);
}

/**
 * The layer's raw head sums of the conditional half added to the group's, as [N, Q*T] float32: one
 * GEMM [N, B*heads] @ P viewed as [B*heads, Q*T] (a selector picks and sums the rows), plus the
 * previous sums as Gemm's C: one pass over P. Emitted in each branch.
 */
function accumulateMaps(
  b: GraphBuilder,
  { layer, ctl, half }: LayerRewrite,
  raw: string,
  previous: GroupMaps | undefined,
  s: string,
): string {
  const p2 = b.op('Flatten', [raw], `${s}/MapsP2`, { axis: layer.layout === '4d' ? 2 : 1 });
  const heads =
    layer.heads ??
    b.op('Div', [b.slice(b.op('Shape', [p2], `${s}/MapsShape`), 0, 1, 0, `${s}/MapsBH`), ctl.bVec], `${s}/MapsHeads`);
  const selector = ctl.condHeadSelector(heads);
  if (!half)
    return b.op(
      previous ? 'Gemm' : 'MatMul',
      previous ? [selector, p2, previous.maps] : [selector, p2],
      `${s}/CondHeadSum`,
    );
  const sum = b.op(
    'Cast',
    [b.op('MatMul', [b.op('CastLike', [selector, raw], `${s}/SelectorCastLike`), p2], `${s}/CondHeadSum`)],
    `${s}/MapsFloat`,
    { to: DataType.FLOAT },
  );
  return previous ? b.op('Add', [previous.maps, sum], `${s}/SumMaps`) : sum;
}

export interface PvMatMulOptions extends LayerRewrite {
  /** The tensor the MatMul reads (the raw Softmax output). */
  probs: string;
  /** The group's map sums so far, for a cross layer; null for a self layer. */
  carry: MapsCarry;
  /** Inject V here too, on the head-split V (the to_v output feeds only this MatMul). */
  injectV: boolean;
}

/**
 * Takes over the layer's P·V MatMul (which must read the Softmax output directly) with one If.
 * Else branch: the original MatMul (and, for cross layers, the map sums), so a layer whose
 * controls are off costs nothing but the If. Then branch: P·V is linear in P, so the blended
 * probabilities are never materialised; one MatMul over all of P with the edits' V rows scaled by
 * their own weight, plus the source's term on the edits' rows:
 *   self:  out[e] = P_e @ ((1 - s) V_e) + s (P_src @ V_e)
 *   cross: out[e] = P_e @ (keep_e V'_e) + P_src @ (W_e V'_e),  W_e = M_e diag(alpha_e eq_e)
 * (the contract's formulas up to float rounding; exact for 0/1 weights; the uncond half and the
 * source stay bit for bit). With `injectV` (the to_v output only feeds this MatMul through the
 * head split) the V injection happens here too, on the head-split V:
 * V'_e = (1 - beta) V_e + beta M_e^T V_src, per token row as on the to_v output; the layer is then
 * on when alpha or its beta is. Returns the group's new map sums (cross layers).
 */
export function controlPvMatMul(b: GraphBuilder, options: PvMatMulOptions): string | null {
  const { layer, kindIndex, probs, ctl, half, carry, injectV } = options;
  const pv = layer.pvMatMul;
  const v = pv.input?.[1] ?? '';
  const out = pv.output?.[0] ?? '';
  const s = `${layer.id}/ptp_pv`;
  let cond: string;
  if (layer.kind === 'self') cond = b.op('Gather', [ctl.selfOn, b.int64([kindIndex], [])], `${s}/On`, { axis: 0 });
  else if (injectV) cond = b.op('Gather', [ctl.crossOrVOn, b.int64([kindIndex], [])], `${s}/On`, { axis: 0 });
  else cond = ctl.crossOn;
  const like = (t: string, name: string): string => (half ? b.op('CastLike', [t, probs], `${s}/${name}CastLike`) : t);
  const maps = (): string[] => (carry ? [accumulateMaps(b, options, probs, carry.previous, s)] : []);
  const outs = b.ifElse(
    cond,
    s,
    () => {
      const p4 = layer.layout === '4d' ? probs : view4(b, probs, layer.layout, ctl, `${s}/P`).x4;
      const v4 = view4(b, v, layer.layout, ctl, `${s}/V`);
      const dVec = b.slice(v4.shape, -1, END, 0, `${s}/D`);
      let vEdit = b.slice(v4.x4, ctl.n1Vec, END, 0, `${s}/VEdit`);
      // keep: the edit's own weight, folded into V ([E,1,1,1] self, [E,1,T,1] cross: token rows);
      // rhs: what the source's probabilities multiply.
      let keep: string;
      let rhs: string;
      let weight: string | null = null;
      if (layer.kind === 'self') {
        weight = column4(b, C.selfAlpha, kindIndex, `${s}/SelfAlpha`);
        keep = b.op('Sub', [b.float([1], []), weight], `${s}/OneMinusSelfAlpha`);
        rhs = vEdit;
      } else {
        if (injectV) {
          const beta = column4(b, C.vBeta, kindIndex, `${s}/Beta`);
          const aligned = alignedSource(b, b.slice(v4.x4, ctl.nVec, ctl.n1Vec, 0, `${s}/VSource`), 4, like, s);
          const keepV = b.op(
            'Mul',
            [vEdit, like(b.op('Sub', [b.float([1], []), beta], `${s}/OneMinusBeta`), 'OneMinusBeta')],
            `${s}/VKeepOwn`,
          );
          vEdit = b.op('Add', [keepV, b.op('Mul', [aligned, like(beta, 'Beta')], `${s}/VWeighted`)], `${s}/VBlend`);
        }
        const w = crossWeights(b, s);
        keep = b.unsqueeze(w.keep, [3], `${s}/Keep4`);
        rhs = b.op('MatMul', [like(b.unsqueeze(w.mapperW, [1], `${s}/MapperW4`), 'Mapper'), vEdit], `${s}/MapperV`);
      }
      // One MatMul over all of P with the edits' V rows scaled by their keep weight: the plain
      // product for the uncond half and the source, keep * (P_e @ V'_e) for the edits.
      const vMod = b.op(
        'Concat',
        [b.slice(v4.x4, 0, ctl.n1Vec, 0, `${s}/VHead`), b.op('Mul', [vEdit, like(keep, 'Keep')], `${s}/VKeep`)],
        `${s}/VMod`,
        { axis: 0 },
      );
      const product = b.op(
        'MatMul',
        [probs, layer.layout === '4d' ? vMod : b.op('Reshape', [vMod, v4.shape], `${s}/VModRestore`)],
        `${s}/MatMul`,
      );
      // Plus the source's term on the edits' rows (zero-padded over the uncond half and the source).
      let injected = sourceTimes(b, p4, rhs, dVec, ctl, s);
      if (weight) injected = b.op('Mul', [injected, like(weight, 'SelfAlpha')], `${s}/Weighted`);
      let padded = b.op('Pad', [injected, ctl.editPads], `${s}/PadEdits`);
      if (layer.layout !== '4d')
        padded = b.op('Reshape', [padded, b.op('Shape', [product], `${s}/OutShape`)], `${s}/PaddedFolded`);
      return [b.op('Add', [product, padded], `${s}/Blend`), ...maps()];
    },
    () => [b.op('MatMul', [probs, v], `${s}/PlainMatMul`), ...maps()],
    carry ? [out, b.unique(`${s}/GroupMaps`)] : [out],
    pv.name || undefined,
  );
  return carry ? (outs[1] ?? null) : null;
}

export interface ProbabilitiesOptions extends LayerRewrite {
  /** The Softmax output, renamed: the controlled probabilities take the layer's original name. */
  raw: string;
  /** The group's map sums so far, when this path computes them (a cross layer without the fast path); else null. */
  carry: MapsCarry;
}

/**
 * Materialises the controlled probabilities under the layer's original tensor name, for readers
 * other than a P·V MatMul that `controlPvMatMul` took over (a Cast before the MatMul, an exported
 * tensor): If(on) [P_uncond ; base ; edit'] else P (a copy: this path serves unusual exports and
 * tests, not the SD exports).
 */
export function materializeProbabilities(b: GraphBuilder, options: ProbabilitiesOptions): string | null {
  const { layer, kindIndex, raw, ctl, half, carry } = options;
  const s = layer.id + '/ptp';
  const like = (t: string, name: string): string => (half ? b.op('CastLike', [t, raw], `${s}/${name}CastLike`) : t);
  const maps = (): string[] => (carry ? [accumulateMaps(b, options, raw, carry.previous, s)] : []);
  const cond =
    layer.kind === 'cross'
      ? ctl.crossOn
      : b.op('Gather', [ctl.selfOn, b.int64([kindIndex], [])], `${s}/On`, { axis: 0 });
  const outs = b.ifElse(
    cond,
    `${s}/Probs`,
    () => {
      // A [B, heads*Q, K] view: same for both layouts, and the mapper MatMul needs no batch broadcast.
      const shape = b.op('Shape', [raw], `${s}/Shape`);
      const kVec = b.slice(shape, -1, END, 0, `${s}/K`);
      const p3 = b.op(
        'Reshape',
        [raw, b.op('Concat', [ctl.bVec, b.int64([-1]), kVec], `${s}/Shape3`, { axis: 0 })],
        `${s}/View3`,
      );
      const base = b.slice(p3, ctl.nVec, ctl.n1Vec, 0, `${s}/Base`);
      const edit = b.slice(p3, ctl.n1Vec, END, 0, `${s}/Edit`);
      let injected: string;
      let keep: string;
      if (layer.kind === 'cross') {
        const w = crossWeights(b, s);
        const baseE = b.op('Expand', [base, ctl.eShape], `${s}/BaseE`);
        injected = b.op('MatMul', [baseE, like(w.mapperW, 'Mapper')], `${s}/Inject`);
        keep = b.op('Mul', [edit, like(w.keep, 'CrossKeep')], `${s}/Keep`);
      } else {
        const sl = b.op(
          'Reshape',
          [
            b.op('Gather', [C.selfAlpha, b.int64([kindIndex])], `${s}/SelfAlphaColumn`, { axis: 1 }),
            b.int64([-1, 1, 1]),
          ],
          `${s}/SelfAlpha`,
        );
        const oms = b.op('Sub', [b.float([1], []), sl], `${s}/OneMinusSelfAlpha`);
        injected = b.op('Mul', [base, like(sl, 'SelfAlpha')], `${s}/Weighted`);
        keep = b.op('Mul', [edit, like(oms, 'OneMinusSelfAlpha')], `${s}/Keep`);
      }
      const blended = b.op('Add', [injected, keep], `${s}/Blend`);
      // ScatterND writes the edits back (ORT may run it in place).
      const p3New = b.op('ScatterND', [p3, ctl.editRows, blended], `${s}/Merge`);
      return [b.op('Reshape', [p3New, shape], `${s}/Restore`), ...maps()];
    },
    () => [b.op('Identity', [raw], `${s}/Unchanged`), ...maps()],
    carry ? [layer.probs, b.unique(`${s}/GroupMaps`)] : [layer.probs],
  );
  return carry ? (outs[1] ?? null) : null;
}

/**
 * One resolution group's output [N, Q, T] from its summed raw maps: with the cross injection on,
 * maps'[e] = (maps[src] @ M_e) * alpha * eq + keep * maps[e] (the head and layer sum of
 * the injected probabilities, by linearity), then divided by the total head count.
 */
export function groupAttentionMaps(
  b: GraphBuilder,
  sums: GroupMaps,
  ctl: ControlTensors,
  name: string,
  output: string,
): void {
  const s = `/ptp/attn_${name}`;
  const heads = typeof sums.heads === 'number' ? b.float([sums.heads]) : sums.heads;
  const maps = b.op(
    'Reshape',
    [sums.maps, b.op('Concat', [b.int64([0, -1]), ctl.tVec], `${s}/Shape`, { axis: 0 })],
    `${s}/Maps`,
  );
  b.ifElse(
    ctl.crossOn,
    `${s}/Inject`,
    () => {
      const w = crossWeights(b, s);
      const src = b.slice(maps, 0, 1, 0, `${s}/Source`);
      const edit = b.slice(maps, 1, END, 0, `${s}/Edit`);
      const injected = b.op('MatMul', [src, w.mapperW], `${s}/Injected`);
      const blended = b.op('Add', [injected, b.op('Mul', [edit, w.keep], `${s}/Keep`)], `${s}/Blend`);
      return [b.op('Div', [b.op('Concat', [src, blended], `${s}/Merge`, { axis: 0 }), heads], `${s}/Mean`)];
    },
    () => [b.op('Div', [maps, heads], `${s}/PlainMean`)],
    [output],
  );
}

/**
 * V injection on the to_v output, for exports where something besides the P·V MatMul reads it
 * (else controlPvMatMul injects on the head-split V): If(beta column non-zero) the conditional half
 * of V ([B, T, C], before the head split) becomes [v_src ; (1 - beta) v_edit + beta M^T v_src].
 */
export function rewriteValues(b: GraphBuilder, { layer, kindIndex: crossIndex, ctl, half }: LayerRewrite): void {
  const node = layer.toV;
  const v = layer.vTensor;
  if (!node || !v) return;
  const s = layer.id + '/ptp_v';
  const raw = b.unique(`${v}_ptp_raw`);
  node.output = [raw, ...(node.output ?? []).slice(1)];
  const like = (t: string, name: string): string => (half ? b.op('CastLike', [t, raw], `${s}/${name}CastLike`) : t);
  b.ifElse(
    b.op('Gather', [ctl.vOn, b.int64([crossIndex], [])], `${s}/On`, { axis: 0 }),
    `${s}/Inject`,
    () => {
      const vu = b.slice(raw, 0, ctl.nVec, 0, `${s}/Uncond`);
      const src = b.slice(raw, ctl.nVec, ctl.n1Vec, 0, `${s}/Source`);
      const edit = b.slice(raw, ctl.n1Vec, END, 0, `${s}/Edit`);
      // aligned[e,n,c] = sum_k M[e,k,n] v_src[k,c]: [E,T,T] @ [E,T,C] (source expanded to E).
      const aligned = alignedSource(b, b.op('Expand', [src, ctl.eShape], `${s}/SourceE`), 3, like, s);
      const beta = b.op(
        'Reshape',
        [b.op('Gather', [C.vBeta, b.int64([crossIndex])], `${s}/BetaColumn`, { axis: 1 }), b.int64([-1, 1, 1])],
        `${s}/Beta`,
      );
      const omb = b.op('Sub', [b.float([1], []), beta], `${s}/OneMinusBeta`);
      const mixed = b.op(
        'Add',
        [
          b.op('Mul', [edit, like(omb, 'OneMinusBeta')], `${s}/Keep`),
          b.op('Mul', [aligned, like(beta, 'Beta')], `${s}/Weighted`),
        ],
        `${s}/Blend`,
      );
      return [b.op('Concat', [vu, src, mixed], `${s}/Merge`, { axis: 0 })];
    },
    () => [b.op('Identity', [raw], `${s}/Unchanged`)],
    [v],
  );
}
