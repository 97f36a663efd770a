/** Images as they travel on IMAGE sockets: 8-bit RGBA, row-major, one entry per batch item. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

export interface ImageBatch {
  readonly images: readonly RgbaImage[];
}

/** Latents as they travel on LATENT sockets. */
export interface LatentBatch {
  readonly data: Float32Array;
  /** [N, C, h, w] */
  readonly dims: readonly [number, number, number, number];
  /** The pack that made them; decoding with another pack is refused. */
  readonly packId: string;
}
