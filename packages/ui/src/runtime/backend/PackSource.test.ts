import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePack } from '@ptp/nodes/diffusion';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchPackSource, PackFetchError } from './PackSource';

// A real HTTP server over models/packs, laid out as the ui build serves them (dist/packs).
const packsDir = fileURLToPath(new URL('../../../../../models/packs', import.meta.url));
let server: Server;
let base: string;
const requested: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = decodeURIComponent(req.url ?? '/');
    requested.push(url);
    if (url === '/app/packs/index.json') return void res.end(JSON.stringify({ packs: ['tiny-random'] }));
    const file = path.join(packsDir, url.replace(/^\/app\/packs\//, ''));
    if (!url.startsWith('/app/packs/') || !existsSync(file) || !statSync(file).isFile())
      return void res.writeHead(404).end();
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/app/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('fetchPackSource', () => {
  it('reads the bundled pack over HTTP, enough for the shared parsePack', async () => {
    const source = fetchPackSource(base);
    expect(await source.listIds()).toEqual(['tiny-random']);
    const parsed = await parsePack((rel) => source.text('tiny-random', rel), 'tiny-random');
    expect(parsed.manifest.name).toBe('tiny-random');
    expect(parsed.tokenizer.encodePadded('a red circle', 8)).toHaveLength(8);
    const unet = await source.bytes('tiny-random', parsed.manifest.unet.model);
    expect(unet.byteLength).toBe(statSync(path.join(packsDir, 'tiny-random', parsed.manifest.unet.model)).size);
  });

  it('answers a missing file with its URL and HTTP status', async () => {
    const err = await fetchPackSource(base)
      .text('tiny-random', 'nope.json')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PackFetchError);
    expect(err).toMatchObject({ status: 404, url: `${base}packs/tiny-random/nope.json` });
  });

  it('never builds a URL outside packs/<id>/ (ids and paths come from documents and manifests)', () => {
    const source = fetchPackSource(base);
    for (const [id, rel] of [
      ['..', 'x'],
      ['a/b', 'x'],
      ['tiny-random', '../index.json'],
      ['tiny-random', 'unet/../../x'],
      ['tiny-random', '/etc/passwd'],
      ['tiny-random', '.hidden'],
    ]) {
      expect(() => source.url(id!, rel!), `${id} ${rel}`).toThrow(PackFetchError);
    }
    expect(source.url('tiny-random', 'unet/model.onnx')).toBe(`${base}packs/tiny-random/unet/model.onnx`);
  });

  it('refuses an index.json of the wrong shape', async () => {
    const source = fetchPackSource(base, async () => new Response(JSON.stringify({ packs: [1] })));
    await expect(source.listIds()).rejects.toThrow(/must be \{ "packs": string\[\] \}/);
  });
});
