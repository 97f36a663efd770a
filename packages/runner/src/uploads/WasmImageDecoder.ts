import { createRequire } from 'node:module';
import type { ImageDecoder, RgbaImage } from '@ptp/nodes';

// @cwasm/webp is CommonJS and instantiates libwebp's wasm at import; load it lazily so runs that
// never see a WebP pay nothing.
const require = createRequire(import.meta.url);
let webp: { decode(bytes: Uint8Array): { width: number; height: number; data: Uint8ClampedArray } } | undefined;

/**
 * WebP for Node runners: libwebp compiled to wasm (@cwasm/webp). PNG and JPEG never come here;
 * the nodes decode them in JavaScript (see @ptp/nodes runtime/ImageDecoder.ts for why).
 */
export class WasmImageDecoder implements ImageDecoder {
  readonly mediaTypes = ['image/webp'];

  decode(bytes: Uint8Array, mediaType: string): Promise<RgbaImage> {
    if (mediaType !== 'image/webp') return Promise.reject(new Error(`no decoder for ${mediaType}`));
    webp ??= require('@cwasm/webp') as typeof webp;
    const d = webp!.decode(bytes);
    return Promise.resolve({
      width: d.width,
      height: d.height,
      rgba: new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.byteLength),
    });
  }
}
