import type { WorkflowDocument } from './document/WorkflowDocument.js';
import { graphError, NodeRunError, type GraphError } from './errors.js';
import type { RunEvent, RunEventBody } from './events.js';
import { ancestorsOf, topologicalOrder } from './graphIndex.js';
import type { InputSpec, Logger, NodeContext, RunResources } from './NodeDefinition.js';
import type { NodeRegistry } from './NodeRegistry.js';
import { OutputCache } from './OutputCache.js';
import { hashString, stableStringify } from './stableHash.js';
import { summarizeValue } from './summarizeValue.js';
import { validateGraph } from './validateGraph.js';

export interface RunOptions {
  runId?: string;
  /** Output node ids to produce; default every output node. Naming one runs it alone (partial execution). */
  outputs?: readonly string[];
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  /** Host services passed to every node's `ctx.resources` (overrides the engine's). */
  resources?: RunResources;
}

export interface RunResult {
  runId: string;
  status: 'success' | 'error' | 'interrupted';
  /** Outputs of the target nodes, by node id then output name. */
  outputs: Map<string, Record<string, unknown>>;
  executed: string[];
  cached: string[];
  errors: GraphError[];
}

export interface EngineOptions<Backend> {
  cache?: OutputCache;
  backend?: Backend;
  log?: Logger;
  /** Default host services for runs that pass none. */
  resources?: RunResources;
}

const silentLog: Logger = { debug() {}, info() {}, warn() {}, error() {} };
let runCounter = 0;

class Interrupted extends Error {}

/** Settles with the node's result, or rejects as soon as the run is aborted, whichever is first. */
function raceAbort<T>(work: Promise<T> | T, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Interrupted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(work).then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}

/**
 * Executes workflow documents: validates, plans what the requested outputs need, reuses cached
 * node outputs, runs the rest in topological order and reports typed events. One engine holds one
 * cache, so successive runs (edits of the same graph, or other graphs sharing subgraphs) reuse work.
 */
export class Engine<Backend = unknown> {
  readonly registry: NodeRegistry;
  readonly cache: OutputCache;
  readonly #backend: Backend | undefined;
  readonly #log: Logger;
  readonly #resources: RunResources;

  constructor(registry: NodeRegistry, options: EngineOptions<Backend> = {}) {
    this.registry = registry;
    this.cache = options.cache ?? new OutputCache();
    this.#backend = options.backend;
    this.#log = options.log ?? silentLog;
    this.#resources = options.resources ?? {};
  }

  async run(doc: WorkflowDocument, options: RunOptions = {}): Promise<RunResult> {
    const runId = options.runId ?? `run-${Date.now().toString(36)}-${(runCounter++).toString(36)}`;
    const started = performance.now();
    let seq = 0;
    const emit = (body: RunEventBody) => options.onEvent?.({ ...body, runId, seq: seq++, time: Date.now() } as RunEvent);
    const result: RunResult = { runId, status: 'error', outputs: new Map(), executed: [], cached: [], errors: [] };
    const fail = (errors: GraphError[]) => {
      const first = errors[0]!;
      result.errors = errors;
      emit({ type: 'error', code: first.code, message: first.message, ...pick(first), errors });
      return result;
    };

    const report = validateGraph(doc, this.registry);
    const { index } = report;
    const targets = options.outputs ? [...options.outputs] : report.outputNodes;
    const needed = ancestorsOf(index, targets);
    const order = topologicalOrder(index, needed) ?? [];

    // Only problems in what this run needs block it (ComfyUI semantics): a broken branch elsewhere
    // does not stop a partial run of a healthy one.
    const blocking = report.errors.filter((e) => (e.nodeId === undefined ? !(options.outputs && e.code === 'NO_OUTPUT') : needed.has(e.nodeId)));
    for (const t of targets) {
      if (!index.nodes.has(t)) blocking.push(graphError('UNKNOWN_OUTPUT_NODE', `requested output node "${t}" is not in the graph`, { nodeId: t }));
    }
    if (blocking.length) {
      emit({ type: 'run_started', nodes: [], cached: [], targets });
      return fail(blocking);
    }

    // Signatures: what a node computes depends only on its type, version, params and inputs.
    const signatures = new Map<string, string>();
    for (const id of order) {
      const node = index.nodes.get(id)!;
      const def = this.registry.get(node.type)!;
      let key = `${node.type}@${def.version}|${stableStringify(report.params.get(id))}`;
      for (const e of index.incoming.get(id)!) key += `|${e.to.input}<${signatures.get(e.from.node)}.${e.from.output}`;
      if (def.cacheable === false) key += `|run:${runId}`;
      signatures.set(id, hashString(key));
    }

    // Walk back from the targets, stopping at cached nodes: their ancestors need not run at all.
    const values = new Map<string, Record<string, unknown>>();
    const toRun = new Set<string>();
    const visit = [...targets];
    while (visit.length) {
      const id = visit.pop()!;
      if (values.has(id) || toRun.has(id)) continue;
      const hit = this.cache.get(signatures.get(id)!);
      if (hit) {
        values.set(id, hit);
        continue;
      }
      toRun.add(id);
      for (const e of index.incoming.get(id)!) visit.push(e.from.node);
    }
    result.executed = order.filter((id) => toRun.has(id));
    result.cached = order.filter((id) => values.has(id));
    emit({ type: 'run_started', nodes: result.executed, cached: result.cached, targets });
    if (result.cached.length) emit({ type: 'node_cached', nodeIds: result.cached });

    const controller = new AbortController();
    const onAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) controller.abort();
    const signal = controller.signal;
    let currentNode: string | undefined;
    try {
      for (const id of result.executed) {
        if (signal.aborted) throw new Interrupted();
        currentNode = id;
        const node = index.nodes.get(id)!;
        const def = this.registry.get(node.type)!;
        const inputs: Record<string, unknown> = {};
        for (const [name, spec] of Object.entries(def.inputs as Record<string, InputSpec>)) if (spec.multi) inputs[name] = [];
        for (const e of index.incoming.get(id)!) {
          const v = values.get(e.from.node)![e.from.output];
          const spec = (def.inputs as Record<string, InputSpec>)[e.to.input]!;
          if (spec.multi) (inputs[e.to.input] as unknown[]).push(v);
          else inputs[e.to.input] = v;
        }
        emit({ type: 'node_executing', nodeId: id });
        const nodeStart = performance.now();
        const ctx: NodeContext<Backend | undefined> = {
          nodeId: id,
          signal,
          backend: this.#backend,
          log: this.#log,
          workflow: doc,
          resources: options.resources ?? this.#resources,
          progress: (value, max, preview) => {
            if (!signal.aborted) emit({ type: 'progress', nodeId: id, value: Math.min(Math.max(value, 0), max), max, ...(preview ? { preview } : {}) });
          },
        };
        const outputs = (await raceAbort(def.run(inputs, report.params.get(id)!, ctx), signal)) as Record<string, unknown>;
        const missing = Object.keys(def.outputs).filter((name) => !outputs || !(name in outputs));
        if (missing.length) throw new NodeRunError(`${node.type} did not produce output(s) ${missing.join(', ')}`);
        values.set(id, outputs);
        if (def.cacheable !== false) this.cache.set(signatures.get(id)!, outputs);
        emit({ type: 'node_executed', nodeId: id, durationMs: performance.now() - nodeStart, summary: def.summarize ? def.summarize(outputs) : summarizeValue(outputs) });
        currentNode = undefined;
      }
    } catch (err) {
      if (err instanceof Interrupted || (signal.aborted && !(err instanceof NodeRunError))) {
        result.status = 'interrupted';
        result.errors = [graphError('INTERRUPTED', 'run was cancelled', currentNode ? { nodeId: currentNode } : {})];
        emit({ type: 'interrupted', ...(currentNode ? { nodeId: currentNode } : {}) });
        return result;
      }
      const node = currentNode ? index.nodes.get(currentNode) : undefined;
      const e = err as Error & Partial<NodeRunError>;
      this.#log.error(`node ${currentNode} failed`, err); // the stack stays in the log, never in events
      return fail([graphError(e.code ?? 'NODE_FAILED', e.message || String(err), {
        ...(node ? { nodeId: node.id, nodeType: node.type } : {}),
        ...(e.input !== undefined ? { input: e.input } : {}),
        ...(e.param !== undefined ? { param: e.param } : {}),
      })]);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }

    for (const t of targets) result.outputs.set(t, values.get(t)!);
    result.status = 'success';
    emit({ type: 'success', executed: result.executed, cached: result.cached, durationMs: performance.now() - started });
    return result;
  }
}

function pick(e: GraphError): { nodeId?: string; input?: string; param?: string } {
  return {
    ...(e.nodeId !== undefined ? { nodeId: e.nodeId } : {}),
    ...(e.input !== undefined ? { input: e.input } : {}),
    ...(e.param !== undefined ? { param: e.param } : {}),
  };
}
