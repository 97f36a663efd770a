import { convertIndexedToRgb, decode as decodePng } from 'fast-png';
import { decode as decodeJpeg } from 'jpeg-js';
import type { RgbaImage } from '../ImageBatch.js';
import type { ImageDecoder } from '../../runtime/ImageDecoder.js';
import { boundPngStreams } from './pngStreams.js';
import {
  checkImageSize,
  DEFAULT_IMAGE_LIMITS,
  ImageFileError,
  readImageHeader,
  type ImageHeader,
  type ImageLimits,
} from './readImageHeader.js';

export interface DecodeImageOptions {
  limits?: ImageLimits;
  /** Decoder for formats not decoded here (WebP); see runtime/ImageDecoder.ts. */
  decoder?: ImageDecoder;
}

/**
 * Header first (type, size, completeness, limits), then every compressed stream under a budget
 * derived from the declared size (PNG: exact IDAT size, ancillary chunks never inflated; JPEG: a
 * memory budget), then pixels: an 8-bit RGBA image exactly as
 * stored (no colour management; 16-bit channels keep their high byte).
 */
export async function decodeImage(
  bytes: Uint8Array,
  o: DecodeImageOptions = {},
): Promise<{ header: ImageHeader; image: RgbaImage }> {
  const header = readImageHeader(bytes);
  checkImageSize(header, o.limits ?? DEFAULT_IMAGE_LIMITS);
  let image: RgbaImage;
  try {
    if (header.mediaType === 'image/png') image = pngToRgba(await boundPngStreams(bytes));
    else if (header.mediaType === 'image/jpeg') {
      const limits = o.limits ?? DEFAULT_IMAGE_LIMITS;
      // Memory budget from the declared size (RGBA out + components + progressive coefficients), hard cap 1 GiB.
      const budgetMB = Math.min(1024, Math.ceil((header.width * header.height * 16) / 2 ** 20) + 16);
      const d = decodeJpeg(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: Math.ceil(limits.maxPixels / 1e6),
        maxMemoryUsageInMB: budgetMB,
      });
      image = { width: d.width, height: d.height, rgba: d.data };
    } else {
      if (!o.decoder?.mediaTypes.includes(header.mediaType)) {
        throw new ImageFileError(
          'UNSUPPORTED_IMAGE_TYPE',
          `this runner has no ${header.mediaType} decoder (run it with ptp run, the server or a browser)`,
        );
      }
      image = await o.decoder.decode(bytes, header.mediaType);
    }
  } catch (err) {
    if (err instanceof ImageFileError) throw err;
    // A decoder's own complaint is worth showing; a JavaScript fault inside it (reading past its
    // tables on damaged data) is not.
    const reason =
      err instanceof TypeError || err instanceof RangeError
        ? 'its data is damaged'
        : err instanceof Error
          ? err.message
          : String(err);
    throw new ImageFileError('IMAGE_CORRUPT', `${header.mediaType} could not be decoded: ${reason}`);
  }
  if (
    image.width !== header.width ||
    image.height !== header.height ||
    image.rgba.length !== image.width * image.height * 4
  ) {
    throw new ImageFileError(
      'IMAGE_CORRUPT',
      `decoded ${image.width}x${image.height} but the header says ${header.width}x${header.height}`,
    );
  }
  return { header, image };
}

function pngToRgba(bytes: Uint8Array): RgbaImage {
  const png = decodePng(bytes, { checkCrc: true });
  const { width, height } = png;
  const n = width * height;
  let channels = png.channels;
  let data: ArrayLike<number> = png.data;
  let shift = png.depth === 16 ? 8 : 0;
  let scale = 1;
  if (png.palette) {
    data = convertIndexedToRgb(png);
    channels = png.palette[0]?.length ?? 3;
    shift = 0;
  } else if (png.depth < 8) {
    // Grey at 1, 2 or 4 bits: fast-png returns packed rows; unpack and stretch to 0..255.
    data = unpackBits(png.data as Uint8Array, width, height, png.depth, channels);
    scale = 255 / (2 ** png.depth - 1);
  }
  const rgba = new Uint8Array(n * 4);
  for (let p = 0; p < n; p++) {
    const v = (c: number): number => Math.round((data[p * channels + c]! >> shift) * scale);
    const grey = channels <= 2;
    rgba[p * 4] = v(0);
    rgba[p * 4 + 1] = grey ? v(0) : v(1);
    rgba[p * 4 + 2] = grey ? v(0) : v(2);
    rgba[p * 4 + 3] = channels === 2 ? v(1) : channels === 4 ? v(3) : 255;
  }
  return { width, height, rgba };
}

function unpackBits(packed: Uint8Array, width: number, height: number, depth: number, channels: number): Uint8Array {
  const perRow = Math.ceil((width * channels * depth) / 8);
  const out = new Uint8Array(width * height * channels);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < width * channels; i++) {
      const bit = i * depth;
      const byte = packed[y * perRow + (bit >> 3)]!;
      out[y * width * channels + i] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}
