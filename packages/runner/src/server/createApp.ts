import express, { type Express } from 'express';
import { buildCatalogue, type NodeRegistry } from '@ptp/graph-core';

export interface AppOptions {
  registry: NodeRegistry;
  version?: string;
}

/**
 * The studio's HTTP API. This is the first slice (health and catalogue); workflows, runs,
 * uploads and the socket join it as the server issue lands.
 */
export function createApp({ registry, version = '0.1.0' }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  const catalogue = buildCatalogue(registry);
  app.get('/api/health', (_req, res) => {
    res.json({ ok: true, version, nodeTypes: catalogue.nodes.length });
  });
  app.get('/api/nodes', (_req, res) => {
    res.json(catalogue);
  });
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no such API route' } });
  });
  app.get('/', (_req, res) => {
    res.type('text/plain').send('PtP Studio server. The editor is not built yet: this serves the API only (GET /api/health, GET /api/nodes).\n');
  });
  return app;
}
