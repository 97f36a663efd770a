import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Engine, type RunResources, type WorkflowDocument } from '@ptp/graph-core';
import { doc } from '@ptp/graph-core/testing';
import { createNodeRegistry, encodePng, MemoryUploadStore, type ImageBatch } from '@ptp/nodes';
import { DirectoryUploadStore } from '@ptp/runner/uploads/DirectoryUploadStore';
import { nodeRunResources } from '@ptp/runner/uploads/nodeRunResources';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/repoRoot.js';

/**
 * Bad pictures reach Load image as uploads (never as paths): each gets a structured error naming
 * the node, the param and what is wrong, and the runner goes on serving runs.
 */
const registry = createNodeRegistry();
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const solid = (w: number, h: number) => ({ width: w, height: h, rgba: new Uint8Array(w * h * 4).fill(180) });

function bomb(): Uint8Array {
  const png = encodePng(solid(8, 8));
  new DataView(png.buffer).setUint32(16, 20000);
  new DataView(png.buffer).setUint32(20, 20000);
  return png;
}
const good = encodePng(solid(40, 30));
const bad: Record<string, { bytes: Uint8Array; code: string }> = {
  truncated: { bytes: good.slice(0, good.length - 25), code: 'IMAGE_TRUNCATED' },
  '1x1': { bytes: encodePng(solid(1, 1)), code: 'IMAGE_TOO_SMALL' },
  '20000x20000 header': { bytes: bomb(), code: 'IMAGE_TOO_LARGE' },
  'wrong type': { bytes: new TextEncoder().encode('GIF89a not what it claims'), code: 'UNSUPPORTED_IMAGE_TYPE' },
};

const loadDoc = (id: string): WorkflowDocument =>
  doc(
    [
      { id: 'load', type: 'ptp.loadImage', params: { upload: id, width: 32, height: 32 } },
      { id: 'show', type: 'ptp.showValue' },
    ],
    ['load.image -> show.value'],
  );

describe('Load image: bad uploads', () => {
  const store = new MemoryUploadStore(
    [...Object.entries(bad), ['good', { bytes: good }] as const].map(([name, b]) => ({
      id: sha(b.bytes),
      name,
      mediaType: 'image/png',
      bytes: b.bytes,
    })),
  );
  const resources: RunResources = { uploads: store };
  const engine = new Engine(registry, { resources });

  it.each(Object.entries(bad))(
    '%s: structured error, then the engine keeps serving',
    async (_name, { bytes, code }) => {
      const r = await engine.run(loadDoc(sha(bytes)));
      expect(r.status).toBe('error');
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatchObject({ code, nodeId: 'load', nodeType: 'ptp.loadImage', param: 'upload' });
      const ok = await engine.run(loadDoc(sha(good)), { outputs: ['load'] });
      expect(ok.status).toBe('success');
      expect((ok.outputs.get('load')!.image as ImageBatch).images[0]).toMatchObject({ width: 32, height: 32 });
    },
  );

  it('an unknown id and a runner without uploads are structured errors too', async () => {
    const unknown = await engine.run(loadDoc('f'.repeat(64)));
    expect(unknown.errors[0]).toMatchObject({ code: 'UPLOAD_NOT_FOUND', param: 'upload' });
    const bare = await new Engine(registry).run(loadDoc(sha(good)));
    expect(bare.errors[0]).toMatchObject({ code: 'RESOURCE_MISSING', param: 'upload' });
    const empty = await engine.run(loadDoc(''));
    expect(empty.errors[0]).toMatchObject({ code: 'INVALID_PARAM', param: 'upload' });
  });

  it('a path instead of an id fails validation (graphs never name files)', async () => {
    const r = await engine.run(loadDoc('../../etc/passwd'));
    expect(r.errors[0]).toMatchObject({ code: 'INVALID_PARAM', nodeId: 'load' });
  });

  it('ptp run reads uploads from --uploads and reports a bad one with its code, node and param', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-uploads-'));
    const uploads = new DirectoryUploadStore(dir);
    const t = await uploads.put(bad.truncated!.bytes, 'cut.png', 'image/png');
    const wf = path.join(dir, 'wf.json');
    writeFileSync(wf, JSON.stringify(loadDoc(t.id)));
    const out = path.join(dir, 'out');
    const r = spawnSync('pnpm', ['ptp', 'run', wf, '--out', out, '--uploads', dir], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error IMAGE_TRUNCATED [node load, param upload]');
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.errors[0]).toMatchObject({ code: 'IMAGE_TRUNCATED', nodeId: 'load', param: 'upload' });
  });
});

describe('bundled example uploads', () => {
  it('are the pictures test/support/makeExampleUploads.ts renders, stored under their sha256', async () => {
    const { examplePictures } = await import('./support/makeExampleUploads.js');
    for (const p of examplePictures()) {
      const committed = readFileSync(path.join(repoRoot, 'examples/uploads', `${sha(p.png)}.png`));
      expect(Buffer.from(p.png).equals(committed), p.name).toBe(true);
    }
  });
});

describe('Load image through the Node runner resources', () => {
  it('loads a WebP upload (wasm decoder) and brings it to size with each policy', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-webp-'));
    const rec = await new DirectoryUploadStore(dir).put(
      new Uint8Array(readFileSync(path.join(repoRoot, 'fixtures/images/rects-24x16-lossless.webp'))),
      'rects.webp',
      'image/webp',
    );
    const engine = new Engine(registry, { resources: nodeRunResources([dir]) });
    for (const resize of ['center-crop', 'fit', 'stretch']) {
      const d = loadDoc(rec.id);
      d.nodes[0]!.params = { ...d.nodes[0]!.params, resize, background: '#000000' };
      const r = await engine.run(d, { outputs: ['load'] });
      expect(r.errors).toEqual([]);
      const im = (r.outputs.get('load')!.image as ImageBatch).images[0]!;
      expect(im).toMatchObject({ width: 32, height: 32 });
      // Top-left pixel: background of the picture, or the letterbox's black for `fit`.
      expect([...im.rgba.subarray(0, 3)]).toEqual(resize === 'fit' ? [0, 0, 0] : [0xf0, 0xf0, 0xf0]);
    }
  });
});
