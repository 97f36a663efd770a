import type { AnyNodeDefinition } from './NodeDefinition.js';

/** The node types a runner knows, built from an explicit list (no discovery, no side effects). */
export class NodeRegistry {
  readonly #byType = new Map<string, AnyNodeDefinition>();

  constructor(definitions: readonly AnyNodeDefinition[]) {
    for (const def of definitions) {
      // A duplicate is a programming error in the list itself, so failing loudly at startup is right.
      if (this.#byType.has(def.type)) throw new Error(`node type registered twice: ${def.type}`);
      if (!Number.isInteger(def.version) || def.version < 1) throw new Error(`node type ${def.type}: version must be an integer >= 1`);
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
}
