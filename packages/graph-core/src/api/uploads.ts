import { z } from 'zod';

/** Uploads are content-addressed: the id is the sha256 of the bytes, so the same image uploads once. */
export const UploadIdSchema = z.string().regex(/^[0-9a-f]{64}$/, 'upload ids are 64 lowercase hex digits (sha256)');

export const UPLOAD_MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;

/** POST /api/uploads answers this; graphs name the upload by `id` (never by a path). */
export const UploadRecordSchema = z.object({
  id: UploadIdSchema,
  name: z.string(),
  mediaType: z.string(),
  size: z.number().int().nonnegative(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
});
export type UploadRecord = z.infer<typeof UploadRecordSchema>;
