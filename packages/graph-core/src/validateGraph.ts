import type { WorkflowDocument, WorkflowEdge, WorkflowNode } from './document/WorkflowDocument.js';
import { fromZodIssues, graphError, graphWarning, type GraphError } from './errors.js';
import { findCycles, indexGraph, type GraphIndex } from './graphIndex.js';
import type { InputSpec } from './NodeDefinition.js';
import type { NodeRegistry } from './NodeRegistry.js';
import { applyNodeModes, type CutLink } from './applyNodeModes.js';
import { checkNodes } from './checkNodes.js';
import { checkPackParams, checkUploadParams } from './packParams.js';
import { checkParamLimits, type RunLimits } from './paramLimits.js';
import { flattenSubgraphs, type FlatDocument } from './subgraphs/flattenSubgraphs.js';
import { liftError } from './subgraphs/liftError.js';
import { subgraphIdOf } from './document/WorkflowDocument.js';
import { own } from './own.js';

export interface ValidateOptions {
  /** Hold cost-scaling params (steps, size, batch) to a runner's limits, e.g. the server's. */
  readonly limits?: RunLimits;
  /**
   * Report problems inside blocks on the block node (default), or, with false, on the flattened
   * graph's `<block node>/<inner>` ids: what an editor showing a block's inside wants.
   */
  readonly lift?: boolean;
  /** The model packs the runner can load: pack params naming another are errors (UNKNOWN_PACK). */
  readonly packs?: readonly string[];
  /** Whether the runner holds an upload: upload params naming one it lacks are errors (UPLOAD_NOT_FOUND). */
  readonly uploads?: (id: string) => boolean;
}

export interface ValidationReport {
  readonly ok: boolean;
  /** Problems in terms of the document as given: a node inside a block is reported on the block node. */
  readonly errors: GraphError[];
  readonly warnings: GraphError[];
  /** The graph that runs: the document with its blocks flattened (the same document when it has none). */
  readonly flat: FlatDocument;
  /** Params with defaults applied, for every node of the flattened graph whose params are valid. */
  readonly params: ReadonlyMap<string, Record<string, unknown>>;
  /** The flattened graph's index (node ids inside blocks are `<block node>/<inner>`). */
  readonly index: GraphIndex;
  /** The nodes (of the flattened graph) a run with no explicit targets produces. */
  readonly outputNodes: string[];
}

/**
 * Checks a loaded document against a registry and returns every problem at once, each tied to
 * its node, input, param or edge: structure, params, every node's own `check` (with the values
 * of static nodes upstream) and, given limits, the runner's limits. Never throws. Unknown node
 * types stay in the graph as placeholders and are reported, so the editor can still show them.
 */
export function validateGraph(
  given: WorkflowDocument,
  registry: NodeRegistry,
  options: ValidateOptions = {},
): ValidationReport {
  const flat = flattenSubgraphs(given);
  // Bypassed and muted nodes leave the graph that is checked and run; a required input left with
  // nothing says why, and so does each node that falls silent with a muted one.
  const { doc, cut, mutedWith } = applyNodeModes(flat.doc, registry);
  const problems: GraphError[] = [...flat.errors];
  const typeOf = mutedWith.length ? new Map(flat.doc.nodes.map((n) => [n.id, n.type])) : undefined;
  for (const m of mutedWith)
    problems.push(
      // A node of a muted block is named by the block, the node the user muted.
      graphWarning(
        'MUTED_INPUT',
        `does not run: required input "${m.input}" comes from muted node "${flat.origins.get(m.muted)?.instance ?? m.muted}"`,
        {
          nodeId: m.node,
          nodeType: typeOf!.get(m.node)!,
          input: m.input,
        },
      ),
    );
  const params = new Map<string, Record<string, unknown>>();
  const index = indexGraph(doc);
  checkUniqueIds(doc, problems);
  for (const node of index.nodes.values()) checkNode(node, registry, params, problems);
  for (const edge of doc.edges) checkEdge(edge, index, registry, problems);
  const cutAt = new Map(cut.map((c) => [`${c.node}\u0000${c.input}`, c]));
  for (const node of index.nodes.values()) checkInputLinks(node, index, registry, problems, cutAt);
  checkCycles(index, problems);
  problems.push(...checkNodes(index, registry, params, doc));
  if (options.limits) {
    // Raw values, so a number over the schema's own bound still gets the runner's limit named; the
    // schema's complaint about the same param is then dropped (one message per field).
    const raw = new Map([...index.nodes.values()].map((n) => [n.id, { ...n.params, ...params.get(n.id) }]));
    const over = checkParamLimits(raw, index.nodes.keys(), options.limits);
    const key = (e: GraphError) => `${e.nodeId}\u0000${e.param}`;
    const limited = new Set(over.map(key));
    const kept = problems.filter((e) => e.code !== 'INVALID_PARAM' || !limited.has(key(e)));
    problems.length = 0;
    problems.push(...kept, ...over);
  }

  if (options.packs) problems.push(...checkPackParams(index, registry, params, options.packs));
  if (options.uploads) problems.push(...checkUploadParams(index, registry, params, options.uploads));

  const outputNodes = [...index.nodes.values()].filter((n) => registry.get(n.type)?.output).map((n) => n.id);
  if (outputNodes.length === 0)
    problems.push(
      graphError(
        'NO_OUTPUT',
        flat.doc.nodes.some((n) => registry.get(n.type)?.output)
          ? 'every output node is bypassed or muted, or needs a muted node, so running the graph would do nothing'
          : 'the graph has no output node (e.g. Save image or Preview), so running it would do nothing',
      ),
    );

  const lifted = flat.origins.size && options.lift !== false ? problems.map((e) => liftError(e, flat)) : problems;
  const errors = lifted.filter((p) => p.severity !== 'warning');
  const warnings = lifted.filter((p) => p.severity === 'warning');
  return { ok: errors.length === 0, errors, warnings, flat, params, index, outputNodes };
}

function checkUniqueIds(doc: WorkflowDocument, problems: GraphError[]): void {
  const seenIds = new Set<string>();
  for (const node of doc.nodes) {
    if (seenIds.has(node.id))
      problems.push(
        graphError('DUPLICATE_NODE_ID', `node id "${node.id}" is used more than once`, { nodeId: node.id }),
      );
    seenIds.add(node.id);
  }
  const seenEdgeIds = new Set<string>();
  for (const edge of doc.edges) {
    if (edge.id === undefined) continue;
    if (seenEdgeIds.has(edge.id))
      problems.push(
        graphError('DUPLICATE_EDGE_ID', `edge id "${edge.id}" is used more than once`, { edgeId: edge.id }),
      );
    seenEdgeIds.add(edge.id);
  }
}

/** A node's type, version and params; valid params (defaults applied) go to `params`. */
function checkNode(
  node: WorkflowNode,
  registry: NodeRegistry,
  params: Map<string, Record<string, unknown>>,
  problems: GraphError[],
): void {
  const ctx = { nodeId: node.id, nodeType: node.type };
  const def = registry.get(node.type);
  // A block node still here could not be expanded; flattening said why.
  if (!def && subgraphIdOf(node.type) !== undefined) return;
  if (!def) {
    problems.push(
      graphError(
        'UNKNOWN_NODE_TYPE',
        `unknown node type "${node.type}"; it is kept as a placeholder but cannot run`,
        ctx,
      ),
    );
    return;
  }
  if (node.typeVersion > def.version) {
    problems.push(
      graphError(
        'NODE_VERSION_TOO_NEW',
        `saved by ${node.type} v${node.typeVersion}; this build has v${def.version}`,
        ctx,
      ),
    );
    return;
  }
  const parsed = def.params.safeParse(node.params);
  if (parsed.success) params.set(node.id, parsed.data as Record<string, unknown>);
  else {
    for (const e of fromZodIssues('INVALID_PARAM', parsed.error.issues, ctx)) {
      const first = e.path?.[0];
      problems.push(
        first === undefined
          ? e
          : { ...e, param: String(first), message: `param "${String(first)}": ${e.message.replace(/^[^:]*: /, '')}` },
      );
    }
  }
  for (const key of Object.keys(node.params)) {
    if (!Object.hasOwn(def.params.shape, key))
      problems.push(
        graphWarning('UNKNOWN_PARAM', `param "${key}" is not used by ${node.type} and will be dropped`, {
          ...ctx,
          param: key,
        }),
      );
  }
}

/** An edge's endpoints, socket names and types. */
function checkEdge(edge: WorkflowEdge, index: GraphIndex, registry: NodeRegistry, problems: GraphError[]): void {
  const from = index.nodes.get(edge.from.node);
  const to = index.nodes.get(edge.to.node);
  const edgeCtx = edge.id === undefined ? {} : { edgeId: edge.id };
  if (!from || !to) {
    const missing = !from ? edge.from.node : edge.to.node;
    problems.push(
      graphError(
        'DANGLING_EDGE',
        `edge ${edge.from.node}.${edge.from.output} -> ${edge.to.node}.${edge.to.input} refers to missing node "${missing}"`,
        { ...edgeCtx, ...(to ? { nodeId: to.id, input: edge.to.input } : {}) },
      ),
    );
    return;
  }
  const fromDef = registry.get(from.type);
  const toDef = registry.get(to.type);
  const outSpec = own(fromDef?.outputs, edge.from.output) as InputSpec | undefined;
  const inSpec = own(toDef?.inputs, edge.to.input) as InputSpec | undefined;
  if (fromDef && !outSpec)
    problems.push(
      graphError('UNKNOWN_OUTPUT', `${from.type} has no output "${edge.from.output}"`, {
        ...edgeCtx,
        nodeId: from.id,
        nodeType: from.type,
        output: edge.from.output,
      }),
    );
  if (toDef && !inSpec)
    problems.push(
      graphError('UNKNOWN_INPUT', `${to.type} has no input "${edge.to.input}"`, {
        ...edgeCtx,
        nodeId: to.id,
        nodeType: to.type,
        input: edge.to.input,
      }),
    );
  if (outSpec && inSpec && !registry.canConnect(outSpec.type, inSpec.type)) {
    problems.push(
      graphError(
        'TYPE_MISMATCH',
        `input "${edge.to.input}" takes ${inSpec.type} but ${from.id}.${edge.from.output} gives ${outSpec.type}`,
        { ...edgeCtx, nodeId: to.id, nodeType: to.type, input: edge.to.input },
      ),
    );
  }
}

/** A node's inputs: required ones connected, single ones connected once. */
function checkInputLinks(
  node: WorkflowNode,
  index: GraphIndex,
  registry: NodeRegistry,
  problems: GraphError[],
  cutAt: ReadonlyMap<string, CutLink>,
): void {
  const def = registry.get(node.type);
  if (!def) return;
  const links = new Map<string, number>();
  for (const e of index.incoming.get(node.id)!) links.set(e.to.input, (links.get(e.to.input) ?? 0) + 1);
  for (const [name, spec] of Object.entries(def.inputs as Record<string, InputSpec>)) {
    const n = links.get(name) ?? 0;
    const ctx = { nodeId: node.id, nodeType: node.type, input: name };
    if (n === 0 && !spec.optional && !spec.multi) {
      const by = cutAt.get(`${node.id}\u0000${name}`);
      problems.push(
        by
          ? graphError(
              'BYPASSED_INPUT',
              by.reroute
                ? `required input "${name}" (${spec.type}) comes from reroute "${by.bypassed}", which has nothing linked into it`
                : `required input "${name}" (${spec.type}) comes from bypassed node "${by.bypassed}", which has no ${by.type} input to pass on`,
              ctx,
            )
          : graphError('MISSING_INPUT', `required input "${name}" (${spec.type}) is not connected`, ctx),
      );
    }
    if (n > 1 && !spec.multi)
      problems.push(graphError('MULTIPLE_LINKS', `input "${name}" takes one link but has ${n}`, ctx));
  }
}

function checkCycles(index: GraphIndex, problems: GraphError[]): void {
  for (const cycle of findCycles(index)) {
    const shown = cycle.length > 8 ? `${cycle.slice(0, 8).join(' -> ')} -> ...` : cycle.join(' -> ');
    for (const id of cycle)
      problems.push(
        graphError('CYCLE', `node is on a cycle: ${shown}`, { nodeId: id, nodeType: index.nodes.get(id)!.type }),
      );
  }
}
