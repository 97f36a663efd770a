import type { ImageDecoder, RgbaImage } from '@ptp/nodes';

/**
 * WebP (the one format the nodes do not decode themselves) through the browser's own decoder:
 * createImageBitmap without colour conversion or premultiplication, read back from an
 * OffscreenCanvas. Works in pages and workers.
 */
export class BrowserImageDecoder implements ImageDecoder {
  readonly mediaTypes = ['image/webp'] as const;

  async decode(bytes: Uint8Array, mediaType: string): Promise<RgbaImage> {
    const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mediaType }), {
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
    });
    try {
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d', { colorSpace: 'srgb' });
      if (!ctx) throw new Error('no 2d canvas context in this browser');
      ctx.drawImage(bitmap, 0, 0);
      const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
      return {
        width: bitmap.width,
        height: bitmap.height,
        rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      };
    } finally {
      bitmap.close();
    }
  }
}
