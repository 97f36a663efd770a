import { graphError, type GraphError } from './errors.js';
import { ancestorsOf } from './graphIndex.js';
import type { ValidationReport } from './validateGraph.js';

/** What a run of a validated graph covers: its targets and their ancestors, in the flattened graph. */
export interface RunTargets {
  targets: string[];
  needed: Set<string>;
  /** The report's problems that stop this run: those in what it needs, and unknown targets. */
  blocking: GraphError[];
}

/**
 * The nodes a run produces and needs, and what blocks it. ComfyUI's rule: problems in other
 * branches do not block, except an unknown node type when no targets are given. A block node named as a target stands for the output
 * nodes inside it and the nodes behind its exposed outputs; problems are reported on block nodes,
 * so a block counts as needed when any node inside it is.
 */
export function runTargets(report: ValidationReport, requested?: readonly string[]): RunTargets {
  const { origins, blockOutputs } = report.flat;
  const targets = requested
    ? requested.flatMap((t) => {
        const exposed = blockOutputs.get(t);
        if (report.index.nodes.has(t) || !exposed) return [t];
        const inside = report.outputNodes.filter((id) => origins.get(id)?.instance === t);
        return [...new Set([...inside, ...[...exposed.values()].map((o) => o.node)])];
      })
    : report.outputNodes;
  const needed = ancestorsOf(report.index, targets);
  const neededHere = origins.size ? new Set([...needed].map((id) => origins.get(id)?.instance ?? id)) : needed;
  // An unknown type blocks a whole-graph run wherever it is (as ComfyUI refuses such a prompt):
  // it may be an output node (a package this runtime lacks) whose result would silently be lost.
  const blocking = report.errors.filter((e) =>
    e.nodeId === undefined
      ? !(requested && e.code === 'NO_OUTPUT')
      : neededHere.has(e.nodeId) || (!requested && e.code === 'UNKNOWN_NODE_TYPE'),
  );
  for (const t of targets)
    if (!report.index.nodes.has(t))
      blocking.push(graphError('UNKNOWN_OUTPUT_NODE', notRunMessage(report, t), { nodeId: t }));
  return { targets, needed, blocking };
}

/** Why a requested node is not in the graph that runs: absent, or taken out by its mode or a muted node. */
function notRunMessage(report: ValidationReport, id: string): string {
  const node = report.flat.doc.nodes.find((n) => n.id === id);
  if (!node) return `requested output node "${id}" is not in the graph`;
  const silenced = report.warnings.find((w) => w.code === 'MUTED_INPUT' && w.nodeId === id);
  const why =
    node.mode === 'bypass'
      ? 'it is bypassed'
      : node.mode === 'mute'
        ? 'it is muted'
        : silenced
          ? `a muted node upstream silences it (${silenced.message.replace(/^does not run: /, '')})`
          : 'it is a reroute, a bend in a link';
  return `requested node "${id}" does not run: ${why}`;
}
