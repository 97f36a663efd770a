import {
  buildCatalogue,
  defineNode,
  type NodeRegistry,
  type AnyNodeDefinition,
  type Catalogue,
  type CatalogueEntry,
  type InputSpec,
  type SocketType,
} from '@ptp/graph-core';
import { createNodeRegistry } from '@ptp/nodes';
import { z } from 'zod';

/**
 * A node type known only from a server's catalogue (a plugin the page does not bundle): its
 * sockets are real, so links and required inputs validate; its params are checked by the server.
 */
function looseDefinition(entry: CatalogueEntry): AnyNodeDefinition {
  const sockets = (specs: CatalogueEntry['inputs']) =>
    Object.fromEntries(
      Object.entries(specs).map(([k, s]) => [
        k,
        {
          type: s.type as SocketType,
          label: s.label,
          ...(s.optional ? { optional: true } : {}),
          ...(s.multi ? { multi: true } : {}),
        } satisfies InputSpec,
      ]),
    );
  const props = Object.keys((entry.params.properties ?? {}) as Record<string, unknown>);
  return defineNode({
    type: entry.type,
    version: entry.version,
    title: entry.title,
    category: entry.category,
    description: entry.description,
    output: entry.output,
    ...(entry.origin ? { origin: entry.origin } : {}),
    inputs: sockets(entry.inputs),
    outputs: sockets(entry.outputs),
    // A param the document leaves out takes the catalogue's default, as the real definition would.
    params: z.object(
      Object.fromEntries(
        props.map((p) => [p, p in entry.defaults ? z.unknown().default(entry.defaults[p]) : z.unknown().optional()]),
      ),
    ),
    run: () => {
      // The browser runtime has its own registry (with the server's node packages imported).
      throw new Error(`${entry.type} runs on the server only`);
    },
  });
}

/**
 * The registry the editor validates with: the node types this page bundles, plus any only the
 * server's catalogue lists. Bundled definitions win (they carry the exact param schemas).
 */
export function editorRegistry(serverCatalogue?: Catalogue): NodeRegistry {
  const local = createNodeRegistry();
  if (!serverCatalogue) return local;
  const extra = serverCatalogue.nodes.filter((n) => !local.has(n.type)).map(looseDefinition);
  return extra.length ? createNodeRegistry(extra) : local;
}

/** The catalogue built in the page: no server needed (the browser runtime has the same nodes). */
export function localCatalogue(): Catalogue {
  return buildCatalogue(createNodeRegistry());
}
