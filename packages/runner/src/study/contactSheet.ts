import type { RgbaImage } from '@ptp/nodes';

/**
 * Tiles images into one picture, `columns` wide, each with a 2-pixel frame: green when `ok[i]`,
 * red when not (undefined: grey). For looking over many small samples at once.
 */
export function contactSheet(
  images: readonly RgbaImage[],
  ok: readonly (boolean | undefined)[] = [],
  columns = 16,
): RgbaImage {
  const w = images[0]?.width ?? 0;
  const h = images[0]?.height ?? 0;
  const pad = 2;
  const cw = w + 2 * pad;
  const ch = h + 2 * pad;
  const cols = Math.max(1, Math.min(columns, images.length));
  const rows = Math.ceil(images.length / cols);
  const W = cols * cw;
  const H = rows * ch;
  const rgba = new Uint8Array(W * H * 4);
  images.forEach((im, i) => {
    const ox = (i % cols) * cw;
    const oy = Math.floor(i / cols) * ch;
    const frame = ok[i] === undefined ? [128, 128, 128] : ok[i] ? [40, 200, 60] : [230, 30, 30];
    for (let y = 0; y < ch; y++) {
      for (let x = 0; x < cw; x++) {
        const o = ((oy + y) * W + ox + x) * 4;
        const ix = x - pad;
        const iy = y - pad;
        if (ix >= 0 && iy >= 0 && ix < im.width && iy < im.height)
          rgba.set(im.rgba.subarray((iy * im.width + ix) * 4, (iy * im.width + ix) * 4 + 4), o);
        else rgba.set([...frame, 255], o);
      }
    }
  });
  return { width: W, height: H, rgba };
}
