/**
 * Reads an image file's type and size from its header, without decoding pixels, so limits are
 * enforced before any decoder allocates (decompression bombs: a 100-byte PNG may claim 20000x20000).
 * Also checks the container is complete (PNG chunks, JPEG end marker, RIFF size), because some
 * decoders turn a truncated file into a silently half-grey picture.
 */
export type ImageMediaType = 'image/png' | 'image/jpeg' | 'image/webp';

export type ImageFileErrorCode =
  | 'UNSUPPORTED_IMAGE_TYPE'
  | 'IMAGE_TRUNCATED'
  | 'IMAGE_CORRUPT'
  | 'IMAGE_TOO_SMALL'
  | 'IMAGE_TOO_LARGE'
  | 'DECOMPRESSION_LIMIT';

export class ImageFileError extends Error {
  constructor(
    readonly code: ImageFileErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ImageFileError';
  }
}

export interface ImageHeader {
  readonly mediaType: ImageMediaType;
  readonly width: number;
  readonly height: number;
}

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

const ascii = (b: Uint8Array, at: number, n: number): string => String.fromCharCode(...b.subarray(at, at + n));
const u32be = (b: Uint8Array, at: number): number =>
  ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
const u16be = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
const u32le = (b: Uint8Array, at: number): number =>
  (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
const u24le = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);

/** Which format the bytes are, by magic number (never by file name or declared type). */
export function sniffImageType(b: Uint8Array): ImageMediaType | undefined {
  if (b.length >= 8 && PNG_SIGNATURE.every((v, i) => b[i] === v)) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'image/webp';
  return undefined;
}

function pngHeader(b: Uint8Array): ImageHeader {
  if (b.length < 33)
    throw new ImageFileError('IMAGE_TRUNCATED', `PNG ends after ${b.length} bytes, before its IHDR header`);
  if (ascii(b, 12, 4) !== 'IHDR' || u32be(b, 8) !== 13)
    throw new ImageFileError('IMAGE_CORRUPT', 'PNG does not start with an IHDR chunk');
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  // Walk the chunks: every declared length must fit, and the file must reach IEND.
  let at = 8;
  let sawData = false;
  for (;;) {
    if (at + 12 > b.length)
      throw new ImageFileError('IMAGE_TRUNCATED', `PNG is cut off at byte ${b.length} (no IEND chunk)`);
    const len = u32be(b, at);
    const type = ascii(b, at + 4, 4);
    if (at + 12 + len > b.length)
      throw new ImageFileError(
        'IMAGE_TRUNCATED',
        `PNG chunk ${type} at byte ${at} needs ${len} bytes but the file ends at ${b.length}`,
      );
    if (type === 'IDAT') sawData = true;
    if (type === 'IEND') break;
    at += 12 + len;
  }
  if (!sawData) throw new ImageFileError('IMAGE_CORRUPT', 'PNG has no image data (IDAT)');
  return { mediaType: 'image/png', width, height };
}

/** SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not. */
const isSof = (m: number): boolean => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function jpegHeader(b: Uint8Array): ImageHeader {
  let at = 2;
  for (;;) {
    while (at < b.length && b[at] === 0xff && b[at + 1] === 0xff) at++; // fill bytes
    if (at + 4 > b.length)
      throw new ImageFileError('IMAGE_TRUNCATED', `JPEG ends at byte ${b.length} before its frame header`);
    if (b[at] !== 0xff) throw new ImageFileError('IMAGE_CORRUPT', `JPEG marker expected at byte ${at}`);
    const marker = b[at + 1]!;
    if (marker === 0xd9 || marker === 0xda)
      throw new ImageFileError('IMAGE_CORRUPT', 'JPEG has no frame header before its image data');
    const len = u16be(b, at + 2);
    if (len < 2) throw new ImageFileError('IMAGE_CORRUPT', `JPEG segment at byte ${at} has length ${len}`);
    if (isSof(marker)) {
      if (at + 9 > b.length) throw new ImageFileError('IMAGE_TRUNCATED', 'JPEG ends inside its frame header');
      const height = u16be(b, at + 5);
      const width = u16be(b, at + 7);
      // Entropy-coded data never contains FF D9 (an FF there is stuffed as FF 00), so an end
      // marker after the frame header means the scan data is complete.
      if (!hasEndMarker(b, at + 4 + len))
        throw new ImageFileError('IMAGE_TRUNCATED', `JPEG is cut off at byte ${b.length} (no end-of-image marker)`);
      return { mediaType: 'image/jpeg', width, height };
    }
    at += 2 + len;
  }
}

function hasEndMarker(b: Uint8Array, from: number): boolean {
  for (let i = b.length - 2; i >= from; i--) if (b[i] === 0xff && b[i + 1] === 0xd9) return true;
  return false;
}

function webpHeader(b: Uint8Array): ImageHeader {
  const riffEnd = 8 + u32le(b, 4);
  if (riffEnd > b.length)
    throw new ImageFileError('IMAGE_TRUNCATED', `WebP declares ${riffEnd} bytes but the file has ${b.length}`);
  if (b.length < 30) throw new ImageFileError('IMAGE_TRUNCATED', 'WebP ends before its image header');
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ') {
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a)
      throw new ImageFileError('IMAGE_CORRUPT', 'WebP (lossy) frame has no start code');
    return {
      mediaType: 'image/webp',
      width: (b[26]! | (b[27]! << 8)) & 0x3fff,
      height: (b[28]! | (b[29]! << 8)) & 0x3fff,
    };
  }
  if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) throw new ImageFileError('IMAGE_CORRUPT', 'WebP (lossless) has no signature byte');
    const bits = u32le(b, 21);
    return { mediaType: 'image/webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { mediaType: 'image/webp', width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  throw new ImageFileError('IMAGE_CORRUPT', `WebP starts with an unknown chunk "${chunk}"`);
}

/** Type and size from the header; throws ImageFileError for unknown, truncated or inconsistent files. */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  const type = sniffImageType(bytes);
  if (type === 'image/png') return pngHeader(bytes);
  if (type === 'image/jpeg') return jpegHeader(bytes);
  if (type === 'image/webp') return webpHeader(bytes);
  throw new ImageFileError('UNSUPPORTED_IMAGE_TYPE', 'not a PNG, JPEG or WebP file (checked by content, not by name)');
}

export interface ImageLimits {
  /** Largest width x height decoded (default 4096 x 4096 = 16.8 M pixels, 64 MiB as RGBA). */
  readonly maxPixels: number;
  /** Longest side accepted (default 8192, so a 1 x 16M strip is refused too). */
  readonly maxSide: number;
  /** Shortest side accepted (default 8: smaller pictures carry nothing a model can invert). */
  readonly minSide: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxPixels: 4096 * 4096, maxSide: 8192, minSide: 8 };

/** Refuses sizes outside the limits, before decoding. */
export function checkImageSize(
  h: Pick<ImageHeader, 'width' | 'height'>,
  limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
): void {
  const { width, height } = h;
  if (width < limits.minSide || height < limits.minSide) {
    throw new ImageFileError(
      'IMAGE_TOO_SMALL',
      `image is ${width}x${height}; both sides must be at least ${limits.minSide} pixels`,
    );
  }
  if (width > limits.maxSide || height > limits.maxSide || width * height > limits.maxPixels) {
    throw new ImageFileError(
      'IMAGE_TOO_LARGE',
      `image header says ${width}x${height}; the limit is ${limits.maxPixels} pixels and ${limits.maxSide} per side (refused before decoding)`,
    );
  }
}
