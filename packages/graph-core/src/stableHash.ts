/**
 * Canonical JSON (sorted keys) so equal params give equal cache keys whatever their key order.
 * Typed arrays are written as their element lists; functions and undefined are dropped like JSON.
 */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    return s === undefined ? 'null' : s;
  }
  if (ArrayBuffer.isView(value)) {
    return `${value.constructor.name}(${Array.from(value as unknown as ArrayLike<number>).join(',')})`;
  }
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const keys = Object.keys(value).sort();
  let out = '{';
  for (const key of keys) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || typeof v === 'function') continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${stableStringify(v)}`;
  }
  return `${out}}`;
}

// cyrb53 (public domain): a fast 53-bit string hash; two seeds give 106 bits, enough that cache-key
// collisions are not a practical concern, without needing node:crypto (graph-core runs in browsers).
function cyrb53(str: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export function hashString(str: string): string {
  return cyrb53(str, 0).toString(36) + cyrb53(str, 0x9e3779b9).toString(36);
}

export function stableHash(value: unknown): string {
  return hashString(stableStringify(value));
}
