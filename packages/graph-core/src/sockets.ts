import { z } from 'zod';
import type { SocketValues } from './NodeDefinition.js';

/**
 * Socket types carried on edges. Every value crossing an edge has one; the editor colours handles
 * by them and validation refuses edges whose types are not compatible. graph-core knows only the
 * generic types below; a package adds its domain types in two halves:
 * - type level: augment `SocketValues` (the type name and the value it carries), which makes the
 *   name a `SocketType` for `defineNode`;
 * - run time: hand their `SocketTypeSpec`s (colour, widenings) to the `NodeRegistry`, which puts
 *   them in the catalogue and validates edges with them (packages/nodes: `P2P_SOCKET_TYPES`).
 */
export type SocketType = keyof SocketValues & string;

export interface SocketTypeSpec {
  /** Colour the editor gives handles and edges of this type; in the catalogue, so every client agrees. */
  readonly color: string;
  /** Explicit widening: input types an output of this type may also feed (equal types and ANY always connect). */
  readonly widensTo?: readonly SocketType[];
}

export type SocketTypeSpecs = Readonly<Partial<Record<SocketType, SocketTypeSpec>>>;

/** The generic socket types, known to every registry. */
export const CORE_SOCKET_TYPES = {
  STRING: { color: '#e0e0e0' },
  NUMBER: { color: '#90a4ae' },
  INT: { color: '#78909c', widensTo: ['NUMBER'] }, // integers are numbers
  BOOLEAN: { color: '#a1887f' },
  ANY: { color: '#ffffff' }, // accepted by inputs that pass values through untouched (e.g. preview)
} as const satisfies Record<string, SocketTypeSpec>;
export type CoreSocketType = keyof typeof CORE_SOCKET_TYPES;

/** A socket type name on the wire (catalogues): upper-case, as every type is named. */
export const SocketTypeSchema = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'socket types are upper-case names');

/** Whether an output of type `from` may feed an input of type `to`, under `specs`' widening rules. */
export function canConnect(from: string, to: string, specs: SocketTypeSpecs = CORE_SOCKET_TYPES): boolean {
  if (from === to || to === 'ANY') return true;
  return (specs as Partial<Record<string, SocketTypeSpec>>)[from]?.widensTo?.includes(to as SocketType) ?? false;
}
