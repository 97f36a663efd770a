import { constants, deflateRawSync } from 'node:zlib';

/**
 * A zlib stream of `n` zeros made with node:zlib, several times faster than the portable maker of
 * @ptp/nodes/testing/pngBombs: 1 MiB compressed once, its deflate body repeated, framed by one
 * header and the Adler-32 of `n` zeros (a = 1, b = n mod 65521).
 */
export function nodeZlibBomb(n: number): Uint8Array {
  const mib = 1 << 20;
  if (n % mib !== 0) throw new Error('nodeZlibBomb makes whole MiB');
  // A raw deflate of 1 MiB zeros ending in a full flush (byte-aligned, not final) repeats cleanly:
  // every block starts with a literal 0 and only refers back to zeros.
  const block = deflateRawSync(Buffer.alloc(mib), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const count = n / mib;
  const out = new Uint8Array(2 + block.length * count + 2 + 4);
  out.set([0x78, 0xda]);
  for (let i = 0; i < count; i++) out.set(block, 2 + i * block.length);
  let at = 2 + block.length * count;
  out.set([0x03, 0x00], at); // a final, empty fixed-Huffman block
  at += 2;
  const b = n % 65521;
  out.set([(b >> 8) & 0xff, b & 0xff, 0x00, 0x01], at);
  return out;
}
