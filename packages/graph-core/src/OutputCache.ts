/**
 * Values that hold resources owned elsewhere (a model pack whose sessions the backend caches) or
 * that know their size better than a walk would, declare it under this key.
 */
export const CACHE_BYTES = Symbol.for('ptp.cacheBytes');

/** Rough byte size of a node's outputs, so the cache can stay within a memory budget. */
export function estimateSize(value: unknown, seen = new Set<object>()): number {
  if (value === null || value === undefined) return 8;
  switch (typeof value) {
    case 'number':
    case 'boolean':
    case 'bigint':
      return 8;
    case 'string':
      return 2 * value.length + 16;
    case 'object': {
      if (seen.has(value)) return 0;
      seen.add(value);
      const declared = (value as { [CACHE_BYTES]?: unknown })[CACHE_BYTES];
      if (typeof declared === 'number') return declared;
      if (ArrayBuffer.isView(value)) return value.byteLength + 64;
      if (value instanceof ArrayBuffer) return value.byteLength + 64;
      let size = 64;
      if (value instanceof Map) {
        for (const [k, v] of value) size += estimateSize(k, seen) + estimateSize(v, seen);
        return size;
      }
      for (const v of Array.isArray(value) ? value : Object.values(value)) size += estimateSize(v, seen) + 8;
      return size;
    }
    default:
      return 16;
  }
}

export interface OutputCacheOptions {
  /** Total budget; least recently used entries are evicted past it. Default 512 MiB. */
  maxBytes?: number;
}

/**
 * Node outputs keyed by signature (type, version, params, input signatures; never node ids),
 * so identical subgraphs share entries across documents and runs. LRU within a byte budget.
 */
export class OutputCache {
  readonly maxBytes: number;
  #bytes = 0;
  readonly #entries = new Map<string, { value: Record<string, unknown>; size: number }>();

  constructor(options: OutputCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  }

  get(key: string): Record<string, unknown> | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    // Re-insert to mark as most recently used (Map keeps insertion order).
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  set(key: string, value: Record<string, unknown>, size = estimateSize(value)): void {
    this.delete(key);
    if (size > this.maxBytes) return; // an entry larger than the budget would evict everything for nothing
    this.#entries.set(key, { value, size });
    this.#bytes += size;
    for (const [oldKey, old] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldKey);
      this.#bytes -= old.size;
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.size;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }
}
