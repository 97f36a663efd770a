import {
  ApiIdSchema,
  BoardRequestSchema,
  GalleryQuerySchema,
  GalleryRefSchema,
  type GalleryItem,
  type GalleryResponse,
  type RunRecord,
} from '@ptp/graph-core';
import { Router } from 'express';
import type { BoardStore } from '../library/BoardStore.js';
import type { RunQueue } from '../queue/RunQueue.js';
import { parseWith, sendError, sendResult } from './httpErrors.js';
import { jsonBody, type JsonBodyLimits } from './jsonBody.js';

const isPicture = (mime: string) => mime.startsWith('image/');

function itemsOf(run: RunRecord, boardsOf: Map<string, string[]>): GalleryItem[] {
  return run.outputs
    .filter((o) => isPicture(o.mime))
    .map((o) => ({
      runId: run.id,
      output: o.name,
      nodeId: o.nodeId,
      mime: o.mime,
      workflowName: run.name,
      createdAt: run.finishedAt ?? run.createdAt,
      ...(run.seeds ? { seeds: run.seeds } : {}),
      boards: boardsOf.get(`${run.id}/${o.name}`) ?? [],
    }));
}

/**
 * /api/boards (list, create, rename, delete; put pictures on and take them off) and /api/gallery
 * (every picture of the succeeded runs, or one board's). A board only refers to run outputs: a
 * picture whose run is gone (deleted, or past the retention) drops off when the board is listed.
 */
export function boardRoutes(
  boards: BoardStore,
  queue: RunQueue,
  limits: JsonBodyLimits,
): { boards: Router; gallery: Router } {
  const router = Router();
  const json = jsonBody(limits);
  const unknownBoard = (id: string) => ({ code: 'UNKNOWN_BOARD', message: `unknown board "${id}"` });
  // Express types a param after a body parser as string | string[]: one id is all a board route takes.
  const boardId = (raw: unknown) => {
    const id = String(raw);
    return ApiIdSchema.safeParse(id).success ? id : undefined;
  };

  router.get('/', (_req, res) => {
    res.json({ boards: boards.list() });
  });

  router.post('/', json, (req, res) => {
    const body = parseWith(BoardRequestSchema, req.body, 'board');
    if (!body.ok) return sendResult(res, body);
    sendResult(res, boards.create(body.value.name), 201);
  });

  router.patch('/:id', json, (req, res) => {
    const body = parseWith(BoardRequestSchema, req.body, 'board');
    if (!body.ok) return sendResult(res, body);
    const id = boardId(req.params.id);
    if (!id) return sendError(res, 404, unknownBoard(String(req.params.id)));
    sendResult(res, boards.rename(id, body.value.name));
  });

  router.delete('/:id', (req, res) => {
    const id = boardId(req.params.id);
    if (!id) return sendError(res, 404, unknownBoard(String(req.params.id)));
    const done = boards.delete(id);
    if (!done.ok) return sendResult(res, done);
    res.status(204).end();
  });

  // Puts a picture on the board; the run must have that picture.
  router.post('/:id/items', json, async (req, res) => {
    const ref = parseWith(GalleryRefSchema, req.body, 'picture');
    if (!ref.ok) return sendResult(res, ref);
    const id = boardId(req.params.id);
    if (!id) return sendError(res, 404, unknownBoard(String(req.params.id)));
    const run = await queue.get(ref.value.runId);
    if (!run) return sendError(res, 404, { code: 'UNKNOWN_RUN', message: `unknown run "${ref.value.runId}"` });
    const output = run.outputs.find((o) => o.name === ref.value.output);
    if (!output || !isPicture(output.mime))
      return sendError(res, 404, {
        code: 'UNKNOWN_OUTPUT',
        message: `run "${run.id}" has no picture "${ref.value.output}"`,
      });
    sendResult(res, boards.add(id, ref.value));
  });

  router.post('/:id/items/remove', json, (req, res) => {
    const ref = parseWith(GalleryRefSchema, req.body, 'picture');
    if (!ref.ok) return sendResult(res, ref);
    const id = boardId(req.params.id);
    if (!id) return sendError(res, 404, unknownBoard(String(req.params.id)));
    sendResult(res, boards.remove(id, ref.value));
  });

  const gallery = Router();
  gallery.get('/', async (req, res) => {
    const query = parseWith(GalleryQuerySchema, req.query, 'query');
    if (!query.ok) return sendResult(res, query);
    const { board, limit, before, offset } = query.value;
    if (!board) {
      // Whole runs until `limit` pictures (runs without pictures are skipped), at most 10 batches of reads.
      const items: GalleryItem[] = [];
      let cursor = before;
      let more = true;
      for (let batch = 0; batch < 10 && more && items.length < limit; batch++) {
        const runs = await queue.list({ status: 'succeeded', limit, before: cursor });
        const on = boards.boardsOf(runs.map((r) => r.id));
        for (const run of runs) {
          if (items.length >= limit) break;
          items.push(...itemsOf(run, on));
          cursor = run.id;
        }
        more = runs.length === limit || items.length >= limit;
      }
      const body: GalleryResponse = { items };
      if (more && cursor) body.next = { before: cursor };
      return res.json(body);
    }
    const page = boards.items(board, limit, offset);
    if (!page.ok) return sendResult(res, page);
    const runs = new Map<string, RunRecord | undefined>();
    for (const ref of page.value.refs) if (!runs.has(ref.runId)) runs.set(ref.runId, await queue.get(ref.runId));
    const on = boards.boardsOf([...runs.keys()]);
    const items: GalleryItem[] = [];
    for (const ref of page.value.refs) {
      const item = runs.get(ref.runId) && itemsOf(runs.get(ref.runId)!, on).find((i) => i.output === ref.output);
      if (item) items.push(item);
      else boards.forgetRun(ref.runId); // its run is gone: off every board
    }
    const body: GalleryResponse = { items };
    if (offset + limit < page.value.total) body.next = { offset: offset + limit };
    res.json(body);
  });

  return { boards: router, gallery };
}
