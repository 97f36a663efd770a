import type { RgbaImage } from '../image/ImageBatch.js';

/**
 * Decodes image formats this package does not decode itself (today: WebP). PNG and JPEG are
 * decoded in the nodes with pure JavaScript (fast-png, jpeg-js), so every runner gets the same
 * pixels. No WebP decoder on npm runs unchanged in Node and browsers (the libwebp wasm builds read
 * their .wasm with `fs` or fetch it by URL), so WebP goes through this resource: the runner
 * implements it with libwebp compiled to wasm (@cwasm/webp), a browser runner with
 * createImageBitmap. Lossy WebP is VP8, whose decoding the spec makes bit-exact, so both give the
 * same pixels up to the YUV -> RGB rounding of each implementation.
 *
 * The caller has already read the header and enforced the size limits, so a decoder only ever sees
 * files whose declared size is acceptable.
 */
export interface ImageDecoder {
  /** Media types this decoder handles. */
  readonly mediaTypes: readonly string[];
  decode(bytes: Uint8Array, mediaType: string): Promise<RgbaImage>;
}

declare module '@ptp/graph-core' {
  interface RunResources {
    /** Decoders for formats the nodes do not decode themselves (WebP). */
    imageDecoder?: ImageDecoder;
  }
}
