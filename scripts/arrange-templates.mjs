#!/usr/bin/env node
// Lays out every template (examples/*.json) with the editor's own Arrange (compact columns from the
// nodes' measured sizes) and writes the positions back; nothing else in the files changes.
//   node scripts/arrange-templates.mjs http://127.0.0.1:8188 [maxHeight] [template ...]
// Needs a running `ptp serve` (it serves the built editor) and Debian's chromium.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '../test/node_modules/playwright-core/index.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [url = 'http://127.0.0.1:8188', maxHeight = '820', ...only] = process.argv.slice(2);
const ids = only.length
  ? only
  : readdirSync(path.join(root, 'examples'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''));
const browser = await chromium.launch({ executablePath: process.env.PTP_CHROMIUM ?? '/usr/bin/chromium' });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
for (const id of ids) {
  const file = path.join(root, 'examples', `${id}.json`);
  await page.goto(`${url}/?template=${encodeURIComponent(id)}`);
  await page.waitForSelector('[data-testid=app][data-ready=true]');
  await page.waitForTimeout(700); // React Flow measures the nodes
  const positions = await page.evaluate((h) => {
    const editor = window.ptpEditor;
    editor.arrange(h);
    return Object.fromEntries(editor.document().nodes.map((n) => [n.id, n.ui?.position]));
  }, Number(maxHeight));
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  for (const n of doc.nodes) {
    const p = positions[n.id];
    if (p) n.ui = { ...n.ui, position: { x: Math.round(p.x), y: Math.round(p.y) } };
  }
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`${id}: ${doc.nodes.length} nodes arranged`);
}
await browser.close();
