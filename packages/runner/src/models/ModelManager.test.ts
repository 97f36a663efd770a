import { mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLED_PACKS_DIR } from '../packs/PackStore.js';
import { REPO_ROOT } from '../repoRoot.js';
import { ModelManager } from './ModelManager.js';

function manager() {
  const data = mkdtempSync(path.join(os.tmpdir(), 'ptp-models-'));
  const managedDir = path.join(data, 'packs');
  const packDirs = [managedDir, BUNDLED_PACKS_DIR];
  // A link out of the root: listed exports must stay inside it.
  const roots = mkdtempSync(path.join(os.tmpdir(), 'ptp-exports-'));
  symlinkSync(path.join(REPO_ROOT, 'models/exports/tiny-random'), path.join(roots, 'linked'));
  return new ModelManager({
    managedDir,
    packDirs,
    importRoots: [path.join(REPO_ROOT, 'models/exports'), roots],
    summaries: async () => [
      { id: 'tiny-shapes', name: 'tiny-shapes', defaultImageSize: 32 },
      { id: 'tiny-random', name: 'tiny-random', defaultImageSize: 64 },
    ],
  });
}

describe('ModelManager', () => {
  it('describes packs from their manifests and never offers bundled ones for removal', async () => {
    const m = manager();
    const shapes = (await m.packs()).find((p) => p.id === 'tiny-shapes')!;
    expect(shapes).toMatchObject({ scheduler: 'DDIMScheduler', removable: false, defaultImageSize: 32 });
    expect(shapes.layers.self + shapes.layers.cross).toBeGreaterThan(0);
    expect(shapes.sizeBytes).toBeGreaterThan(1_000_000);
    expect(await m.remove('tiny-shapes')).toMatchObject({ ok: false, error: { code: 'NOT_REMOVABLE' } });
    expect(await m.remove('nope')).toMatchObject({ ok: false, error: { code: 'UNKNOWN_PACK' } });
  });

  it('imports only exports it listed, to valid new ids', async () => {
    const m = manager();
    const sources = (await m.exports()).map((e) => e.source);
    expect(sources).toContain('0:tiny-random');
    for (const source of ['0:../exports/tiny-random', '/etc', '0:tiny-random/../..', '5:tiny-random', '1:linked'])
      expect(await m.startImport(source, 'x')).toMatchObject({ ok: false, error: { code: 'UNKNOWN_EXPORT' } });
    expect(await m.startImport('0:tiny-random', '../x')).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await m.startImport('0:tiny-random', 'tiny-shapes')).toMatchObject({
      ok: false,
      error: { code: 'PACK_EXISTS' },
    });
  });
});
