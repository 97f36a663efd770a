import type { FloatArray } from './Scheduler';

/** A zeroed array of the same kind and length as `like` (results keep the sample's precision). */
export function allocLike<T extends FloatArray>(like: T, length = like.length): T {
  return (like instanceof Float64Array ? new Float64Array(length) : new Float32Array(length)) as T;
}

/** Throws unless `a` and `b` have the same length (a wrong-sized model output is a caller bug). */
export function assertSameLength(a: FloatArray, b: FloatArray, what: string): void {
  if (a.length !== b.length) throw new Error(`${what}: length ${a.length} does not match the sample's ${b.length}`);
}
