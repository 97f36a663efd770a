import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CatalogueSchema, Engine, type WorkflowDocument } from '@ptp/graph-core';
import { createNodeRegistry, type ImageBatch } from '@ptp/nodes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../repoRoot.js';
import { createApp } from '../server/createApp.js';
import { loadNodePackages, nodePackageDirs, type LoadedNodePackages } from './loadNodePackages.js';

const EXAMPLES = path.join(REPO_ROOT, 'examples/node-packages');

/** A folder of packages: one per entry, `files` by name (package.json given as an object). */
function packagesDir(packages: Record<string, Record<string, unknown>>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ptp-node-packages-'));
  for (const [dir, files] of Object.entries(packages)) {
    mkdirSync(path.join(root, dir), { recursive: true });
    for (const [name, content] of Object.entries(files))
      writeFileSync(path.join(root, dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

const pkg = (name: string, ptpNodes = 'index.js') => ({ name, version: '0.1.0', ptpNodes });
const oneNode = (type: string) => `export function register({ defineNode, z }) {
  return [defineNode({ type: '${type}', version: 1, title: 'T', category: 'x', description: '', inputs: {},
    outputs: { value: { type: 'NUMBER' } }, params: z.object({}), run: () => ({ value: 1 }) })];
}`;

describe('loadNodePackages', () => {
  it('loads the example package with its origin, and its node inverts an image', async () => {
    const loaded = await loadNodePackages([EXAMPLES]);
    expect(loaded.problems).toEqual([]);
    expect(loaded.packages).toEqual([
      {
        name: 'ptp-example-invert',
        version: '1.0.0',
        module: '/node-packages/ptp-example-invert/nodes.js',
        types: ['example.invertColors'],
      },
    ]);
    const registry = createNodeRegistry(loaded.nodes);
    const def = registry.get('example.invertColors')!;
    expect(def.origin).toEqual({ package: 'ptp-example-invert@1.0.0' });

    const doc: WorkflowDocument = {
      schemaVersion: 3,
      metadata: { name: 'invert', description: '', tags: [] },
      nodes: [
        { id: 'img', type: 'test.image', typeVersion: 1, params: {} },
        { id: 'inv', type: 'example.invertColors', typeVersion: 1, params: {} },
      ],
      edges: [{ from: { node: 'img', output: 'image' }, to: { node: 'inv', input: 'image' } }],
    } as unknown as WorkflowDocument;
    const source = createNodeRegistry([
      ...loaded.nodes,
      {
        ...def,
        type: 'test.image',
        inputs: {},
        origin: undefined,
        run: () => ({
          image: { images: [{ width: 1, height: 2, rgba: new Uint8Array([0, 10, 255, 200, 1, 2, 3, 4]) }] },
        }),
      },
    ]);
    const result = await new Engine(source, { backend: undefined }).run(doc, { outputs: ['inv'] });
    expect(result.status).toBe('success');
    const image = result.outputs.get('inv')!.image as ImageBatch;
    expect([...image.images[0]!.rgba]).toEqual([255, 245, 0, 200, 254, 253, 252, 4]);
  });

  it('reports each broken package and skips it, keeping the good ones', async () => {
    const dir = packagesDir({
      good: { 'package.json': pkg('good'), 'index.js': oneNode('good.one') },
      syntax: { 'package.json': pkg('syntax'), 'index.js': 'export function register( {' },
      throws: { 'package.json': pkg('throws'), 'index.js': 'throw new Error("no GPU here");' },
      missing: { 'package.json': pkg('missing', 'gone.js') },
      escape: { 'package.json': pkg('escape', '../good/index.js') },
      nojson: { 'index.js': oneNode('nojson.one') },
      badjson: { 'package.json': '{ nope', 'index.js': '' },
      badname: { 'package.json': pkg('Bad Name'), 'index.js': oneNode('bad.one') },
      // Folders load in name order: this one comes after `good`, whose type it repeats.
      zcollide: { 'package.json': pkg('zcollide'), 'index.js': oneNode('good.one') },
      '.hidden': { 'package.json': pkg('hidden'), 'index.js': oneNode('hidden.one') },
    });
    const loaded = await loadNodePackages([dir, path.join(dir, 'no-such-folder')]);
    expect(loaded.packages.map((p) => p.name)).toEqual(['good']);
    expect(loaded.nodes.map((n) => n.type)).toEqual(['good.one']);
    expect(loaded.problems.map((p) => [p.package.replace(/@.*/, ''), p.code])).toEqual([
      ['badjson', 'PACKAGE_UNREADABLE'],
      ['badname', 'PACKAGE_INVALID'],
      ['escape', 'PACKAGE_INVALID'],
      ['missing', 'PACKAGE_INVALID'],
      ['nojson', 'PACKAGE_UNREADABLE'],
      ['syntax', 'PACKAGE_LOAD_FAILED'],
      ['throws', 'PACKAGE_LOAD_FAILED'],
      ['zcollide', 'NODE_TYPE_TAKEN'],
      ['no-such-folder', 'PACKAGE_UNREADABLE'],
    ]);
    expect(loaded.problems.find((p) => p.package.startsWith('throws'))!.message).toContain('no GPU here');
    expect([...loaded.folders.keys()]).toEqual(['good']);
  });

  it('takes folders from the flags, then $PTP_NODE_PACKAGES, without repeats', () => {
    expect(nodePackageDirs(['/a', '/b'], ['/b', '/c'].join(path.delimiter))).toEqual(['/a', '/b', '/c']);
    expect(nodePackageDirs([], undefined)).toEqual([]);
  });
});

describe('the server with node packages', () => {
  let base = '';
  let close: () => void;
  let loaded: LoadedNodePackages;
  beforeAll(async () => {
    const broken = packagesDir({ broken: { 'package.json': pkg('broken'), 'index.js': 'export const x = ;' } });
    loaded = await loadNodePackages([EXAMPLES, broken]);
    const app = createApp({ registry: createNodeRegistry(loaded.nodes), nodePackages: loaded });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  it('lists the package types with their origin, the loaded packages and the problems', async () => {
    const catalogue = CatalogueSchema.parse(await (await fetch(`${base}/api/nodes`)).json());
    const entry = catalogue.nodes.find((n) => n.type === 'example.invertColors');
    expect(entry?.origin).toEqual({ package: 'ptp-example-invert@1.0.0' });
    expect(catalogue.nodes.find((n) => n.type === 'ptp.saveImage')?.origin).toBeUndefined();
    expect(catalogue.nodePackages?.map((p) => p.module)).toEqual(['/node-packages/ptp-example-invert/nodes.js']);
    expect(catalogue.packageProblems?.map((p) => [p.package, p.code])).toEqual([
      ['broken@0.1.0', 'PACKAGE_LOAD_FAILED'],
    ]);
  });

  it('serves the loaded packages’ modules, and nothing else', async () => {
    const res = await fetch(`${base}/node-packages/ptp-example-invert/nodes.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await res.text()).toContain('export function register');
    for (const p of [
      'ptp-example-invert/package.json',
      'ptp-example-invert/..%2f..%2fpackage.json',
      'ptp-example-invert/..%2fptp-example-invert%2fnodes.js',
      'broken/index.js',
      'nope/nodes.js',
      'ptp-example-invert',
    ])
      expect((await fetch(`${base}/node-packages/${p}`)).status, p).toBe(404);
    expect((await fetch(`${base}/node-packages/ptp-example-invert/nodes.js`, { method: 'POST' })).status).toBe(405);
  });
});
