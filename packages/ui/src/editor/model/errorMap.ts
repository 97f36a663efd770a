import type { GraphError } from '@ptp/graph-core';

/** The problems of one node, split by where the editor shows them. */
export interface NodeProblems {
  /** About the node as a whole (unknown type, cycle, failed run without an input or param). */
  node: GraphError[];
  inputs: Record<string, GraphError[]>;
  outputs: Record<string, GraphError[]>;
  params: Record<string, GraphError[]>;
}

export interface ErrorMap {
  byNode: ReadonlyMap<string, NodeProblems>;
  /** Problems tied to no node (e.g. NO_OUTPUT). */
  graph: GraphError[];
  errorCount: number;
  warningCount: number;
}

export const EMPTY_ERROR_MAP: ErrorMap = { byNode: new Map(), graph: [], errorCount: 0, warningCount: 0 };

function push(rec: Record<string, GraphError[]>, key: string, e: GraphError): void {
  (rec[key] ??= []).push(e);
}

/**
 * Validation report (or run errors) -> where each problem is shown: on the node, next to one of
 * its inputs or outputs, under one of its params, or in the toolbar when it names no node.
 */
export function buildErrorMap(problems: readonly GraphError[]): ErrorMap {
  const byNode = new Map<string, NodeProblems>();
  const graph: GraphError[] = [];
  let errorCount = 0;
  let warningCount = 0;
  for (const e of problems) {
    if (e.severity === 'warning') warningCount++;
    else errorCount++;
    if (e.nodeId === undefined) {
      graph.push(e);
      continue;
    }
    let p = byNode.get(e.nodeId);
    if (!p) byNode.set(e.nodeId, (p = { node: [], inputs: {}, outputs: {}, params: {} }));
    if (e.input !== undefined) push(p.inputs, e.input, e);
    else if (e.param !== undefined) push(p.params, e.param, e);
    else if (e.output !== undefined) push(p.outputs, e.output, e);
    else p.node.push(e);
  }
  return { byNode, graph, errorCount, warningCount };
}

/** Every message of a node's problems, for its tooltip and badge. */
export function problemsOf(p: NodeProblems | undefined): GraphError[] {
  if (!p) return [];
  return [
    ...p.node,
    ...Object.values(p.inputs).flat(),
    ...Object.values(p.params).flat(),
    ...Object.values(p.outputs).flat(),
  ];
}

export function hasErrors(p: NodeProblems | undefined): boolean {
  return problemsOf(p).some((e) => e.severity !== 'warning');
}

/** A param's problem where its field (or its name) is already shown: without validation's `param "x": ` lead. */
export function fieldMessage(message: string): string {
  return message.replace(/^param "[^"]*": /, '');
}

/** Input problems said in a word or two beside the socket (the whole message is its tooltip). */
const SHORT_INPUT_PROBLEMS: Partial<Record<GraphError['code'], string>> = {
  MISSING_INPUT: 'not connected',
  BYPASSED_INPUT: 'bypassed upstream',
  MUTED_INPUT: 'muted upstream',
  TYPE_MISMATCH: 'wrong type',
  MULTIPLE_LINKS: 'linked twice',
  DANGLING_EDGE: 'broken link',
  CYCLE: 'in a cycle',
};

/**
 * What an input's socket says about its problems: the first one's short form, or its message when
 * it has none (a node's own check, which says what it wants), so the node keeps its width.
 */
export function inputProblemLabel(errors: readonly GraphError[]): string {
  const first = errors[0];
  return first ? (SHORT_INPUT_PROBLEMS[first.code] ?? first.message) : '';
}

/** Up to three errors' messages in one line, for a notice ("(+2 more)" for the rest). */
export const describeErrors = (errors: readonly GraphError[]): string =>
  errors
    .slice(0, 3)
    .map((e) => e.message)
    .join('; ') + (errors.length > 3 ? ` (+${errors.length - 3} more)` : '');
