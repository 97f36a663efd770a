import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { CatalogueSchema } from '@ptp/graph-core';
import { createNodeRegistry } from '@ptp/nodes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './createApp.js';

let base = '';
let close: () => void;
beforeAll(async () => {
  const server = createApp({ registry: createNodeRegistry() }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());

describe('studio HTTP API (real server on loopback)', () => {
  it('answers health and serves the catalogue', async () => {
    const health = await (await fetch(`${base}/api/health`)).json();
    expect(health).toMatchObject({ ok: true });
    const catalogue = CatalogueSchema.parse(await (await fetch(`${base}/api/nodes`)).json());
    expect(catalogue.nodes.length).toBe(health.nodeTypes);
  });

  it('answers unknown API routes with a structured 404', async () => {
    const res = await fetch(`${base}/api/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no such API route' } });
  });
});
