import type { WorkflowDocument } from './document/WorkflowDocument.js';
import { graphError, NodeRunError, type GraphError } from './errors.js';
import type { RunEvent, RunEventBody } from './events.js';
import { topologicalOrder, type GraphIndex } from './graphIndex.js';
import { runTargets } from './runTargets.js';
import type { InputSpec, Logger, NodeContext, RunResources } from './NodeDefinition.js';
import type { NodeRegistry } from './NodeRegistry.js';
import { OutputCache } from './OutputCache.js';
import { hashString, stableStringify } from './stableHash.js';
import { summarizeValue } from './summarizeValue.js';
import { checkFailure, runCheck } from './checkNodes.js';
import { validateGraph, type ValidationReport } from './validateGraph.js';
import type { FlatDocument } from './subgraphs/flattenSubgraphs.js';
import { liftError } from './subgraphs/liftError.js';

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
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
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
    const services: RunServices<Backend> = {
      registry: this.registry,
      cache: this.cache,
      backend: this.#backend,
      log: this.#log,
      resources: options.resources ?? this.#resources,
    };
    return new EngineRun(doc, options, runId, services).execute();
  }
}

/** What one run uses of its engine. */
interface RunServices<Backend> {
  registry: NodeRegistry;
  cache: OutputCache;
  backend: Backend | undefined;
  log: Logger;
  resources: RunResources;
}

/** What the run needs: the validated graph, the target nodes, their ancestors in topological order. */
interface RunPlan {
  report: ValidationReport;
  index: GraphIndex;
  targets: string[];
  needed: Set<string>;
  order: string[];
  /** Problems that stop this run (see runTargets). */
  blocking: GraphError[];
}

type NodeOutputs = Record<string, unknown>;

/**
 * One run of one document, as named steps: plan, check what blocks it, sign the nodes, reuse the
 * cache, execute the rest, then report success, a node's failure or the interruption.
 */
class EngineRun<Backend> {
  readonly #doc: WorkflowDocument;
  readonly #options: RunOptions;
  readonly #services: RunServices<Backend>;
  readonly #started = performance.now();
  readonly #result: RunResult;
  readonly #values = new Map<string, NodeOutputs>();
  #seq = 0;
  /** The node being executed, for the error or interruption that ends the run. */
  #currentNode: string | undefined;

  constructor(doc: WorkflowDocument, options: RunOptions, runId: string, services: RunServices<Backend>) {
    this.#doc = doc;
    this.#options = options;
    this.#services = services;
    this.#result = { runId, status: 'error', outputs: new Map(), executed: [], cached: [], errors: [] };
  }

  async execute(): Promise<RunResult> {
    const plan = this.#plan();
    const { blocking } = plan;
    if (blocking.length) {
      this.#emit({ type: 'run_started', nodes: [], cached: [], targets: plan.targets });
      return this.#fail(blocking);
    }
    const signatures = this.#signatures(plan);
    const toRun = this.#reuseCached(plan, signatures);
    const result = this.#result;
    result.executed = plan.order.filter((id) => toRun.has(id));
    result.cached = plan.order.filter((id) => this.#values.has(id));
    this.#emit({ type: 'run_started', nodes: result.executed, cached: result.cached, targets: plan.targets });
    if (result.cached.length)
      this.#emit({ type: 'node_cached', nodeIds: result.cached, ...this.#cachedSummaries(plan, result.cached) });
    const ended = await this.#executeAll(plan, signatures);
    return ended ?? this.#succeed(plan);
  }

  /** Summaries of the cached output nodes: a page that never saw them run still shows their values. */
  #cachedSummaries(plan: RunPlan, ids: readonly string[]): { summaries?: Record<string, unknown> } {
    const summaries: Record<string, unknown> = {};
    for (const id of ids) {
      const def = this.#services.registry.get(plan.index.nodes.get(id)?.type ?? '');
      const values = this.#values.get(id);
      if (def?.output && values) summaries[id] = def.summarize ? def.summarize(values) : summarizeValue(values);
    }
    return Object.keys(summaries).length ? { summaries } : {};
  }

  #emit(body: RunEventBody): void {
    this.#options.onEvent?.({ ...body, runId: this.#result.runId, seq: this.#seq++, time: Date.now() } as RunEvent);
  }

  #fail(errors: GraphError[]): RunResult {
    const first = errors[0]!;
    this.#result.errors = errors;
    this.#emit({ type: 'error', code: first.code, message: first.message, ...pick(first), errors });
    return this.#result;
  }

  #plan(): RunPlan {
    const report = validateGraph(this.#doc, this.#services.registry);
    const { index } = report;
    const { targets, needed, blocking } = runTargets(report, this.#options.outputs);
    const order = topologicalOrder(index, needed) ?? [];
    return { report, index, targets, needed, order, blocking };
  }

  /** Signatures: what a node computes depends only on its type, version, params and inputs. */
  #signatures({ report, index, order }: RunPlan): Map<string, string> {
    const signatures = new Map<string, string>();
    for (const id of order) {
      const node = index.nodes.get(id)!;
      const def = this.#services.registry.get(node.type)!;
      let key = `${node.type}@${def.version}|${stableStringify(report.params.get(id))}`;
      // By input name, so the order links were saved in (which folding a block changes) never
      // matters; a multi input keeps its links' order, which is the order of its values.
      const incoming = [...index.incoming.get(id)!].sort((a, b) =>
        a.to.input < b.to.input ? -1 : a.to.input > b.to.input ? 1 : 0,
      );
      for (const e of incoming) key += `|${e.to.input}<${signatures.get(e.from.node)}.${e.from.output}`;
      if (def.cacheable === false) key += `|run:${this.#result.runId}`;
      signatures.set(id, hashString(key));
    }
    return signatures;
  }

  /**
   * Walks back from the targets, stopping at cached nodes (their outputs become values): their
   * ancestors need not run at all. Returns the nodes that must run.
   */
  #reuseCached({ index, targets }: RunPlan, signatures: ReadonlyMap<string, string>): Set<string> {
    const toRun = new Set<string>();
    const visit = [...targets];
    while (visit.length) {
      const id = visit.pop()!;
      if (this.#values.has(id) || toRun.has(id)) continue;
      const hit = this.#services.cache.get(signatures.get(id)!);
      if (hit) {
        this.#values.set(id, hit);
        continue;
      }
      toRun.add(id);
      for (const e of index.incoming.get(id)!) visit.push(e.from.node);
    }
    return toRun;
  }

  /** Runs the nodes to execute in order; returns the ended result on failure or interruption. */
  async #executeAll(plan: RunPlan, signatures: ReadonlyMap<string, string>): Promise<RunResult | undefined> {
    const outer = this.#options.signal;
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    outer?.addEventListener('abort', onAbort, { once: true });
    if (outer?.aborted) controller.abort();
    const signal = controller.signal;
    try {
      for (const id of this.#result.executed) {
        if (signal.aborted) throw new Interrupted();
        this.#currentNode = id;
        await this.#executeNode(plan, id, signatures.get(id)!, signal);
        this.#currentNode = undefined;
      }
      return undefined;
    } catch (err) {
      if (err instanceof Interrupted || (signal.aborted && !(err instanceof NodeRunError))) return this.#interrupted();
      return this.#nodeFailed(plan.index, err, plan.report.flat);
    } finally {
      outer?.removeEventListener('abort', onAbort);
    }
  }

  async #executeNode({ report, index }: RunPlan, id: string, signature: string, signal: AbortSignal): Promise<void> {
    const node = index.nodes.get(id)!;
    const def = this.#services.registry.get(node.type)!;
    const inputs = this.#gatherInputs(index, id, def.inputs as Record<string, InputSpec>);
    this.#emit({ type: 'node_executing', nodeId: id });
    // Validation checked what was known before the run; now every input is, so `run` may trust it.
    const issue = runCheck(def, inputs, report.params.get(id)!)[0];
    if (issue) throw checkFailure(issue);
    const nodeStart = performance.now();
    const outputs = (await raceAbort(
      def.run(inputs, report.params.get(id)!, this.#context(id, signal)),
      signal,
    )) as NodeOutputs;
    const missing = Object.keys(def.outputs).filter((name) => !outputs || !(name in outputs));
    if (missing.length) throw new NodeRunError(`${node.type} did not produce output(s) ${missing.join(', ')}`);
    this.#values.set(id, outputs);
    if (def.cacheable !== false) this.#services.cache.set(signature, outputs);
    const summary = def.summarize ? def.summarize(outputs) : summarizeValue(outputs);
    this.#emit({ type: 'node_executed', nodeId: id, durationMs: performance.now() - nodeStart, summary });
  }

  /** A node's inputs from its incoming edges; a multi input collects its edges into a list (empty when none). */
  #gatherInputs(index: GraphIndex, id: string, specs: Record<string, InputSpec>): Record<string, unknown> {
    const inputs: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(specs)) if (spec.multi) inputs[name] = [];
    for (const e of index.incoming.get(id)!) {
      const v = this.#values.get(e.from.node)![e.from.output];
      const spec = specs[e.to.input]!;
      if (spec.multi) (inputs[e.to.input] as unknown[]).push(v);
      else inputs[e.to.input] = v;
    }
    return inputs;
  }

  #context(id: string, signal: AbortSignal): NodeContext<Backend | undefined> {
    const { backend, log, resources } = this.#services;
    return {
      nodeId: id,
      signal,
      backend,
      log,
      workflow: this.#doc,
      resources,
      progress: (value, max, preview) => {
        if (!signal.aborted)
          this.#emit({
            type: 'progress',
            nodeId: id,
            value: Math.min(Math.max(value, 0), max),
            max,
            ...(preview ? { preview } : {}),
          });
      },
    };
  }

  #interrupted(): RunResult {
    const currentNode = this.#currentNode;
    this.#result.status = 'interrupted';
    this.#result.errors = [graphError('INTERRUPTED', 'run was cancelled', currentNode ? { nodeId: currentNode } : {})];
    this.#emit({ type: 'interrupted', ...(currentNode ? { nodeId: currentNode } : {}) });
    return this.#result;
  }

  #nodeFailed(index: GraphIndex, err: unknown, flat?: FlatDocument): RunResult {
    const currentNode = this.#currentNode;
    const node = currentNode ? index.nodes.get(currentNode) : undefined;
    const e = err as Error & Partial<NodeRunError>;
    this.#services.log.error(`node ${currentNode} failed`, err); // the stack stays in the log, never in events
    const error = graphError(e.code ?? 'NODE_FAILED', e.message || String(err), {
      ...(node ? { nodeId: node.id, nodeType: node.type } : {}),
      ...(e.input !== undefined ? { input: e.input } : {}),
      ...(e.param !== undefined ? { param: e.param } : {}),
    });
    return this.#fail([flat ? liftError(error, flat) : error]);
  }

  #succeed({ targets, report }: Pick<RunPlan, 'targets' | 'report'>): RunResult {
    const plan = { report };
    const result = this.#result;
    for (const t of targets) result.outputs.set(t, this.#values.get(t)!);
    // A block asked for by name also answers under its own id, with its exposed outputs.
    for (const t of this.#options.outputs ?? []) {
      const exposed = plan.report.flat.blockOutputs.get(t);
      if (exposed && !result.outputs.has(t))
        result.outputs.set(
          t,
          Object.fromEntries([...exposed].map(([name, o]) => [name, this.#values.get(o.node)?.[o.output]])),
        );
    }
    result.status = 'success';
    this.#emit({
      type: 'success',
      executed: result.executed,
      cached: result.cached,
      durationMs: performance.now() - this.#started,
    });
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
