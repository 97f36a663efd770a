import { UploadIdSchema, type UploadRecord } from '@ptp/graph-core';
import { boundPngStreams, checkImageSize, DEFAULT_IMAGE_LIMITS, ImageFileError, readImageHeader } from '@ptp/nodes';
import express, { Router } from 'express';
import type { DirectoryUploadStore } from '../uploads/DirectoryUploadStore.js';
import { sendError } from './httpErrors.js';

/** Request types taken as image bytes; the real type is read from the bytes, never trusted from here. */
const RAW_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'application/octet-stream'];

/**
 * Image uploads: raw bytes in (`Content-Type: image/png|jpeg|webp`, `?name=`), checked at the
 * door by magic bytes, completeness and header size (decompression bombs never reach a decoder),
 * stored content-addressed. Graphs then name the upload by id.
 */
export function uploadRoutes(
  store: DirectoryUploadStore,
  limits: { maxUploadBytes: number; maxUploadPixels: number },
): Router {
  const router = Router();

  router.post('/', express.raw({ type: RAW_TYPES, limit: limits.maxUploadBytes }), async (req, res) => {
    const bytes = req.body instanceof Uint8Array && req.body.byteLength > 0 ? new Uint8Array(req.body) : undefined;
    if (!bytes)
      return sendError(res, 415, {
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: `send the image bytes as the body with Content-Type ${RAW_TYPES.slice(0, 3).join(', ')}`,
      });
    let header;
    try {
      header = readImageHeader(bytes);
      checkImageSize(header, { ...DEFAULT_IMAGE_LIMITS, maxPixels: limits.maxUploadPixels });
      // The image data must inflate to what the header declares, no more (checked in slices,
      // yielding between them, so a bomb costs neither memory nor the event loop).
      if (header.mediaType === 'image/png') await boundPngStreams(bytes);
    } catch (err) {
      if (!(err instanceof ImageFileError)) throw err;
      const status = err.code === 'UNSUPPORTED_IMAGE_TYPE' ? 415 : err.code === 'DECOMPRESSION_LIMIT' ? 413 : 400;
      return sendError(res, status, { code: err.code, message: err.message });
    }
    // A name to show, never a path: control characters (NUL, newlines) are dropped.
    const given = typeof req.query.name === 'string' ? req.query.name.replace(/[\u0000-\u001f\u007f]/g, '').trim() : '';
    const name = given ? given.slice(0, 200) : `upload.${header.mediaType.slice(6)}`;
    const stored = await store.put(bytes, name, header.mediaType);
    res.status(201).json({
      id: stored.id,
      name: stored.name,
      mediaType: stored.mediaType,
      size: bytes.byteLength,
      width: header.width,
      height: header.height,
    } satisfies UploadRecord);
  });

  router.get('/:id', async (req, res) => {
    const record = UploadIdSchema.safeParse(req.params.id).success ? await store.read(req.params.id) : undefined;
    if (!record) return sendError(res, 404, { code: 'UNKNOWN_UPLOAD', message: `no upload "${req.params.id}"` });
    res.setHeader('Content-Type', record.mediaType);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
    res.end(record.bytes);
  });

  return router;
}
