import { z } from 'zod';
import { ApiIdSchema, RunSeedsSchema } from './runs.js';

/**
 * Boards (as InvokeAI's): named collections of result pictures, each picture one output file of
 * one run. A picture can be on several boards; deleting a board leaves the runs alone, deleting a
 * run takes its pictures off every board.
 */
export const BOARD_LIMITS = { maxBoards: 500, maxItemsPerBoard: 10_000, maxNameLength: 100 } as const;

export const BoardNameSchema = z.string().trim().min(1, 'a board needs a name').max(BOARD_LIMITS.maxNameLength);

export const BoardSchema = z.object({
  id: ApiIdSchema,
  name: z.string(),
  createdAt: z.iso.datetime(),
  /** Pictures on it. */
  count: z.number().int().nonnegative(),
});
export type Board = z.infer<typeof BoardSchema>;

export const BoardListResponseSchema = z.object({ boards: z.array(BoardSchema) });
export type BoardListResponse = z.infer<typeof BoardListResponseSchema>;

/** POST /api/boards and PATCH /api/boards/:id. */
export const BoardRequestSchema = z.object({ name: BoardNameSchema }).strict();
export type BoardRequest = z.infer<typeof BoardRequestSchema>;

/** One picture: an output file of a run (GET /api/runs/:runId/outputs/:output). */
export const GalleryRefSchema = z.object({ runId: ApiIdSchema, output: z.string().min(1).max(255) }).strict();
export type GalleryRef = z.infer<typeof GalleryRefSchema>;

export const GalleryItemSchema = GalleryRefSchema.extend({
  nodeId: z.string(),
  mime: z.string(),
  /** The run's workflow name and when it finished (or was made). */
  workflowName: z.string(),
  createdAt: z.iso.datetime(),
  /** The seeds its run sampled with (absent for older runs). */
  seeds: RunSeedsSchema.optional(),
  /** Boards it is on. */
  boards: z.array(ApiIdSchema),
});
export type GalleryItem = z.infer<typeof GalleryItemSchema>;

/**
 * GET /api/gallery: every picture of succeeded runs, newest run first, whole runs until `limit`
 * pictures, paged by run (`before`: the last run of the previous page); with `board`, that board's
 * pictures, newest added first, paged by `offset`.
 */
export const GalleryQuerySchema = z.object({
  board: ApiIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(60),
  before: ApiIdSchema.optional(),
  offset: z.coerce.number().int().min(0).max(BOARD_LIMITS.maxItemsPerBoard).default(0),
});
export type GalleryQuery = z.input<typeof GalleryQuerySchema>;

export const GalleryResponseSchema = z.object({
  items: z.array(GalleryItemSchema),
  /** Where the next page starts; absent on the last page. */
  next: z.object({ before: ApiIdSchema.optional(), offset: z.number().int().optional() }).optional(),
});
export type GalleryResponse = z.infer<typeof GalleryResponseSchema>;
