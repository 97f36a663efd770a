import { Zlib } from 'fflate';
import { encodePng, pngChunk } from '../image/encodePng.js';

/**
 * Decompression bombs for the safety tests, made in memory in a fraction of a second and tiny on
 * the wire: zlib streams of zeros (deflate's best case, ~1000:1) inside otherwise valid PNGs.
 * Never committed as files; never allocated at their inflated size by the maker.
 */
export function zlibBomb(inflatedBytes: number): Uint8Array {
  const parts: Uint8Array[] = [];
  const z = new Zlib({ level: 1 }, (chunk) => parts.push(chunk));
  const zeros = new Uint8Array(Math.min(inflatedBytes, 1 << 20));
  for (let left = inflatedBytes; left > 0; left -= zeros.length)
    z.push(left >= zeros.length ? zeros : zeros.subarray(0, left), left <= zeros.length);
  return concat(parts);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const SIGNATURE = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);

/** A valid small grey PNG with `extra` chunks inserted before its image data. */
export function pngWithChunks(extra: readonly Uint8Array[], size = 16): Uint8Array {
  const png = encodePng({ width: size, height: size, rgba: new Uint8Array(size * size * 4).fill(200) });
  const ihdrEnd = 8 + 12 + 13;
  return concat([png.subarray(0, ihdrEnd), ...extra, png.subarray(ihdrEnd)]);
}

/** Makes a zlib stream of `n` zeros; tests on Node may pass a faster one (node:zlib). */
export type BombMaker = (inflatedBytes: number) => Uint8Array;

/** A PNG whose compressed text chunk (keyword `workflow`) inflates to `inflatedBytes`. */
export function pngTextBomb(kind: 'zTXt' | 'iTXt', inflatedBytes: number, make: BombMaker = zlibBomb): Uint8Array {
  const bomb = make(inflatedBytes);
  // zTXt: keyword \0 method; iTXt: keyword \0 flag(1 = compressed) method \0 lang \0 translated \0
  const head = kind === 'zTXt' ? latin1('workflow\0\0') : latin1('workflow\0\x01\0\0\0');
  return pngWithChunks([pngChunk(kind, concat([head, bomb]))]);
}

/** A PNG whose ICC profile chunk inflates to `inflatedBytes`. */
export function pngIccpBomb(inflatedBytes: number, make: BombMaker = zlibBomb): Uint8Array {
  return pngWithChunks([pngChunk('iCCP', concat([latin1('icc\0\0'), make(inflatedBytes)]))]);
}

/** A PNG whose header declares `width` x `height` RGBA but whose image data inflates to `inflatedBytes`. */
export function pngIdatBomb(
  width: number,
  height: number,
  inflatedBytes: number,
  make: BombMaker = zlibBomb,
): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return concat([
    SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', make(inflatedBytes)),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}
