import { Unzlib } from 'fflate';

/** Thrown when a compressed stream would inflate past its budget (a decompression bomb). */
export class InflateLimitError extends Error {
  constructor(
    readonly what: string,
    readonly limitBytes: number,
  ) {
    super(`${what} inflates past its limit of ${formatBytes(limitBytes)} (refused before allocating it)`);
    this.name = 'InflateLimitError';
  }
}

export function formatBytes(n: number): string {
  if (n >= 1 << 20) return `${+(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${+(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/**
 * Feeds a zlib stream to the inflater in slices small enough that one slice can never produce
 * much more than the budget (deflate expands at most ~1032:1), and stops at the first byte over
 * it. So a 600 KB bomb costs at most the budget plus one slice's worth, never the bomb's size.
 */
class BoundedUnzlib {
  readonly #parts: Uint8Array[] = [];
  #total = 0;
  #over = false;
  readonly #inflater: Unzlib;
  readonly slice: number;

  constructor(
    readonly what: string,
    readonly limitBytes: number,
  ) {
    this.slice = Math.min(64 * 1024, Math.max(256, Math.floor(limitBytes / 4096)));
    this.#inflater = new Unzlib((chunk) => {
      this.#total += chunk.length;
      if (this.#total > this.limitBytes) this.#over = true;
      else this.#parts.push(chunk);
    });
  }

  get total(): number {
    return this.#total;
  }

  push(data: Uint8Array, final: boolean): void {
    this.#inflater.push(data, final);
    if (this.#over) throw new InflateLimitError(this.what, this.limitBytes);
  }

  result(): Uint8Array {
    if (this.#parts.length === 1) return this.#parts[0]!;
    const out = new Uint8Array(this.#total);
    let at = 0;
    for (const p of this.#parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** Inflates `data` (zlib) into at most `limitBytes`, or throws InflateLimitError. */
export function inflateBounded(data: Uint8Array | readonly Uint8Array[], limitBytes: number, what: string): Uint8Array {
  const z = new BoundedUnzlib(what, limitBytes);
  const parts = data instanceof Uint8Array ? [data] : data;
  parts.forEach((part, p) => {
    for (let at = 0; at < part.length; at += z.slice) {
      z.push(part.subarray(at, at + z.slice), p === parts.length - 1 && at + z.slice >= part.length);
    }
    if (part.length === 0 && p === parts.length - 1) z.push(part, true);
  });
  return z.result();
}

/**
 * The same, yielding to the event loop every `yieldEvery` slices or MiB of output: a server can
 * check a 16 MiB upload without pausing its other requests for more than a few milliseconds.
 */
export async function inflateBoundedAsync(
  parts: readonly Uint8Array[],
  limitBytes: number,
  what: string,
  yieldEvery = 64,
): Promise<Uint8Array> {
  const z = new BoundedUnzlib(what, limitBytes);
  let n = 0;
  let yieldedAt = 0;
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p]!;
    const last = p === parts.length - 1;
    if (part.length === 0 && last) z.push(part, true);
    for (let at = 0; at < part.length; at += z.slice) {
      z.push(part.subarray(at, at + z.slice), last && at + z.slice >= part.length);
      if (++n % yieldEvery === 0 || z.total - yieldedAt >= 1 << 20) {
        yieldedAt = z.total;
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
      }
    }
  }
  return z.result();
}
