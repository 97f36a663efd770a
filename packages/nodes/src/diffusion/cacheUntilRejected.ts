/**
 * The promise cached under `key`, else `create()`'s, cached until it rejects: backends load each
 * pack and create each session once, and a failed load may succeed on a later try (pack fixed).
 */
export function cacheUntilRejected<T>(
  cache: Map<string, Promise<T>>,
  key: string,
  create: () => Promise<T>,
): Promise<T> {
  let value = cache.get(key);
  if (!value) {
    value = create();
    cache.set(key, value);
    value.catch(() => cache.delete(key));
  }
  return value;
}
