import { defineNode, NodeRunError, UploadIdSchema } from '@ptp/graph-core';
import { z } from 'zod';
import '../values.js';
import '../runtime/ImageDecoder.js';
import '../runtime/UploadStore.js';
import { decodeImage } from './decode/decodeImage.js';
import { FIT_POLICIES, fitImage, parseHexColor } from './decode/fitImage.js';
import { DEFAULT_IMAGE_LIMITS, ImageFileError } from './decode/readImageHeader.js';

const LIMITS = DEFAULT_IMAGE_LIMITS;

/** Width or height: 0 takes the connected model's image size. */
const sizeParam = () =>
  z.number().int().min(0).max(2048).default(0).meta({ step: 8 }).describe("0: the connected model's image size");

export const loadImageNode = defineNode({
  type: 'ptp.loadImage',
  version: 1,
  title: 'Load image',
  category: 'image',
  description: `An uploaded PNG, JPEG or WebP, brought to the model's size. Files over ${LIMITS.maxPixels} pixels (4096x4096) or under ${LIMITS.minSide} px a side are refused from their header, before decoding.`,
  inputs: {
    model: {
      type: 'MODEL',
      optional: true,
      description: "gives the size when width and height are 0 (the pack's image size)",
    },
  },
  outputs: { image: { type: 'IMAGE' } },
  params: z.object({
    // Uploads are named by content id (sha256), never by path: graphs are data and must not reach the file system.
    upload: z
      .union([z.literal(''), UploadIdSchema])
      .default('')
      .meta({ widget: 'upload', description: 'an uploaded image (its sha256 id)' }),
    resize: z.enum(FIT_POLICIES).default('center-crop').meta({
      description:
        'center-crop: cover the size and cut the overflow equally; fit: letterbox with the background colour; stretch: scale each axis',
    }),
    /** 0 = the connected model's image size. */
    width: sizeParam(),
    height: sizeParam(),
    background: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, 'a colour #rrggbb')
      .default('#ffffff')
      .meta({ widget: 'color', description: 'behind transparent pixels and around a fitted picture' }),
  }),
  // Before any run (editor, validate, the server): an empty upload is the commonest slip.
  check: (_inputs, p) => (p.upload === '' ? [{ message: 'choose an uploaded image', param: 'upload' }] : []),
  run: async ({ model }, p, ctx) => {
    if (p.upload === '') throw new NodeRunError('choose an uploaded image', { param: 'upload', code: 'INVALID_PARAM' });
    const width = p.width || model?.defaultImageSize;
    const height = p.height || model?.defaultImageSize;
    if (!width || !height)
      throw new NodeRunError('set width and height, or connect a model to use its size', {
        param: p.width ? 'height' : 'width',
        code: 'INVALID_PARAM',
      });
    const store = ctx.resources.uploads;
    if (!store)
      throw new NodeRunError(
        'this runner has no upload store (ptp run --uploads DIR, the server, or the browser library)',
        { param: 'upload', code: 'RESOURCE_MISSING' },
      );
    const record = await store.read(p.upload);
    if (!record) throw new NodeRunError(`no upload with id ${p.upload}`, { param: 'upload', code: 'UPLOAD_NOT_FOUND' });
    try {
      const { image } = await decodeImage(record.bytes, {
        limits: LIMITS,
        ...(ctx.resources.imageDecoder ? { decoder: ctx.resources.imageDecoder } : {}),
      });
      return { image: { images: [fitImage(image, width, height, p.resize, parseHexColor(p.background))] } };
    } catch (err) {
      if (err instanceof ImageFileError)
        throw new NodeRunError(`upload "${record.name}" (${p.upload.slice(0, 12)}…): ${err.message}`, {
          param: 'upload',
          code: err.code,
        });
      throw err;
    }
  },
  summarize: ({ image }) => ({ width: image.images[0]?.width, height: image.images[0]?.height }),
});
