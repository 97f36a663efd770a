/**
 * `record[key]` when `key` is the record's own (a socket or param name from a document), so names
 * such as "constructor" or "__proto__" never find what every object inherits.
 */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record && Object.hasOwn(record, key) ? record[key] : undefined;
}
