import { summarizeValue } from '@ptp/graph-core';
import type { OutputFile } from '@ptp/nodes';
import type { RunFile } from './Runner';

export function isOutputFile(v: unknown): v is OutputFile {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as OutputFile).name === 'string' &&
    (v as OutputFile).data instanceof Uint8Array
  );
}

/** Whether structured clone (postMessage) copies `value` faithfully: plain data only, no classes or functions. */
export function isPlainData(value: unknown, depth = 0): boolean {
  if (value === null || value === undefined) return true;
  const t = typeof value;
  if (t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint') return true;
  if (t !== 'object' || depth > 16) return false;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return true;
  if (Array.isArray(value)) return value.every((v) => isPlainData(v, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((v) => isPlainData(v, depth + 1));
}

/** A summary with anything that would not clone (functions, class instances) replaced by its kind. */
function plainSummary(value: unknown, depth = 0): unknown {
  if (isPlainData(value)) return value;
  if (typeof value === 'function') return { kind: 'function' };
  if (Array.isArray(value) && depth < 4) return value.map((v) => plainSummary(v, depth + 1));
  if (typeof value === 'object' && value !== null && depth < 4 && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainSummary(v, depth + 1)]));
  }
  return { kind: (value as object | null)?.constructor?.name ?? typeof value };
}

/**
 * Splits target outputs into the files output nodes produced (copied into fresh buffers, so they
 * can be transferred without detaching the engine cache's copies) and the rest as plain data
 * (values that cannot cross threads, such as a loaded model, become summaries).
 */
export function splitOutputs(outputs: ReadonlyMap<string, Record<string, unknown>>): {
  files: RunFile[];
  plain: Record<string, Record<string, unknown>>;
  transfer: ArrayBuffer[];
} {
  const files: RunFile[] = [];
  const transfer: ArrayBuffer[] = [];
  const plain: Record<string, Record<string, unknown>> = {};
  for (const [nodeId, values] of outputs) {
    const node: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(values)) {
      if (Array.isArray(value) && value.length > 0 && value.every(isOutputFile)) {
        for (const f of value) {
          const data = f.data.slice();
          transfer.push(data.buffer);
          files.push({ nodeId, name: f.name, mime: f.mime, data, ...(f.temporary ? { temporary: true } : {}) });
        }
        node[name] = value.map((f) => ({ name: f.name, mime: f.mime, size: f.data.byteLength }));
      } else {
        node[name] = isPlainData(value) ? value : plainSummary(summarizeValue(value));
      }
    }
    plain[nodeId] = node;
  }
  return { files, plain, transfer };
}
