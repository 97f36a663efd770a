import { z } from 'zod';

/**
 * One forward step of the saved-document format. Steps are applied in order from the
 * document's version to the current one; each sees only the shape its `from` version had.
 */
export interface DocumentMigration {
  readonly from: number;
  readonly to: number;
  readonly description: string;
  /** Parses the old shape; a document that fails it gets structured errors, not a crash. */
  readonly schema: z.ZodType;
  readonly up: (doc: never) => unknown;
}

/**
 * Version 1: the prototype's draft format. Params sat at the node's top level next to the
 * editor position, links were positional tuples `[fromNode, fromOutput, toNode, toInput]`,
 * and the name and tags sat at the root.
 */
export const DocumentV1Schema = z.object({
  version: z.literal(1),
  name: z.string().optional(),
  tags: z.array(z.string()).optional(),
  nodes: z.array(
    z.object({
      id: z.union([z.string(), z.number()]),
      type: z.string(),
      version: z.number().int().min(1).optional(),
      pos: z.tuple([z.number(), z.number()]).optional(),
      params: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
  links: z
    .array(z.tuple([z.union([z.string(), z.number()]), z.string(), z.union([z.string(), z.number()]), z.string()]))
    .default([]),
});
type DocumentV1 = z.infer<typeof DocumentV1Schema>;

const v1ToV2: DocumentMigration = {
  from: 1,
  to: 2,
  description: 'nested metadata, editor data under node.ui, named edge endpoints',
  schema: DocumentV1Schema,
  up: (doc: DocumentV1) => ({
    schemaVersion: 2,
    metadata: { name: doc.name ?? 'Untitled workflow', description: '', tags: doc.tags ?? [] },
    nodes: doc.nodes.map((n) => ({
      id: String(n.id),
      type: n.type,
      typeVersion: n.version ?? 1,
      params: n.params ?? {},
      ...(n.pos ? { ui: { position: { x: n.pos[0], y: n.pos[1] } } } : {}),
    })),
    edges: doc.links.map(([fromNode, output, toNode, input], i) => ({
      id: `e${i}`,
      from: { node: String(fromNode), output },
      to: { node: String(toNode), input },
    })),
  }),
};

/** Version 2 as saved: anything else in it is checked by the current schema after the step. */
const DocumentV2Schema = z.looseObject({ schemaVersion: z.literal(2) });

/**
 * Version 3 adds block (subgraph) definitions, `subgraphs`, and `subgraph:<id>` node types. A
 * version-2 document has neither, so it carries over unchanged but for its version.
 */
const v2ToV3: DocumentMigration = {
  from: 2,
  to: 3,
  description: 'block (subgraph) definitions under `subgraphs`',
  schema: DocumentV2Schema,
  up: (doc: z.infer<typeof DocumentV2Schema>) => ({ ...doc, schemaVersion: 3 }),
};

/** Ordered, contiguous: `DOCUMENT_MIGRATIONS[i].to === DOCUMENT_MIGRATIONS[i + 1].from`. */
export const DOCUMENT_MIGRATIONS: readonly DocumentMigration[] = [v1ToV2, v2ToV3];
