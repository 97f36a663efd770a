import { DATA_LOCATION_EXTERNAL, DataType, int64ToNumber } from './onnxProto.js';
import type { GraphProto, NodeProto, TensorProto } from './onnxProto.js';

/** Producer/consumer lookups and small-constant reads over one graph (read-only snapshot). */
export class GraphIndex {
  readonly nodes: NodeProto[];
  private readonly producerOf = new Map<string, number>();
  private readonly consumersOf = new Map<string, number[]>();
  private readonly initializers = new Map<string, TensorProto>();
  private readonly graphInputs = new Set<string>();

  constructor(graph: GraphProto) {
    this.nodes = graph.node ?? [];
    this.nodes.forEach((node, i) => {
      for (const out of node.output ?? []) if (out) this.producerOf.set(out, i);
      for (const inp of node.input ?? []) {
        if (!inp) continue;
        const list = this.consumersOf.get(inp);
        if (list) list.push(i);
        else this.consumersOf.set(inp, [i]);
      }
    });
    for (const t of graph.initializer ?? []) if (t.name) this.initializers.set(t.name, t);
    for (const v of graph.input ?? []) if (v.name) this.graphInputs.add(v.name);
  }

  producerIndex(tensor: string): number | undefined {
    return this.producerOf.get(tensor);
  }

  producer(tensor: string): NodeProto | undefined {
    const i = this.producerOf.get(tensor);
    return i === undefined ? undefined : this.nodes[i];
  }

  consumers(tensor: string): NodeProto[] {
    return (this.consumersOf.get(tensor) ?? [])
      .map((i) => this.nodes[i])
      .filter((n): n is NodeProto => n !== undefined);
  }

  indexOf(node: NodeProto): number {
    const out = node.output?.[0];
    const i = out === undefined ? undefined : this.producerOf.get(out);
    return i ?? this.nodes.indexOf(node);
  }

  /** True for initializers and Constant-node outputs (values known without running the graph). */
  isConstant(tensor: string): boolean {
    if (this.initializers.has(tensor) && !this.graphInputs.has(tensor)) return true;
    return this.producer(tensor)?.op_type === 'Constant';
  }

  /** Integer values of a small constant tensor (int64/int32 initializer or Constant), else null. */
  constInts(tensor: string): number[] | null {
    const t = this.constTensor(tensor);
    if (!t || t.data_location === DATA_LOCATION_EXTERNAL) return null;
    if (t.data_type === DataType.INT64) {
      if (t.int64_data && t.int64_data.length > 0) return t.int64_data.map((v) => int64ToNumber(v));
      const raw = t.raw_data;
      if (!raw || raw.byteLength % 8 !== 0 || raw.byteLength > 64) return null;
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      return Array.from({ length: raw.byteLength / 8 }, (_, k) => Number(view.getBigInt64(k * 8, true)));
    }
    if (t.data_type === 6 /* INT32 */) {
      if (t.int32_data && t.int32_data.length > 0) return [...t.int32_data];
      const raw = t.raw_data;
      if (!raw || raw.byteLength % 4 !== 0 || raw.byteLength > 32) return null;
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      return Array.from({ length: raw.byteLength / 4 }, (_, k) => view.getInt32(k * 4, true));
    }
    return null;
  }

  /** The value of a float32 scalar (or one-element) constant, else null. */
  constFloat(tensor: string): number | null {
    const t = this.constTensor(tensor);
    if (!t || t.data_location === DATA_LOCATION_EXTERNAL || t.data_type !== DataType.FLOAT) return null;
    if (t.float_data && t.float_data.length === 1) return t.float_data[0] ?? null;
    const raw = t.raw_data;
    if (!raw || raw.byteLength !== 4) return null;
    return new DataView(raw.buffer, raw.byteOffset, 4).getFloat32(0, true);
  }

  private constTensor(tensor: string): TensorProto | undefined {
    const init = this.initializers.get(tensor);
    if (init) return init;
    const node = this.producer(tensor);
    if (node?.op_type !== 'Constant') return undefined;
    return node.attribute?.find((a) => a.name === 'value')?.t;
  }
}
