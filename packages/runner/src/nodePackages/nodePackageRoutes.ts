import type { Request, Response } from 'express';
import { resolveInside } from '../server/serveEditor.js';
import type { NodePackageFolder } from './loadNodePackages.js';

/**
 * Serves the loaded node packages' JavaScript read-only under `/node-packages/<name>/<path>`, so
 * the editor's browser runtime can `import()` the same module the server runs (and the files it
 * imports relatively). Only packages the server loaded from its configured folders, only .js and
 * .mjs files, only inside the package folder (no `..`, dot-files or links out: resolveInside).
 * Public like the editor's own scripts: module imports cannot carry the API token.
 */
export function nodePackageRoutes(folders: ReadonlyMap<string, NodePackageFolder>) {
  return async (req: Request, res: Response): Promise<void> => {
    const notFound = () => void res.status(404).type('text/plain').send('no such node-package file\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.status(405).type('text/plain').send('method not allowed\n');
      return;
    }
    const [encodedName, ...rest] = req.path.split('/').filter(Boolean);
    let name: string;
    try {
      name = decodeURIComponent(encodedName ?? '');
    } catch {
      return notFound();
    }
    const folder = folders.get(name);
    if (!folder || !rest.length) return notFound();
    const file = await resolveInside(folder.dir, rest.join('/'));
    if (!file || !/\.m?js$/.test(file)) return notFound();
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    // Dot segments of the URL were refused above; the package may itself lie under a dot-folder (~/.ptp-studio).
    res.sendFile(file, { dotfiles: 'allow' });
  };
}
