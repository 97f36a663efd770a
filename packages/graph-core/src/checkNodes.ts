import { graphError, NodeRunError, type GraphError } from './errors.js';
import { topologicalOrder, type GraphIndex } from './graphIndex.js';
import type { AnyNodeDefinition, CheckIssue, InputSpec, NodeContext } from './NodeDefinition.js';
import type { NodeRegistry } from './NodeRegistry.js';
import { own } from './own.js';

type Values = Record<string, unknown>;

/** A check's issue as a GraphError on `nodeId`. */
export function issueToError(issue: CheckIssue, nodeId: string, nodeType: string): GraphError {
  return graphError(checkFailure(issue).code, issue.message, {
    nodeId,
    nodeType,
    ...(issue.input !== undefined ? { input: issue.input } : {}),
    ...(issue.param !== undefined ? { param: issue.param } : {}),
  });
}

/** A check's issue as the error a run throws for it. */
export function checkFailure(issue: CheckIssue): NodeRunError {
  const code = issue.code ?? (issue.param !== undefined ? 'INVALID_PARAM' : 'INVALID_INPUT');
  return new NodeRunError(issue.message, {
    code,
    ...(issue.input !== undefined ? { input: issue.input } : {}),
    ...(issue.param !== undefined ? { param: issue.param } : {}),
  });
}

/** Runs a definition's `check`; a check that throws is reported as the node's own problem. */
export function runCheck(def: AnyNodeDefinition, inputs: Values, params: Values): CheckIssue[] {
  if (!def.check) return [];
  try {
    return [...def.check(inputs, params)];
  } catch (err) {
    return [{ message: `check failed: ${(err as Error).message}`, code: 'NODE_FAILED' }];
  }
}

const NEVER = new AbortController().signal;
const SILENT = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The input values of a node that are known without running anything heavy: links from static
 * nodes that evaluated. A multi input is known when all its links are (empty when unlinked).
 */
function knownInputs(index: GraphIndex, id: string, specs: Record<string, InputSpec>, values: Map<string, Values>) {
  const inputs: Values = {};
  const unknown = new Set<string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.multi) inputs[name] = [];
  for (const e of index.incoming.get(id) ?? []) {
    const from = values.get(e.from.node);
    const spec = own(specs, e.to.input);
    if (!spec) continue;
    if (!from || !Object.hasOwn(from, e.from.output)) unknown.add(e.to.input);
    else if (spec.multi) (inputs[e.to.input] as unknown[]).push(from[e.from.output]);
    else inputs[e.to.input] = from[e.from.output];
  }
  for (const name of unknown) delete inputs[name];
  return { inputs, complete: unknown.size === 0 };
}

/**
 * Every node's `check` with what is known before running: static nodes (prompts, schedules) are
 * evaluated in graph order so the checks downstream see their values. Skipped on cyclic graphs
 * (validation reports the cycle) and for nodes whose params are invalid.
 */
export function checkNodes(
  index: GraphIndex,
  registry: NodeRegistry,
  params: ReadonlyMap<string, Values>,
  workflow: unknown,
): GraphError[] {
  const order = topologicalOrder(index, new Set(index.nodes.keys()));
  if (!order) return [];
  const problems: GraphError[] = [];
  const values = new Map<string, Values>();
  for (const id of order) {
    const node = index.nodes.get(id)!;
    const def = registry.get(node.type);
    const p = params.get(id);
    if (!def || !p) continue;
    const { inputs, complete } = knownInputs(index, id, def.inputs as Record<string, InputSpec>, values);
    const issues = runCheck(def, inputs, p);
    for (const issue of issues) problems.push(issueToError(issue, id, node.type));
    if (!def.static || !complete || issues.length) continue;
    const value = evaluateStatic(def, id, inputs, p, workflow);
    if (value instanceof NodeRunError) problems.push(issueToError(value, id, node.type));
    else if (value) values.set(id, value);
  }
  return problems;
}

function evaluateStatic(
  def: AnyNodeDefinition,
  nodeId: string,
  inputs: Values,
  params: Values,
  workflow: unknown,
): Values | NodeRunError | undefined {
  const ctx: NodeContext = {
    nodeId,
    signal: NEVER,
    progress() {},
    log: SILENT,
    backend: undefined,
    workflow,
    resources: {},
  };
  try {
    const out = def.run(inputs, params, ctx) as unknown;
    // A static node must be synchronous; a promise means it is not, so its value stays unknown.
    return out instanceof Promise ? (out.catch(() => {}), undefined) : (out as Values);
  } catch (err) {
    return err instanceof NodeRunError ? err : undefined;
  }
}

/**
 * A definition's `check` then its `run`, as the engine does: the first issue is thrown as a
 * NodeRunError. For calling one node directly (tests, tools) with the same refusals as a run.
 */
export function runChecked<D extends AnyNodeDefinition>(
  def: D,
  inputs: Parameters<D['run']>[0],
  params: Parameters<D['run']>[1],
  ctx: NodeContext,
): ReturnType<D['run']> {
  const issue = runCheck(def, inputs, params)[0];
  if (issue) throw checkFailure(issue);
  return def.run(inputs, params, ctx) as ReturnType<D['run']>;
}
