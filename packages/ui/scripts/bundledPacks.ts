import { cpSync, createReadStream, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

/** models/packs at the repo root: the packs the studio ships with. */
export const PACKS_DIR = fileURLToPath(new URL('../../../models/packs', import.meta.url));

/** Lists `{id}` of every bundled pack (a folder with a ptp-manifest.json). */
export function listBundledPacks(dir = PACKS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((id) => existsSync(path.join(dir, id, 'ptp-manifest.json')))
    .sort();
}

/**
 * Serves models/packs/* under /packs/ in dev and copies them to dist/packs/ on build, plus a
 * packs/index.json listing their ids (the browser backend's listPacks reads it).
 */
export function bundledPacks(dir = PACKS_DIR): Plugin {
  let outDir = 'dist';
  return {
    name: 'ptp-bundled-packs',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
        if (!url.startsWith('/packs/')) return next();
        if (url === '/packs/index.json') {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ packs: listBundledPacks(dir) }));
          return;
        }
        const file = path.resolve(dir, `.${url.slice('/packs'.length)}`);
        if (!file.startsWith(dir + path.sep) || !existsSync(file) || !statSync(file).isFile()) return next();
        createReadStream(file).pipe(res);
      });
    },
    writeBundle() {
      const packs = listBundledPacks(dir);
      mkdirSync(path.join(outDir, 'packs'), { recursive: true });
      for (const id of packs) cpSync(path.join(dir, id), path.join(outDir, 'packs', id), { recursive: true });
      writeFileSync(path.join(outDir, 'packs', 'index.json'), JSON.stringify({ packs }));
    },
  };
}
