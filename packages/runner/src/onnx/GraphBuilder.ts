import { PtpPackError } from './PtpPackError.js';
import { AttributeType, DataType } from './onnxProto.js';
import type { AttributeProto, GraphProto, NodeProto, TensorProto } from './onnxProto.js';

type AttrValue = number | number[] | string | { float: number } | { floats: number[] } | { graph: GraphProto };

/**
 * Emits new nodes and constant initialisers into a graph with collision-free names. Knows the
 * opset so axes go in as inputs (opset >= 13) or attributes (older).
 */
export class GraphBuilder {
  /** Where emitted nodes go; the patcher points it at the slot after the node being rewritten. */
  sink: NodeProto[] = [];
  readonly newInitializers: TensorProto[] = [];
  readonly emitted: NodeProto[] = [];
  private readonly used = new Set<string>();
  private readonly constCache = new Map<string, string>();

  constructor(
    graph: GraphProto,
    readonly opset: number,
  ) {
    for (const n of graph.node ?? []) {
      if (n.name) this.used.add(n.name);
      for (const o of n.output ?? []) this.used.add(o);
      for (const i of n.input ?? []) this.used.add(i);
    }
    for (const t of graph.initializer ?? []) if (t.name) this.used.add(t.name);
    for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.value_info ?? [])])
      if (v.name) this.used.add(v.name);
  }

  /** A name not used anywhere in the graph yet, reserved from now on. */
  unique(base: string): string {
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** Reserves a name the caller must use verbatim (a graph input or output). */
  reserve(name: string): void {
    if (this.used.has(name))
      throw new PtpPackError(
        'ALREADY_PATCHED',
        `the graph already has a tensor named '${name}'; import the plain UNet export, not a patched one`,
      );
    this.used.add(name);
  }

  /** Runs `emit` with `sink` as the node list, then restores the previous one. */
  within<T>(sink: NodeProto[], emit: () => T): T {
    const saved = this.sink;
    this.sink = sink;
    try {
      return emit();
    } finally {
      this.sink = saved;
    }
  }

  /**
   * `If(cond)`: each branch emits its nodes (they may read any tensor of the enclosing graph) and
   * returns its output tensors, fresh names of its own. The If produces `outputs` (forced names, e.g.
   * a tensor it takes over) or new names; `nodeName` forces the node's name (one a removed node left).
   */
  ifElse(
    cond: string,
    base: string,
    thenBranch: () => string[],
    elseBranch: () => string[],
    outputs?: string[],
    nodeName?: string,
  ): string[] {
    const branch = (tag: string, emit: () => string[]): GraphProto => {
      const nodes: NodeProto[] = [];
      const outs = this.within(nodes, emit);
      return { name: this.unique(`${base}/${tag}`), node: nodes, output: outs.map((name) => ({ name })) };
    };
    const thenGraph = branch('then', thenBranch);
    const elseGraph = branch('else', elseBranch);
    const count = thenGraph.output?.length ?? 0;
    if (count !== elseGraph.output?.length || (outputs && outputs.length !== count))
      throw new Error(`If ${base}: branch outputs do not match`);
    const outs = outputs ?? Array.from({ length: count }, (_, k) => this.unique(`${base}_output_${k}`));
    const node: NodeProto = {
      name: nodeName ?? this.unique(base),
      op_type: 'If',
      input: [cond],
      output: outs,
      attribute: [attribute('then_branch', { graph: thenGraph }), attribute('else_branch', { graph: elseGraph })],
    };
    this.sink.push(node);
    this.emitted.push(node);
    return outs;
  }

  /** Adds one node; `output` forces the output name (used to take over a renamed tensor). */
  op(opType: string, inputs: string[], base: string, attrs: Record<string, AttrValue> = {}, output?: string): string {
    const out = output ?? this.unique(`${base}_output_0`);
    const node: NodeProto = {
      name: this.unique(base),
      op_type: opType,
      input: inputs,
      output: [out],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    };
    this.sink.push(node);
    this.emitted.push(node);
    return out;
  }

  /** Adds one node with several outputs (`count` new names, or the given ones) and/or a domain (Split, contrib ops). */
  opMulti(
    opType: string,
    inputs: string[],
    base: string,
    outputs: number | string[],
    attrs: Record<string, AttrValue> = {},
    domain?: string,
  ): string[] {
    const outs =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, (_, k) => this.unique(`${base}_output_${k}`))
        : outputs;
    const node: NodeProto = {
      name: this.unique(base),
      op_type: opType,
      input: inputs,
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      ...(domain ? { domain } : {}),
    };
    this.sink.push(node);
    this.emitted.push(node);
    return outs;
  }

  int64(values: number[], dims: number[] = [values.length]): string {
    return this.constant('i64', values, dims, DataType.INT64);
  }

  float(values: number[], dims: number[] = [values.length]): string {
    return this.constant('f32', values, dims, DataType.FLOAT);
  }

  unsqueeze(x: string, axes: number[], base: string): string {
    return this.opset >= 13
      ? this.op('Unsqueeze', [x, this.int64(axes)], base)
      : this.op('Unsqueeze', [x], base, { axes });
  }

  squeeze(x: string, axes: number[], base: string): string {
    return this.opset >= 13 ? this.op('Squeeze', [x, this.int64(axes)], base) : this.op('Squeeze', [x], base, { axes });
  }

  /** Any Reduce* op; axes move from attribute to input at opset 13 (ReduceSum) or 18 (the others). */
  reduce(opType: string, x: string, axes: number[], keepdims: 0 | 1, base: string): string {
    const axesAsInput = this.opset >= (opType === 'ReduceSum' ? 13 : 18);
    return axesAsInput
      ? this.op(opType, [x, this.int64(axes)], base, { keepdims })
      : this.op(opType, [x], base, { axes, keepdims });
  }

  /** x[start:end] along `axis`; bounds are 1-element int64 tensors or numbers. */
  slice(x: string, start: string | number, end: string | number, axis: number, base: string): string {
    const s = typeof start === 'number' ? this.int64([start]) : start;
    const e = typeof end === 'number' ? this.int64([end]) : end;
    return this.op('Slice', [x, s, e, this.int64([axis])], base);
  }

  private constant(kind: string, values: number[], dims: number[], dataType: number): string {
    const key = `${kind}:${dims.join(',')}:${values.join(',')}`;
    const cached = this.constCache.get(key);
    if (cached) return cached;
    const name = this.unique(
      `/ptp/const/${kind}_${values.length <= 4 ? values.join('_').replace(/-/g, 'm') : values.length}`,
    );
    const raw = new Uint8Array(values.length * (dataType === DataType.INT64 ? 8 : 4));
    const view = new DataView(raw.buffer);
    values.forEach((v, k) =>
      dataType === DataType.INT64 ? view.setBigInt64(k * 8, BigInt(v), true) : view.setFloat32(k * 4, v, true),
    );
    this.newInitializers.push({ name, dims, data_type: dataType, raw_data: raw });
    this.constCache.set(key, name);
    return name;
  }
}

function attribute(name: string, v: AttrValue): AttributeProto {
  if (typeof v === 'number') return { name, type: AttributeType.INT, i: v };
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: AttributeType.INTS, ints: v };
  if ('graph' in v) return { name, type: AttributeType.GRAPH, g: v.graph };
  if ('float' in v) return { name, type: AttributeType.FLOAT, f: v.float };
  return { name, type: AttributeType.FLOATS, floats: v.floats };
}
