import {
  API_LIMITS,
  ApiIdSchema,
  RunBatchRequestSchema,
  RunListQuerySchema,
  RunRequestSchema,
  type ApiLimits,
  type NodeRegistry,
} from '@ptp/graph-core';
import { Router } from 'express';
import { cancelBatch, cancelWaiting } from '../queue/cancelRuns.js';
import { prepareRun, type RunLimits, type RunnerHas } from '../queue/prepareRun.js';
import type { RunQueue } from '../queue/RunQueue.js';
import { submitBatch } from '../queue/submitBatch.js';
import { parseWith, sendError, sendResult } from './httpErrors.js';
import { jsonBody, type JsonBodyLimits } from './jsonBody.js';

/** Output names are plain file names the worker chose; anything else never reaches the disk. */
const OUTPUT_NAME = /^[A-Za-z0-9 _-][A-Za-z0-9 _.-]{0,199}$/;

const unknownRun = (id: string) => ({ code: 'UNKNOWN_RUN', message: `unknown run "${id}"` });

/** Runs over HTTP: submit, list, inspect, events, cancel (a run or what is left of a batch), resubmit, download outputs. */
export function runRoutes(
  queue: RunQueue,
  registry: NodeRegistry,
  limits: RunLimits & JsonBodyLimits & Partial<Pick<ApiLimits, 'maxQueuedRuns'>>,
  hooks: {
    onDeleted?(runId: string): void;
    /** What runs can name (packs, uploads), checked before a run is queued (absent: not checked). */
    has?(): Promise<RunnerHas>;
  } = {},
): Router {
  const router = Router();
  const maxQueuedRuns = limits.maxQueuedRuns ?? API_LIMITS.maxQueuedRuns;
  // Queueing a batch and cancelling many runs take turns, so Clear queue or Cancel the rest never
  // sees half a batch (on this server; several servers on one Redis may still interleave).
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(fn: () => Promise<T>): Promise<T> => {
    const mine = turn.then(fn, fn);
    turn = mine.catch(() => undefined);
    return mine;
  };

  router.post('/', jsonBody(limits), async (req, res) => {
    const request = parseWith(RunRequestSchema, req.body, 'run request');
    if (!request.ok) return sendResult(res, request);
    const prepared = prepareRun(request.value, registry, limits, await hooks.has?.());
    if (!prepared.ok) return sendResult(res, prepared);
    const submitted = await queue.submit(prepared.value);
    if (!submitted.ok) return sendResult(res, submitted);
    res.status(submitted.value.duplicate ? 200 : 202).json(submitted.value.run);
  });

  router.post('/batch', jsonBody(limits), async (req, res) => {
    const request = parseWith(RunBatchRequestSchema, req.body, 'batch request');
    if (!request.ok) return sendResult(res, request);
    const has = await hooks.has?.();
    const submitted = await inTurn(() =>
      submitBatch(queue, registry, { ...limits, maxQueuedRuns }, request.value.runs, has),
    );
    if (!submitted.ok) return sendResult(res, submitted);
    res.status(submitted.value.duplicates === submitted.value.runs.length ? 200 : 202).json(submitted.value);
  });

  router.get('/', async (req, res) => {
    const query = parseWith(RunListQuerySchema, req.query, 'query');
    if (!query.ok) return sendResult(res, query);
    res.json({ runs: await queue.list(query.value) });
  });

  router.post('/cancel-waiting', async (_req, res) => {
    res.json(await inTurn(() => cancelWaiting(queue, maxQueuedRuns)));
  });

  router.post('/batches/:batch/cancel', async (req, res) => {
    const batch = req.params.batch;
    if (!ApiIdSchema.safeParse(batch).success)
      return sendError(res, 404, { code: 'UNKNOWN_BATCH', message: `no runs of batch "${batch}"` });
    sendResult(res, await inTurn(() => cancelBatch(queue, batch)));
  });

  router.get('/:id', async (req, res) => {
    const run = ApiIdSchema.safeParse(req.params.id).success ? await queue.get(req.params.id) : undefined;
    if (!run) return sendError(res, 404, unknownRun(req.params.id));
    res.json(run);
  });

  router.get('/:id/events', async (req, res) => {
    const raw = req.query.afterSeq;
    // An integer as text; "" or "1e3" or "0x10" is not one.
    const afterSeq =
      raw === undefined ? -1 : typeof raw === 'string' && /^-?[0-9]{1,15}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(afterSeq) || afterSeq < -1)
      return sendError(res, 400, { code: 'BAD_REQUEST', message: 'afterSeq must be an integer >= -1' });
    const events = ApiIdSchema.safeParse(req.params.id).success
      ? await queue.events(req.params.id, afterSeq)
      : undefined;
    if (!events) return sendError(res, 404, unknownRun(req.params.id));
    res.json({ events });
  });

  router.post('/:id/cancel', async (req, res) => {
    if (!ApiIdSchema.safeParse(req.params.id).success) return sendError(res, 404, unknownRun(req.params.id));
    sendResult(res, await queue.cancel(req.params.id));
  });

  router.delete('/:id', async (req, res) => {
    if (!ApiIdSchema.safeParse(req.params.id).success) return sendError(res, 404, unknownRun(req.params.id));
    const deleted = await queue.delete(req.params.id);
    if (deleted.ok) hooks.onDeleted?.(req.params.id);
    sendResult(res, deleted);
  });

  router.post('/:id/resubmit', async (req, res) => {
    if (!ApiIdSchema.safeParse(req.params.id).success) return sendError(res, 404, unknownRun(req.params.id));
    const submitted = await queue.resubmit(req.params.id);
    if (!submitted.ok) return sendResult(res, submitted);
    res.status(202).json(submitted.value.run);
  });

  router.get('/:id/outputs/:name', async (req, res) => {
    const { id, name } = req.params;
    // A name the run recorded (the queue looks it up), never a path: no "/" or "\\", no leading ".".
    if (!ApiIdSchema.safeParse(id).success || !OUTPUT_NAME.test(name)) {
      return sendError(res, 404, { code: 'UNKNOWN_OUTPUT', message: 'no such output' });
    }
    const found = await queue.readOutput(id, name);
    if (!found) return sendError(res, 404, { code: 'UNKNOWN_OUTPUT', message: `run "${id}" has no output "${name}"` });
    res.setHeader('Content-Type', found.output.mime);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Disposition', `inline; filename="${found.output.name}"`);
    res.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
    res.end(found.data);
  });

  return router;
}
