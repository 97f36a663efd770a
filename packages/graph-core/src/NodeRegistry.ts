import type { AnyNodeDefinition } from './NodeDefinition.js';
import { canConnect, CORE_SOCKET_TYPES, type SocketTypeSpec, type SocketTypeSpecs } from './sockets.js';

/**
 * The node types a runner knows, built from an explicit list (no discovery, no side effects), and
 * the socket types their edges carry: graph-core's generic ones plus those the node package
 * declares (`socketTypes`, e.g. `P2P_SOCKET_TYPES` from @ptp/nodes).
 */
export class NodeRegistry {
  readonly #byType = new Map<string, AnyNodeDefinition>();
  /** Every socket type with its colour and widenings: the package's first, then graph-core's. */
  readonly socketTypes: Readonly<Record<string, SocketTypeSpec>>;

  constructor(definitions: readonly AnyNodeDefinition[], socketTypes: SocketTypeSpecs = {}) {
    for (const name of Object.keys(socketTypes)) {
      if (name in CORE_SOCKET_TYPES)
        throw new Error(`socket type ${name} is one of graph-core's; declare only new types`);
    }
    this.socketTypes = { ...(socketTypes as Record<string, SocketTypeSpec>), ...CORE_SOCKET_TYPES };
    for (const def of definitions) {
      // A duplicate is a programming error in the list itself, so failing loudly at startup is right.
      if (this.#byType.has(def.type)) throw new Error(`node type registered twice: ${def.type}`);
      if (!Number.isInteger(def.version) || def.version < 1)
        throw new Error(`node type ${def.type}: version must be an integer >= 1`);
      this.#byType.set(def.type, def);
    }
  }

  get(type: string): AnyNodeDefinition | undefined {
    return this.#byType.get(type);
  }

  has(type: string): boolean {
    return this.#byType.has(type);
  }

  list(): AnyNodeDefinition[] {
    return [...this.#byType.values()];
  }

  /** Whether an output of type `from` may feed an input of type `to` (equal, into ANY, or a listed widening). */
  canConnect(from: string, to: string): boolean {
    return canConnect(from, to, this.socketTypes);
  }
}
