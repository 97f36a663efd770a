import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Request, Response } from 'express';
import { REPO_ROOT } from '../repoRoot.js';

/** Where the editor's Vite build lands (`pnpm --filter @ptp/ui build`). */
export const DEFAULT_UI_DIR = path.join(REPO_ROOT, 'packages/ui/dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.onnx': 'application/octet-stream',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>PtP Studio</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>PtP Studio server</h1>
<p>The API and socket are up, but the editor is not built yet. Build it with</p>
<pre>pnpm --filter @ptp/ui build</pre>
<p>and reload this page (or run <code>npm start</code>, which builds what is missing).</p>
<p>API: <a href="/api/health">/api/health</a>, <a href="/api/nodes">/api/nodes</a>, <a href="/api/models">/api/models</a>.</p>
</body>`;

/**
 * Resolves a URL path to a file inside `root`, or undefined. Refuses encoded or plain `..`,
 * backslashes, NUL and dot-files, then resolves symlinks and requires the real file to lie
 * inside the real root: a link pointing out of the folder serves nothing.
 */
export async function resolveInside(root: string, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const parts = decoded.split('/').filter(Boolean);
  if (parts.some((p) => p === '..' || p.startsWith('.'))) return undefined;
  const realRoot = await realpath(root).catch(() => undefined);
  if (!realRoot) return undefined;
  const real = await realpath(path.join(realRoot, ...parts)).catch(() => undefined);
  if (!real || !(real === realRoot || real.startsWith(realRoot + path.sep))) return undefined;
  const info = await stat(real).catch(() => undefined);
  if (info?.isDirectory()) return resolveInside(root, `${parts.join('/')}/index.html`);
  return info?.isFile() ? real : undefined;
}

/**
 * Serves the built editor from `uiDir` (single-page app: unknown paths without an extension get
 * index.html), or a page saying how to build it.
 */
export function serveEditor(uiDir: string) {
  return async (req: Request, res: Response): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.status(405).type('text/plain').send('method not allowed\n');
      return;
    }
    const index = await resolveInside(uiDir, 'index.html');
    if (!index) {
      res.status(200).type('html').send(NOT_BUILT);
      return;
    }
    const urlPath = req.path;
    let file = await resolveInside(uiDir, urlPath);
    if (!file && !path.extname(urlPath) && !/%2e|\.\./i.test(req.originalUrl)) file = index;
    if (!file) {
      res.status(404).type('text/plain').send('not found\n');
      return;
    }
    res.setHeader('Content-Type', TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', file === index ? 'no-cache' : 'public, max-age=3600');
    res.sendFile(file, { dotfiles: 'deny' });
  };
}
