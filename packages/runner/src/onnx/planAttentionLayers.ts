import { fuseAttentionLayers } from './fuseAttention.js';
import { findFusedAttention, unfuseAttention } from './fusedAttention.js';
import { graphOf } from './OnnxModel.js';
import { findAttentionLayers, type AttentionKind, type AttentionLayer } from './findAttentionLayers.js';
import type { ModelProto, NodeProto } from './onnxProto.js';
import { resolutionLevels } from './resolutionLevels.js';

/** One attention layer of the UNet as the patch leaves it. */
export interface LayerSlot {
  id: string;
  kind: AttentionKind;
  /** Resolution level: the layer's grid is the latent / 2^level. */
  level: number;
  /** Whether a control reaches this layer (cross: always; self: within the import's limit). */
  controlled: boolean;
  /** The explicit attention (MatMul -> Softmax -> MatMul) the patch rewrites, or null when fused. */
  explicit: AttentionLayer | null;
  /** The fused node that computes the layer, or null when explicit. */
  fused: NodeProto | null;
  heads: number | null;
}

export interface LayerPlanOptions {
  opset: number;
  half: boolean;
  /** Whether a control can reach a layer of this kind at this resolution level. */
  controlled: (kind: AttentionKind, level: number) => boolean;
  /** Uncontrolled layers run fused: fused export nodes are kept, explicit layers are fused. */
  fuseUncontrolled: boolean;
}

export interface LayerPlan {
  /** Every attention layer in graph order (the manifest order). */
  slots: LayerSlot[];
  /** Fused export nodes expanded into the explicit form. */
  expanded: number;
  /** Uncontrolled explicit layers that stay explicit although fusion was asked for, with the reason. */
  notFused: Map<string, string>;
}

/**
 * Brings every attention layer into the form the patch needs, in place: fused layers that a control
 * reaches (or all of them, without `fuseUncontrolled`) are expanded into explicit attention;
 * with `fuseUncontrolled`, layers no control reaches stay fused (from a fused export) or become
 * fused (from a plain one). Unsupported fused forms are refused (FUSED_ATTENTION).
 */
export function planAttentionLayers(model: ModelProto, o: LayerPlanOptions): LayerPlan {
  const graph = graphOf(model);
  const found = findFusedAttention(graph.node ?? []);
  const foundLevels = resolutionLevels(
    graph.node ?? [],
    found.map((f) => f.id),
  );
  const keep = o.fuseUncontrolled ? found.filter((f) => !o.controlled(f.kind, foundLevels.get(f.id) ?? 0)) : [];
  const expand = found.filter((f) => !keep.includes(f));
  unfuseAttention(graph, o.opset, expand);

  let layers = findAttentionLayers(model, { keptFused: new Set(keep.map((f) => f.node)) });
  const levels = resolutionLevels(graph.node ?? [], [...layers.map((l) => l.id), ...keep.map((f) => f.id)]);
  const level = (id: string): number => levels.get(id) ?? 0;
  const fusedSlots: LayerSlot[] = keep.map((f) => ({
    id: f.id,
    kind: f.kind,
    level: level(f.id),
    controlled: false,
    explicit: null,
    fused: f.node,
    heads: f.heads,
  }));
  const notFused = new Map<string, string>();
  if (o.fuseUncontrolled) {
    const candidates = layers.filter((l) => !o.controlled(l.kind, level(l.id)));
    // ORT's CPU MultiHeadAttention kernel is float32 only; a half model keeps these layers explicit.
    if (o.half) for (const l of candidates) notFused.set(l.id, 'half-precision model');
    else {
      const { fused, skipped } = fuseAttentionLayers(model, candidates);
      for (const [id, why] of skipped) notFused.set(id, why);
      for (const l of candidates) {
        const node = fused.get(l.id);
        if (node)
          fusedSlots.push({
            id: l.id,
            kind: l.kind,
            level: level(l.id),
            controlled: false,
            explicit: null,
            fused: node,
            heads: l.heads,
          });
      }
      layers = layers.filter((l) => !fused.has(l.id));
    }
  }

  const position = new Map<NodeProto, number>((graph.node ?? []).map((n, i) => [n, i]));
  const slots: LayerSlot[] = [
    ...layers.map((l) => ({
      id: l.id,
      kind: l.kind,
      level: level(l.id),
      controlled: o.controlled(l.kind, level(l.id)),
      explicit: l,
      fused: null,
      heads: l.heads,
    })),
    ...fusedSlots,
  ];
  const at = (s: LayerSlot): number => position.get((s.explicit?.softmax ?? s.fused) as NodeProto) ?? -1;
  slots.sort((a, b) => at(a) - at(b));
  return { slots, expanded: expand.length, notFused };
}
