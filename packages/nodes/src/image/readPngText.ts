import { unzlibSync } from 'fflate';

const decoder = new TextDecoder();

/**
 * Reads the text chunks (tEXt, zTXt, iTXt) of a PNG, e.g. the embedded workflow. Returns an error
 * message instead of throwing for data that is not a PNG.
 */
export function readPngText(bytes: Uint8Array): { ok: true; text: Record<string, string> } | { ok: false; message: string } {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (bytes.length < 8 || sig.some((b, i) => bytes[i] !== b)) return { ok: false, message: 'not a PNG file' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text: Record<string, string> = {};
  let o = 8;
  while (o + 8 <= bytes.length) {
    const len = view.getUint32(o);
    const type = decoder.decode(bytes.subarray(o + 4, o + 8));
    const start = o + 8;
    const end = start + len;
    if (end + 4 > bytes.length) return { ok: false, message: `PNG chunk ${type} is truncated` };
    const data = bytes.subarray(start, end);
    const nul = data.indexOf(0);
    try {
      if (type === 'tEXt' && nul > 0) text[decoder.decode(data.subarray(0, nul))] = new TextDecoder('latin1').decode(data.subarray(nul + 1));
      if (type === 'zTXt' && nul > 0) text[decoder.decode(data.subarray(0, nul))] = new TextDecoder('latin1').decode(unzlibSync(data.subarray(nul + 2)));
      if (type === 'iTXt' && nul > 0) {
        const compressed = data[nul + 1] === 1;
        let p = nul + 3;
        p = data.indexOf(0, p) + 1; // language tag
        p = data.indexOf(0, p) + 1; // translated keyword
        const body = data.subarray(p);
        text[decoder.decode(data.subarray(0, nul))] = decoder.decode(compressed ? unzlibSync(body) : body);
      }
    } catch {
      return { ok: false, message: `PNG text chunk ${type} is corrupt` };
    }
    if (type === 'IEND') break;
    o = end + 4;
  }
  return { ok: true, text };
}
