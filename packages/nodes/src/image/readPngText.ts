import { API_LIMITS } from '@ptp/graph-core';
import { formatBytes, inflateBounded, inflateBoundedAsync, InflateLimitError } from './decode/boundedInflate.js';

const decoder = new TextDecoder();

/** Default budget for all text of one PNG: a workflow document is far smaller. */
export const MAX_PNG_TEXT_BYTES: number = API_LIMITS.maxJsonBodyBytes;

export type PngTextResult =
  | { ok: true; text: Record<string, string> }
  | { ok: false; code: 'INVALID_IMAGE' | 'DECOMPRESSION_LIMIT'; message: string };

/** One text chunk as stored: its keyword and its (maybe compressed) text. */
interface TextChunk {
  type: string;
  key: string;
  body: Uint8Array;
  compressed: boolean;
  /** tEXt and zTXt are Latin-1, iTXt UTF-8. */
  latin1: boolean;
}

/** Walks the chunks and picks out the text ones, without inflating anything. */
function scanTextChunks(bytes: Uint8Array): { ok: true; chunks: TextChunk[] } | Extract<PngTextResult, { ok: false }> {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (bytes.length < 8 || sig.some((b, i) => bytes[i] !== b))
    return { ok: false, code: 'INVALID_IMAGE', message: 'not a PNG file' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: TextChunk[] = [];
  for (let o = 8; o + 8 <= bytes.length;) {
    const len = view.getUint32(o);
    const type = decoder.decode(bytes.subarray(o + 4, o + 8));
    const end = o + 8 + len;
    if (end + 4 > bytes.length) return { ok: false, code: 'INVALID_IMAGE', message: `PNG chunk ${type} is truncated` };
    const data = bytes.subarray(o + 8, end);
    const nul = data.indexOf(0);
    const key = nul > 0 ? decoder.decode(data.subarray(0, nul)) : '';
    if (type === 'tEXt' && nul > 0)
      chunks.push({ type, key, body: data.subarray(nul + 1), compressed: false, latin1: true });
    if (type === 'zTXt' && nul > 0)
      chunks.push({ type, key, body: data.subarray(nul + 2), compressed: true, latin1: true });
    if (type === 'iTXt' && nul > 0) {
      let p = nul + 3;
      p = data.indexOf(0, p) + 1; // language tag
      p = data.indexOf(0, p) + 1; // translated keyword
      chunks.push({ type, key, body: data.subarray(p), compressed: data[nul + 1] === 1, latin1: false });
    }
    if (type === 'IEND') break;
    o = end + 4;
  }
  return { ok: true, chunks };
}

/** The text of one chunk, inflated when compressed, under what is left of the budget. */
type RawText = (chunk: TextChunk, budget: number) => Uint8Array;

/** The answer for a failed chunk: over the whole file's text budget, or not inflatable. */
function limitError(err: unknown, type: string, maxTextBytes: number): Extract<PngTextResult, { ok: false }> {
  if (err instanceof InflateLimitError)
    return {
      ok: false,
      code: 'DECOMPRESSION_LIMIT',
      message: `${err.what} is over the limit of ${formatBytes(maxTextBytes)} of text per PNG (refused before allocating it)`,
    };
  return { ok: false, code: 'INVALID_IMAGE', message: `PNG text chunk ${type} is corrupt` };
}

/** Decodes the chunks under one budget for all of them together. */
function decodeTextChunks(chunks: readonly TextChunk[], maxTextBytes: number, rawOf: RawText): PngTextResult {
  const text: Record<string, string> = {};
  let used = 0;
  for (const c of chunks) {
    try {
      const raw = rawOf(c, maxTextBytes - used);
      const value = c.latin1 ? new TextDecoder('latin1').decode(raw) : decoder.decode(raw);
      used += value.length;
      if (used > maxTextBytes) throw new InflateLimitError('PNG text', maxTextBytes);
      text[c.key] = value;
    } catch (err) {
      return limitError(err, c.type, maxTextBytes);
    }
  }
  return { ok: true, text };
}

/**
 * Reads the text chunks (tEXt, zTXt, iTXt) of a PNG, e.g. the embedded workflow. Compressed text
 * inflates under one budget for all chunks together (`maxTextBytes`), so a 600 KB file cannot
 * expand to hundreds of MiB. Returns an error instead of throwing for data that is not a PNG.
 */
export function readPngText(bytes: Uint8Array, maxTextBytes = MAX_PNG_TEXT_BYTES): PngTextResult {
  const scanned = scanTextChunks(bytes);
  if (!scanned.ok) return scanned;
  return decodeTextChunks(scanned.chunks, maxTextBytes, (c, budget) =>
    c.compressed ? inflateBounded(c.body, budget, `PNG text chunk ${c.type}`) : c.body,
  );
}

/**
 * The same, yielding to the event loop while it inflates (a few MiB of text take tens of
 * milliseconds): what a server runs on a client's file.
 */
export async function readPngTextAsync(bytes: Uint8Array, maxTextBytes = MAX_PNG_TEXT_BYTES): Promise<PngTextResult> {
  const scanned = scanTextChunks(bytes);
  if (!scanned.ok) return scanned;
  const inflated = new Map<TextChunk, Uint8Array>();
  let budget = maxTextBytes;
  for (const c of scanned.chunks) {
    if (!c.compressed) continue;
    try {
      const raw = await inflateBoundedAsync([c.body], budget, `PNG text chunk ${c.type}`, 4);
      inflated.set(c, raw);
      budget -= raw.length;
    } catch (err) {
      return limitError(err, c.type, maxTextBytes);
    }
  }
  return decodeTextChunks(scanned.chunks, maxTextBytes, (c) => inflated.get(c) ?? c.body);
}
