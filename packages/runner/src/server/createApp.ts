import express, { type Express } from 'express';
import {
  API_LIMITS,
  buildCatalogue,
  PackSummarySchema,
  type ApiLimits,
  type HealthResponse,
  type ModelsResponse,
  type NodeRegistry,
  type QueueState,
} from '@ptp/graph-core';
import type { PackInfo } from '@ptp/nodes';
import type { BoardStore } from '../library/BoardStore.js';
import type { WorkflowLibrary } from '../library/WorkflowLibrary.js';
import { NODE_PACKAGES_URL, type LoadedNodePackages } from '../nodePackages/loadNodePackages.js';
import { nodePackageRoutes } from '../nodePackages/nodePackageRoutes.js';
import type { RunnerHas } from '../queue/prepareRun.js';
import type { QueueStats, RunQueue } from '../queue/RunQueue.js';
import type { DirectoryUploadStore } from '../uploads/DirectoryUploadStore.js';
import type { ModelManager } from '../models/ModelManager.js';
import { boardRoutes } from './boardRoutes.js';
import { errorHandler, sendError } from './httpErrors.js';
import { modelRoutes } from './modelRoutes.js';
import { RequestGuard } from './RequestGuard.js';
import { runRoutes } from './runRoutes.js';
import { DEFAULT_UI_DIR, serveEditor } from './serveEditor.js';
import { uploadRoutes } from './uploadRoutes.js';
import { workflowRoutes } from './workflowRoutes.js';
import { STUDIO_VERSION } from '../studioVersion.js';

export interface AppOptions {
  registry: NodeRegistry;
  version?: string;
  /** Host/Origin/token checks; default: loopback, no token. */
  guard?: RequestGuard;
  library?: WorkflowLibrary;
  queue?: RunQueue;
  /** Boards of result pictures (needs the queue): /api/boards and /api/gallery. */
  boards?: BoardStore;
  uploads?: DirectoryUploadStore;
  /** The packs the server's runs can load (GET /api/models). */
  listPacks?: () => Promise<PackInfo[]>;
  /** The packs and uploads a run may name, checked before it is queued (see RunnerHas). */
  runnerHas?: () => Promise<RunnerHas>;
  /** The model manager (GET /api/models/manage, imports, removal). */
  models?: ModelManager;
  /** The built editor; default packages/ui/dist. */
  uiDir?: string;
  limits?: ApiLimits;
  log?: (message: string) => void;
  /** Node packages from the configured folders: listed in the catalogue, their modules served to the browser runtime. */
  nodePackages?: LoadedNodePackages;
}

/**
 * The studio's HTTP API and the editor's files. Each part is mounted when its service is given
 * (library, queue, uploads), so tests and tools can build just the slice they need. Every request
 * passes the guard first; /api requests also need the token when one is set.
 */
export function createApp(options: AppOptions): Express {
  const { registry, version = STUDIO_VERSION, library, queue, uploads, listPacks } = options;
  const guard = options.guard ?? new RequestGuard({ bindHost: '127.0.0.1' });
  const limits = options.limits ?? { ...API_LIMITS };
  const log = options.log ?? ((m: string) => console.error(m));
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const { nodePackages } = options;
  const catalogue = {
    ...buildCatalogue(registry, { limits }),
    ...(nodePackages ? { nodePackages: nodePackages.packages, packageProblems: nodePackages.problems } : {}),
  };

  app.use((req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    const verdict = guard.checkHeaders(req.headers);
    if (!verdict.ok) return sendError(res, verdict.status, verdict.error);
    next();
  });
  app.use('/api', (req, res, next) => {
    const verdict = guard.authorize(
      RequestGuard.tokenOf(req.headers, req.method, req.originalUrl),
      req.socket.remoteAddress,
    );
    if (!verdict.ok) {
      if (verdict.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
      if (verdict.retryAfterS) res.setHeader('Retry-After', String(verdict.retryAfterS));
      return sendError(res, verdict.status, verdict.error);
    }
    next();
  });

  app.get('/api/health', async (_req, res) => {
    const stats: QueueStats = queue
      ? await queue.stats()
      : { queued: 0, running: 0, paused: false, worker: { alive: false, restarts: 0 } };
    const ok = stats.worker.acceptingRuns !== false;
    res.status(ok ? 200 : 503).json({
      ok,
      version,
      nodeTypes: catalogue.nodes.length,
      queue: { queued: stats.queued, running: stats.running, paused: stats.paused },
      worker: stats.worker,
      auth: guard.requiresToken,
    } satisfies HealthResponse);
  });
  app.get('/api/nodes', (_req, res) => {
    res.json(catalogue);
  });
  if (listPacks) {
    app.get('/api/models', async (_req, res) => {
      res.json({
        packs: (await listPacks()).map((p) => PackSummarySchema.parse(p)),
      } satisfies ModelsResponse);
    });
  }
  if (options.models) app.use('/api/models', modelRoutes(options.models, limits));
  if (library) app.use('/api/workflows', workflowRoutes(library, limits));
  if (queue)
    app.use(
      '/api/runs',
      runRoutes(queue, registry, limits, {
        ...(options.boards ? { onDeleted: (id: string) => options.boards!.forgetRun(id) } : {}),
        ...(options.runnerHas ? { has: options.runnerHas } : {}),
      }),
    );
  if (queue)
    for (const [action, paused] of [
      ['pause', true],
      ['resume', false],
    ] as const)
      app.post(`/api/queue/${action}`, async (_req, res) => {
        await queue.setPaused(paused);
        res.json({ paused } satisfies QueueState);
      });
  if (queue && options.boards) {
    const routes = boardRoutes(options.boards, queue, limits);
    app.use('/api/boards', routes.boards);
    app.use('/api/gallery', routes.gallery);
  }
  if (uploads) app.use('/api/uploads', uploadRoutes(uploads, limits));
  app.use('/api', (_req, res) => {
    sendError(res, 404, { code: 'NOT_FOUND', message: 'no such API route' });
  });

  if (nodePackages) app.use(NODE_PACKAGES_URL, nodePackageRoutes(nodePackages.folders));
  app.use(serveEditor(options.uiDir ?? DEFAULT_UI_DIR));
  app.use(errorHandler(log));
  return app;
}
