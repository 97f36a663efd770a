import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowDocument } from '@ptp/graph-core';
import type { StudioServer } from '@ptp/runner/server/createStudioServer';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUiBuilt, launchBrowser, screenshot } from './support/browser.js';
import { editorDocument, node, openEditor, runToEnd } from './support/editorPage.js';
import { repoRoot } from './support/repoRoot.js';
import { startServer } from './support/studioServer.js';

// Node packages (issue 16 part 3): the example package of examples/node-packages, loaded by a
// real server from its configured folder, appears in the editor's palette with its origin and
// runs on the server and in the browser runtime; a broken package beside it is reported and skipped.

let browser: Browser;
let server: StudioServer;
const logs: string[] = [];

/** A folder with one package whose module does not even parse. */
function brokenPackages(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ptp-broken-packages-'));
  mkdirSync(path.join(dir, 'broken'));
  writeFileSync(
    path.join(dir, 'broken/package.json'),
    JSON.stringify({ name: 'ptp-broken', version: '0.0.1', ptpNodes: 'index.js' }),
  );
  writeFileSync(path.join(dir, 'broken/index.js'), 'export function register( {');
  return dir;
}

/** examples/tiny-generate.json (2 steps) with the example node between Decode and Save, and the original previewed. */
function invertGraph(): WorkflowDocument {
  const doc = JSON.parse(readFileSync(path.join(repoRoot, 'examples/tiny-generate.json'), 'utf8')) as WorkflowDocument;
  doc.metadata = { ...doc.metadata, name: 'Inverted (example node package)' };
  const sample = doc.nodes.find((n) => n.id === 'sample')!;
  sample.params = { ...sample.params, steps: 2 };
  const at = (x: number, y: number) => ({ position: { x, y } });
  doc.nodes.push(
    { id: 'invert', type: 'example.invertColors', typeVersion: 1, params: {}, ui: at(320, 400) },
    { id: 'original', type: 'ptp.previewImage', typeVersion: 1, params: {}, ui: at(320, 560) },
  );
  doc.edges = [
    ...doc.edges.filter((e) => e.to.node !== 'save'),
    { id: 'e6', from: { node: 'decode', output: 'image' }, to: { node: 'invert', input: 'image' } },
    { id: 'e7', from: { node: 'invert', output: 'image' }, to: { node: 'save', input: 'image' } },
    { id: 'e8', from: { node: 'decode', output: 'image' }, to: { node: 'original', input: 'image' } },
  ];
  return doc;
}

/** RGB of a few pixels of a node's shown image (drawn on a canvas in the page). */
function pixels(page: Page, nodeId: string): Promise<number[]> {
  return page
    .getByTestId(`node-image-${nodeId}`)
    .first()
    .evaluate(async (img: HTMLImageElement) => {
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const out: number[] = [];
      for (const [x, y] of [
        [1, 1],
        [canvas.width >> 1, canvas.height >> 1],
        [canvas.width - 2, canvas.height >> 2],
      ])
        out.push(...ctx.getImageData(x!, y!, 1, 1).data.slice(0, 3));
      return out;
    });
}

async function paste(page: Page, text: string): Promise<void> {
  await page.evaluate((t) => {
    const data = new DataTransfer();
    data.setData('text/plain', t);
    window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
  }, text);
}

beforeAll(async () => {
  server = await startServer({
    uiDir: await ensureUiBuilt(),
    nodePackageDirs: [path.join(repoRoot, 'examples/node-packages'), brokenPackages()],
    log: (m) => logs.push(m),
  });
  browser = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
}, 60_000);

describe('node packages in the studio', () => {
  it('shows the example node in the palette with its origin, and reports the broken package', async () => {
    expect(logs.join('\n')).toMatch(
      /node package ptp-broken@0\.0\.1: loading failed: .*\[PACKAGE_LOAD_FAILED\]; skipped/,
    );
    const { page } = await openEditor(browser, `${server.url}/?new`);
    const item = page.getByTestId('palette-example.invertColors');
    await item.waitFor();
    expect(await item.locator('.name').textContent()).toBe('Invert colours');
    expect(await page.getByTestId('palette-origin-example.invertColors').textContent()).toBe(
      'ptp-example-invert@1.0.0',
    );
    expect(await page.getByTestId('palette-origin-ptp.saveImage').count()).toBe(0);
    const notice = page.locator('[data-testid=notice][data-tag=node-package-problem]');
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/ptp-broken@0\.0\.1.*skipped/);
    await page.getByTestId('palette-search').fill('invert col');
    await screenshot(page, 'node-package-palette');
    await item.click();
    expect((await editorDocument(page)).nodes.map((n) => n.type)).toEqual(['example.invertColors']);
  }, 120_000);

  for (const target of ['server', 'wasm'] as const) {
    it(`runs generate -> example.invertColors -> save ${target === 'server' ? 'on the server' : 'in the browser runtime'}`, async () => {
      const { page } = await openEditor(browser, `${server.url}/?new`);
      page.on('dialog', (d) => void d.accept());
      await paste(page, JSON.stringify(invertGraph()));
      await node(page, 'invert').waitFor();
      await page.getByTestId('run-target').selectOption(target);
      await page.locator('[data-testid=notice][data-tag=paste-opened]').waitFor();
      expect(await page.getByTestId('problem-count').textContent()).toBe('ready to run');
      expect(
        await runToEnd(page, 300_000),
        (await page.locator('[data-testid=notice]').allTextContents()).join('\n'),
      ).toBe('success');
      await page.getByTestId('node-image-save').first().waitFor();
      await page.getByTestId('node-image-original').first().waitFor();
      const inverted = await pixels(page, 'save');
      const original = await pixels(page, 'original');
      // Each channel of the saved image is 255 minus the original's (PNG round trips are lossless).
      expect(inverted).toEqual(original.map((v) => 255 - v));
      expect(new Set(original).size).toBeGreaterThan(1);
      await screenshot(page, `node-package-run-${target}`);
    }, 600_000);
  }
});
