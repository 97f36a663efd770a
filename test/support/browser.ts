import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type {} from '@ptp/ui/runtime-check'; // window.ptpRuntime, the runtime check page's API
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from './repoRoot.js';

/**
 * Browser test support: build packages/ui once (reused while newer than its sources), serve the
 * build on loopback, drive Debian's chromium headless with WebGPU on SwiftShader (no GPU needed),
 * and keep screenshots under test/screenshots/ (gitignored).
 */
export const UI_DIST = path.join(repoRoot, 'packages/ui/dist');
export const SCREENSHOTS_DIR = path.join(repoRoot, 'test/screenshots');
export const CHROMIUM = process.env.PTP_CHROMIUM ?? '/usr/bin/chromium';
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

const STAMP = path.join(UI_DIST, '.build-stamp');
/** What the ui build is made from: a change to any of these makes the build stale. */
const BUILD_INPUTS = [
  'packages/ui/src',
  'packages/ui/index.html',
  'packages/ui/runtime-check.html',
  'packages/ui/vite.config.ts',
  'packages/ui/scripts',
  'packages/ui/package.json',
  'packages/graph-core/src',
  'packages/nodes/src',
  'models/packs',
  'examples', // the templates are bundled
];

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of readdirSync(p)) {
    if (entry === 'node_modules' || entry.endsWith('.test.ts') || entry.endsWith('.test.tsx')) continue;
    newest = Math.max(newest, newestMtime(path.join(p, entry)));
  }
  return newest;
}

function isFresh(): boolean {
  if (!existsSync(STAMP) || !existsSync(path.join(UI_DIST, 'index.html'))) return false;
  const built = statSync(STAMP).mtimeMs;
  return BUILD_INPUTS.every((p) => newestMtime(path.join(repoRoot, p)) <= built);
}

/** Builds packages/ui unless dist is newer than its inputs. Safe across parallel test files (a lock dir). */
export async function ensureUiBuilt(): Promise<string> {
  if (process.env.PTP_UI_DIST) return process.env.PTP_UI_DIST; // a prebuilt editor, e.g. in CI
  const lock = path.join(
    os.tmpdir(),
    `ptp-ui-build-${createHash('sha256').update(repoRoot).digest('hex').slice(0, 12)}.lock`,
  );
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (isFresh()) return UI_DIST;
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is building: wait for it (or take over a lock left by a killed run).
      if (Date.now() > deadline) throw new Error(`timed out waiting for the ui build lock ${lock}`);
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 240_000)
        rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    if (isFresh()) return UI_DIST;
    const started = Date.now();
    // vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
    const built = spawnSync('pnpm', ['--filter', '@ptp/ui', 'build'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', NODE_ENV: 'production' },
    });
    if (built.status !== 0)
      throw new Error(`pnpm --filter @ptp/ui build failed (${built.status}):\n${built.stdout}\n${built.stderr}`);
    // Dated at the start, so a source edited during the build makes it stale.
    writeFileSync(STAMP, `${new Date(started).toISOString()}\n`);
    utimesSync(STAMP, new Date(started), new Date(started));
    return UI_DIST;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * A tiny static file server for `dir` on 127.0.0.1 (random port). `mounts` serve other folders
 * under URL prefixes (e.g. `{ '/large/': 'bench/out/browser-large' }`). Files carry their
 * Content-Length: onnxruntime-web streams external data of 1 GB and more into one buffer only when
 * it knows the size.
 */
export async function serveStatic(
  dir: string,
  mounts: Record<string, string> = {},
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    let urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let root = path.resolve(dir);
    const mount = Object.keys(mounts).find((prefix) => urlPath.startsWith(prefix));
    if (mount) {
      root = path.resolve(mounts[mount]!);
      urlPath = `/${urlPath.slice(mount.length)}`;
    }
    let file = path.resolve(root, `.${urlPath}`);
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Chromium flags for WebGPU without a GPU: Dawn on Vulkan on SwiftShader. */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
  '--enable-features=Vulkan',
  '--disable-dev-shm-usage',
  '--no-first-run',
];

/** Launches Debian's chromium headless (WebGPU on SwiftShader unless VK_ICD_FILENAMES names a driver). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no chromium at ${CHROMIUM}: apt-get install chromium (or set PTP_CHROMIUM)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    env: { ...process.env, VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? SWIFTSHADER_ICD },
    timeout: 60_000,
  });
}

/** A page whose console errors and uncaught exceptions are collected (tests print them on failure). */
/** `beforeLoad`: set the page up (e.g. `page.route`) before it loads. */
export interface OpenOptions {
  beforeLoad?(page: Page): Promise<unknown>;
}

export async function openPage(
  browser: Browser,
  url: string,
  options: OpenOptions = {},
): Promise<{ page: Page; logs: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const logs: string[] = [];
  page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  // Chromium's own line for a failed request has no URL; this one does.
  page.on('response', (r) => {
    if (r.status() >= 400) logs.push(`[http ${r.status()}] ${r.url()}`);
  });
  // Functions passed to page.evaluate from code run by tsx carry esbuild's keep-names helper calls.
  await page.addInitScript('globalThis.__name = (fn) => fn;');
  await options.beforeLoad?.(page);
  await page.goto(url, { waitUntil: 'load' });
  return { page, logs };
}

/** Saves a full-page screenshot as test/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const file = path.join(SCREENSHOTS_DIR, `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
