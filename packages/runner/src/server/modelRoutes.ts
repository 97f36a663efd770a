import { StartImportRequestSchema, type ModelManagerResponse } from '@ptp/graph-core';
import { Router } from 'express';
import type { ModelManager } from '../models/ModelManager.js';
import { parseWith, sendError, sendResult } from './httpErrors.js';
import { jsonBody, type JsonBodyLimits } from './jsonBody.js';

/**
 * The model manager over HTTP: packs with their manifests, exports that can be imported (from
 * the server's configured roots only), imports with progress, removal of imported packs.
 */
export function modelRoutes(models: ModelManager, limits: JsonBodyLimits): Router {
  const router = Router();

  router.get('/manage', async (_req, res) => {
    // Jobs first: an import seen as done is then already in the pack list.
    const imports = models.jobs();
    const [packs, exports] = await Promise.all([models.packs(), models.exports()]);
    res.json({ packs, exports, imports } satisfies ModelManagerResponse);
  });

  router.post('/imports', jsonBody(limits), async (req, res) => {
    const request = parseWith(StartImportRequestSchema, req.body, 'import request');
    if (!request.ok) return sendResult(res, request);
    const started = await models.startImport(request.value.source, request.value.id);
    if (!started.ok) return sendResult(res, started);
    res.status(202).json(started.value);
  });

  router.get('/imports/:id', (req, res) => {
    const job = models.job(req.params.id);
    if (!job) return sendError(res, 404, { code: 'UNKNOWN_IMPORT', message: `unknown import "${req.params.id}"` });
    res.json(job);
  });

  router.delete('/:id', async (req, res) => {
    sendResult(res, await models.remove(req.params.id));
  });

  return router;
}
