import { subgraphType } from '../document/WorkflowDocument.js';
import type { GraphError } from '../errors.js';
import type { FlatDocument } from './flattenSubgraphs.js';

/**
 * A problem found in the flattened graph, told in terms of the document the user sees: a node
 * inside a block becomes the block node, and its input or param the block's socket or param that
 * exposes it (when one does; otherwise the message names the inner node and socket).
 */
export function liftError(e: GraphError, flat: Pick<FlatDocument, 'origins' | 'definitions'>): GraphError {
  const origin = e.nodeId === undefined ? undefined : flat.origins.get(e.nodeId);
  if (!origin) return e;
  const def = flat.definitions.get(origin.subgraph);
  const { input: _i, output: _o, param: _p, edgeId: _e, ...rest } = e;
  const lifted: GraphError = { ...rest, nodeId: origin.instance, nodeType: subgraphType(origin.subgraph) };
  const input =
    e.input === undefined
      ? undefined
      : def?.inputs.find((i) => i.targets.some((t) => t.node === origin.inner && t.input === e.input))?.name;
  const output =
    e.output === undefined
      ? undefined
      : def?.outputs.find((o) => o.from.node === origin.inner && o.from.output === e.output)?.name;
  const param =
    e.param === undefined ? undefined : def?.params.find((p) => p.node === origin.inner && p.param === e.param)?.name;
  if (input !== undefined) lifted.input = input;
  if (output !== undefined) lifted.output = output;
  if (param !== undefined) lifted.param = param;
  const renames: [string | undefined, string | undefined][] = [
    [e.input, input],
    [e.output, output],
    [e.param, param],
  ];
  const named = renames.filter(([inner]) => inner !== undefined);
  if (named.length && named.every(([, outer]) => outer !== undefined)) {
    // It is about a socket or param the block shows: say it in the block's own words, as a
    // problem of any other node would be (the field it appears under already says where).
    lifted.message = named.reduce((m, [inner, outer]) => m.split(`"${inner}"`).join(`"${outer}"`), e.message);
    return lifted;
  }
  const where = [
    `node "${origin.inner}"`,
    e.input !== undefined && input === undefined ? `input "${e.input}"` : '',
    e.output !== undefined && output === undefined ? `output "${e.output}"` : '',
    e.param !== undefined && param === undefined ? `param "${e.param}"` : '',
  ]
    .filter(Boolean)
    .join(', ');
  lifted.message = `in block "${def?.name ?? origin.subgraph}", ${where}: ${e.message}`;
  return lifted;
}
