import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowDocument } from '@ptp/graph-core';
import { generateGraph } from '@ptp/graph-core/testing';
import { ensureUiBuilt, launchBrowser, openPage, serveStatic } from '../test/support/browser.js';
import { repoRoot } from '../test/support/repoRoot.js';
import { fmt } from './lib/measure.js';
import { printTable } from './lib/table.js';

const DRAG_MOVES = 80;

/** playwright-core's Page, typed through test/support (bench does not depend on playwright itself). */
type Page = Awaited<ReturnType<typeof openPage>>['page'];

/** `copies` of the word-swap preset side by side: real node types with their param widgets. */
function tiledPreset(copies: number): WorkflowDocument {
  const preset = JSON.parse(readFileSync(path.join(repoRoot, 'examples/word-swap.json'), 'utf8')) as WorkflowDocument;
  const doc: WorkflowDocument = { schemaVersion: 2, metadata: { name: `${copies} x word swap`, description: '', tags: [] }, nodes: [], edges: [] };
  for (let c = 0; c < copies; c++) {
    const dx = (c % 6) * 1600;
    const dy = Math.floor(c / 6) * 900;
    for (const n of preset.nodes) doc.nodes.push({ ...n, id: `${n.id}_${c}`, ui: { position: { x: n.ui!.position.x + dx, y: n.ui!.position.y + dy } } });
    for (const e of preset.edges) doc.edges.push({ id: `${e.id}_${c}`, from: { node: `${e.from.node}_${c}`, output: e.from.output }, to: { node: `${e.to.node}_${c}`, input: e.to.input } });
  }
  return doc;
}

/** The generated graph laid out on a grid (it has no positions; the editor would stack columns). */
function generated(nodes: number): WorkflowDocument {
  const doc = generateGraph(nodes, nodes * 2, 3);
  doc.nodes.forEach((n, i) => (n.ui = { position: { x: (i % 25) * 280, y: Math.floor(i / 25) * 160 } }));
  return doc;
}

async function load(page: Page, doc: WorkflowDocument): Promise<void> {
  await page.getByTestId('import-file').setInputFiles({ name: 'bench.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) });
  await page.waitForFunction((n) => document.querySelectorAll('.react-flow__node').length === n, doc.nodes.length, { timeout: 120_000 });
  await page.waitForTimeout(500);
}

interface FrameStats {
  median: number;
  p95: number;
  max: number;
  frames: number;
}

/** rAF intervals while `work` runs: a frame that took longer than the display's 16.7 ms shows as a longer interval. */
async function frameTimes(page: Page, work: () => Promise<void>): Promise<FrameStats> {
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__frames = [];
    w.__stop = false;
    const tick = (t: number) => {
      w.__frames.push(t);
      if (!w.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await work();
  const stamps = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__stop = true;
    return w.__frames;
  });
  const deltas = stamps.slice(1).map((t, i) => t - stamps[i]!).sort((a, b) => a - b);
  const at = (q: number) => deltas[Math.min(deltas.length - 1, Math.floor(q * deltas.length))] ?? NaN;
  return { median: at(0.5), p95: at(0.95), max: deltas.at(-1) ?? NaN, frames: deltas.length };
}

/** Drags node `id` by its header in small mouse moves, one per frame, as a hand would. */
async function drag(page: Page, id: string): Promise<FrameStats> {
  const header = page.locator(`[data-testid="node-${id}"] header .title`);
  const box = (await header.boundingBox())!;
  const x0 = box.x + box.width / 2;
  const y0 = box.y + box.height / 2;
  return frameTimes(page, async () => {
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    for (let i = 1; i <= DRAG_MOVES; i++) {
      await page.mouse.move(x0 + i * 3, y0 + Math.sin(i / 8) * 20);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
    }
    await page.mouse.up();
  });
}

/**
 * Issue 8's figure: frame time while dragging a node of a 500-node graph in the built editor
 * (headless chromium, software rendering), against idle frames and a small graph in the same run.
 */
export async function benchEditor(): Promise<void> {
  const served = await serveStatic(await ensureUiBuilt());
  const browser = await launchBrowser();
  try {
    const { page } = await openPage(browser, served.url);
    await page.waitForSelector('[data-testid=app][data-ready=true]', { timeout: 60_000 });
    page.on('dialog', (d) => void d.accept()); // "discard unsaved changes?" between graphs

    const idle = await frameTimes(page, () => page.waitForTimeout(1500));
    const small = tiledPreset(1);
    await load(page, small);
    const smallDrag = await drag(page, 'capture_0');
    const big = tiledPreset(45);
    await load(page, big);
    const bigDrag = await drag(page, 'capture_22');
    const gen = generated(500);
    await load(page, gen);
    const genDrag = await drag(page, 'n250');

    const row = (what: string, nodes: number, s: FrameStats) => [what, nodes, fmt(s.median), fmt(s.p95), fmt(s.max), s.frames, `${(idle.median ? s.median / idle.median : NaN).toFixed(1)}x`];
    printTable(
      `editor: frame time while dragging a node (${DRAG_MOVES} mouse moves, fit to view, chromium headless)`,
      ['what', 'nodes', 'median ms', 'p95 ms', 'max ms', 'frames', 'vs idle'],
      [
        row('baseline: idle canvas', 0, idle),
        row('drag, word-swap preset', small.nodes.length, smallDrag),
        row('drag, 45 x word-swap (real nodes, widgets)', big.nodes.length, bigDrag),
        row('drag, generateGraph(500) (placeholder nodes)', gen.nodes.length, genDrag),
      ],
    );
    console.log(`goal: median frame under 33 ms (30 fps) for 500 nodes: ${Math.max(bigDrag.median, genDrag.median) < 33 ? 'met' : 'MISSED'}`);
  } finally {
    await browser.close();
    await served.close();
  }
}
