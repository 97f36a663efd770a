import { ApiIdSchema, parseJsonBounded, SaveWorkflowRequestSchema, WorkflowListQuerySchema } from '@ptp/graph-core';
import { readPngTextAsync } from '@ptp/nodes';
import express, { Router } from 'express';
import type { WorkflowLibrary } from '../library/WorkflowLibrary.js';
import { parseWith, sendError, sendResult } from './httpErrors.js';
import { jsonBody } from './jsonBody.js';

const unknown = (id: string) => ({ code: 'UNKNOWN_WORKFLOW', message: `no workflow "${id}"` });

type Limits = { maxJsonBodyBytes: number; maxUploadBytes: number; maxJsonDepth: number };

/**
 * POST /import: a workflow JSON file as it was exported, or a PNG the studio wrote (workflow in a
 * text chunk). The document itself is held to the JSON limits either way; PNG text inflates under
 * the same byte budget, so a small compressed chunk cannot expand on the event loop.
 */
function addImportRoute(router: Router, library: WorkflowLibrary, limits: Limits): void {
  const importJson = express.raw({ type: 'application/json', limit: limits.maxJsonBodyBytes });
  const importPng = express.raw({ type: 'image/png', limit: limits.maxUploadBytes });
  router.post('/import', importJson, importPng, async (req, res) => {
    const bytes = req.body instanceof Uint8Array ? req.body : undefined;
    if (!bytes)
      return sendError(res, 415, {
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'send a workflow as application/json or a studio PNG as image/png',
      });
    let text: string;
    if (req.is('image/png')) {
      const png = await readPngTextAsync(bytes, limits.maxJsonBodyBytes);
      if (!png.ok)
        return sendError(res, png.code === 'DECOMPRESSION_LIMIT' ? 413 : 400, { code: png.code, message: png.message });
      if (!png.text.workflow)
        return sendError(res, 400, {
          code: 'INVALID_DOCUMENT',
          message: 'this PNG carries no workflow (no "workflow" text chunk)',
        });
      text = png.text.workflow;
    } else text = new TextDecoder().decode(bytes);
    const parsed = parseJsonBounded(text, 'workflow', limits.maxJsonDepth);
    if (!parsed.ok) return sendError(res, 400, parsed.error);
    const document = parsed.value;
    const body = parseWith(SaveWorkflowRequestSchema, { document }, 'workflow');
    if (!body.ok) return sendResult(res, body);
    sendResult(res, library.create(body.value), 201);
  });
}

/**
 * The workflow library over HTTP: list/search, create, import (JSON or a studio PNG), read with
 * history, read one version, export, save a new version, delete.
 */
export function workflowRoutes(library: WorkflowLibrary, limits: Limits): Router {
  const router = Router();
  const json = jsonBody(limits);

  router.get('/', (req, res) => {
    const query = parseWith(WorkflowListQuerySchema, req.query, 'query');
    if (!query.ok) return sendResult(res, query);
    res.json(library.list(query.value));
  });

  router.post('/', json, (req, res) => {
    const body = parseWith(SaveWorkflowRequestSchema, req.body, 'workflow save request');
    if (!body.ok) return sendResult(res, body);
    sendResult(res, library.create(body.value), 201);
  });

  addImportRoute(router, library, limits);

  router.get('/:id', (req, res) => {
    const record = ApiIdSchema.safeParse(req.params.id).success ? library.get(req.params.id) : undefined;
    if (!record) return sendError(res, 404, unknown(req.params.id));
    res.json(record);
  });

  router.get('/:id/export', (req, res) => {
    const record = ApiIdSchema.safeParse(req.params.id).success ? library.get(req.params.id) : undefined;
    if (!record) return sendError(res, 404, unknown(req.params.id));
    const file = `${record.name.replace(/[^A-Za-z0-9 _.-]+/g, '_').trim() || 'workflow'}.json`;
    res.setHeader('Content-Disposition', `attachment; filename="${file}"`);
    res.type('application/json').send(`${JSON.stringify(record.document, null, 2)}\n`);
  });

  router.get('/:id/versions/:version', (req, res) => {
    // Digits only: "0x1" or "1.0" name no version.
    const version = /^[0-9]{1,9}$/.test(req.params.version) ? Number(req.params.version) : NaN;
    const record =
      ApiIdSchema.safeParse(req.params.id).success && Number.isInteger(version)
        ? library.getVersion(req.params.id, version)
        : undefined;
    if (!record)
      return sendError(res, 404, {
        code: 'UNKNOWN_WORKFLOW',
        message: `no version ${req.params.version} of workflow "${req.params.id}"`,
      });
    res.json(record);
  });

  router.put('/:id', json, (req: express.Request<{ id: string }>, res: express.Response) => {
    if (!ApiIdSchema.safeParse(req.params.id).success) return sendError(res, 404, unknown(req.params.id));
    const body = parseWith(SaveWorkflowRequestSchema, req.body, 'workflow save request');
    if (!body.ok) return sendResult(res, body);
    sendResult(res, library.update(req.params.id, body.value));
  });

  router.delete('/:id', (req, res) => {
    if (!ApiIdSchema.safeParse(req.params.id).success || !library.delete(req.params.id))
      return sendError(res, 404, unknown(req.params.id));
    res.status(204).end();
  });

  return router;
}
