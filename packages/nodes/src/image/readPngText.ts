import { inflateBounded, InflateLimitError, formatBytes } from './decode/boundedInflate.js';

const decoder = new TextDecoder();

/** Default budget for all text of one PNG: a workflow document is far smaller. */
export const MAX_PNG_TEXT_BYTES = 4 * 1024 * 1024;

export type PngTextResult =
  | { ok: true; text: Record<string, string> }
  | { ok: false; code: 'INVALID_IMAGE' | 'DECOMPRESSION_LIMIT'; message: string };

/**
 * Reads the text chunks (tEXt, zTXt, iTXt) of a PNG, e.g. the embedded workflow. Compressed text
 * inflates under one budget for all chunks together (`maxTextBytes`), so a 600 KB file cannot
 * expand to hundreds of MiB. Returns an error instead of throwing for data that is not a PNG.
 */
export function readPngText(bytes: Uint8Array, maxTextBytes = MAX_PNG_TEXT_BYTES): PngTextResult {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (bytes.length < 8 || sig.some((b, i) => bytes[i] !== b))
    return { ok: false, code: 'INVALID_IMAGE', message: 'not a PNG file' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text: Record<string, string> = {};
  let used = 0;
  const inflate = (data: Uint8Array, type: string): Uint8Array =>
    inflateBounded(data, maxTextBytes - used, `PNG text chunk ${type}`);
  const keep = (key: string, value: string): void => {
    used += value.length;
    text[key] = value;
  };
  let o = 8;
  while (o + 8 <= bytes.length) {
    const len = view.getUint32(o);
    const type = decoder.decode(bytes.subarray(o + 4, o + 8));
    const start = o + 8;
    const end = start + len;
    if (end + 4 > bytes.length) return { ok: false, code: 'INVALID_IMAGE', message: `PNG chunk ${type} is truncated` };
    const data = bytes.subarray(start, end);
    const nul = data.indexOf(0);
    try {
      if (type === 'tEXt' && nul > 0)
        keep(decoder.decode(data.subarray(0, nul)), new TextDecoder('latin1').decode(data.subarray(nul + 1)));
      if (type === 'zTXt' && nul > 0)
        keep(
          decoder.decode(data.subarray(0, nul)),
          new TextDecoder('latin1').decode(inflate(data.subarray(nul + 2), type)),
        );
      if (type === 'iTXt' && nul > 0) {
        const compressed = data[nul + 1] === 1;
        let p = nul + 3;
        p = data.indexOf(0, p) + 1; // language tag
        p = data.indexOf(0, p) + 1; // translated keyword
        const body = data.subarray(p);
        keep(decoder.decode(data.subarray(0, nul)), decoder.decode(compressed ? inflate(body, type) : body));
      }
      if (used > maxTextBytes) throw new InflateLimitError('PNG text', maxTextBytes);
    } catch (err) {
      if (err instanceof InflateLimitError)
        return {
          ok: false,
          code: 'DECOMPRESSION_LIMIT',
          message: `${err.what} is over the limit of ${formatBytes(maxTextBytes)} of text per PNG (refused before allocating it)`,
        };
      return { ok: false, code: 'INVALID_IMAGE', message: `PNG text chunk ${type} is corrupt` };
    }
    if (type === 'IEND') break;
    o = end + 4;
  }
  return { ok: true, text };
}
