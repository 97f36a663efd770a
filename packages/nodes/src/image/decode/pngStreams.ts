import { inflateBoundedAsync, InflateLimitError } from './boundedInflate.js';
import { ImageFileError } from './readImageHeader.js';

export interface PngChunk {
  readonly type: string;
  /** The whole chunk as stored: length, type, data and CRC. */
  readonly raw: Uint8Array;
  readonly data: Uint8Array;
}

const u32be = (b: Uint8Array, at: number): number =>
  ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** The chunks of a PNG up to IEND (the file is assumed complete: readImageHeader checked it). */
export function pngChunks(bytes: Uint8Array): PngChunk[] {
  const chunks: PngChunk[] = [];
  for (let at = 8; at + 12 <= bytes.length;) {
    const len = u32be(bytes, at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (at + 12 + len > bytes.length) break;
    chunks.push({ type, raw: bytes.subarray(at, at + 12 + len), data: bytes.subarray(at + 8, at + 8 + len) });
    if (type === 'IEND') break;
    at += 12 + len;
  }
  return chunks;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/**
 * How many bytes the image data of this IHDR inflates to, exactly: one filter byte per row plus
 * the packed samples, per Adam7 pass when interlaced. A real PNG never inflates to more.
 */
export function pngDataBytes(ihdr: Uint8Array): number {
  return pngRowRuns(ihdr).reduce((n, [rows, bytes]) => n + rows * bytes, 0);
}

/** The image data's rows as [count, bytes per row incl. its filter byte], one run per Adam7 pass when interlaced. */
function pngRowRuns(ihdr: Uint8Array): [number, number][] {
  const width = u32be(ihdr, 0);
  const height = u32be(ihdr, 4);
  const depth = ihdr[8]!;
  const channels = CHANNELS[ihdr[9]!];
  if (!channels || ![1, 2, 4, 8, 16].includes(depth))
    throw new ImageFileError('IMAGE_CORRUPT', `PNG has an invalid colour type ${ihdr[9]} / bit depth ${depth}`);
  const rowBytes = (w: number): number => 1 + Math.ceil((w * channels * depth) / 8);
  if (ihdr[12] !== 1) return [[height, rowBytes(width)]];
  const runs: [number, number][] = [];
  for (const [x0, y0, dx, dy] of ADAM7) {
    const w = Math.ceil((width - x0) / dx);
    const h = Math.ceil((height - y0) / dy);
    if (w > 0 && h > 0) runs.push([h, rowBytes(w)]);
  }
  return runs;
}

/** Every row of inflated image data starts with a filter type 0-4; anything else fails the decoder later. */
function checkRowFilters(ihdr: Uint8Array, data: Uint8Array): void {
  let at = 0;
  for (const [rows, bytes] of pngRowRuns(ihdr))
    for (let r = 0; r < rows; r++, at += bytes)
      if (data[at]! > 4)
        throw new ImageFileError('IMAGE_CORRUPT', `PNG image data is damaged (row filter ${data[at]} at byte ${at})`);
}

/** The chunks a decoder needs for pixels; everything else (ICC profiles, text, animation) is dropped unread. */
const PIXEL_CHUNKS = new Set(['IHDR', 'PLTE', 'tRNS', 'IDAT', 'IEND']);
const SIGNATURE = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);

/**
 * Makes a PNG safe to hand to a full decoder: the image data is inflated once under a budget of
 * exactly the size its header declares (so a 1 MB file claiming 64x64 cannot inflate to 1 GiB),
 * must fill it with well-formed rows,
 * and the compressed ancillary chunks (iCCP, zTXt, iTXt, APNG frames) are stripped, so no decoder
 * ever inflates them. Yields to the event loop while it works. Returns the stripped file.
 */
export async function boundPngStreams(bytes: Uint8Array): Promise<Uint8Array> {
  const chunks = pngChunks(bytes);
  const ihdr = chunks[0];
  if (!ihdr || ihdr.type !== 'IHDR' || ihdr.data.length !== 13)
    throw new ImageFileError('IMAGE_CORRUPT', 'PNG does not start with an IHDR chunk');
  const budget = pngDataBytes(ihdr.data);
  const idat = chunks.filter((c) => c.type === 'IDAT').map((c) => c.data);
  const size = `${u32be(ihdr.data, 0)}x${u32be(ihdr.data, 4)}`;
  let data: Uint8Array;
  try {
    data = await inflateBoundedAsync(idat, budget, `PNG image data (IDAT; the header's ${size} needs ${budget} bytes)`);
  } catch (err) {
    if (err instanceof InflateLimitError) throw new ImageFileError('DECOMPRESSION_LIMIT', err.message);
    throw new ImageFileError('IMAGE_CORRUPT', `PNG image data does not inflate: ${(err as Error).message}`);
  }
  // Exactly the declared size: a file whose data stops early (a cut download, a forged header) is
  // refused here, not by the decoder halfway through a run.
  if (data.length < budget)
    throw new ImageFileError(
      'IMAGE_TRUNCATED',
      `PNG image data holds ${data.length} of the ${budget} bytes its ${size} header needs (the file is cut short)`,
    );
  checkRowFilters(ihdr.data, data);
  const kept = chunks.filter((c) => PIXEL_CHUNKS.has(c.type));
  if (kept.length === chunks.length) return bytes;
  const out = new Uint8Array(8 + kept.reduce((n, c) => n + c.raw.length, 0));
  out.set(SIGNATURE);
  let at = 8;
  for (const c of kept) {
    out.set(c.raw, at);
    at += c.raw.length;
  }
  return out;
}
