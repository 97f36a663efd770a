import { checkEventOrder, type RunEvent } from '@ptp/graph-core';
import { decodeImage, readPngText } from '@ptp/nodes';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUiBuilt, launchBrowser, openPage, screenshot, serveStatic } from './support/browser.js';
import { generateDocument, runOnNode } from './support/nodeGenerate.js';

// The browser runtime end to end: the built editor's engine worker on onnxruntime-web, WebGPU on
// SwiftShader in Debian's headless chromium, against the Node CPU backend on the same graph.

/** Per channel, on 0..255. The Node WebGPU and CPU providers agree within 2 (tinyPackRuntime.test.ts). */
const MAX_CHANNEL_DIFF = 2;
const MAX_MEAN_DIFF = 0.1;

interface PageRun {
  status: string;
  errors: { code: string; message: string; nodeId?: string }[];
  events: RunEvent[];
  files: { name: string; nodeId: string; data: number[] }[];
  /** Output names per target node (the browser runner's plain outputs). */
  outputNames: Record<string, string[]>;
  ms: number;
  /** Longest gap between main-thread timer ticks while the run went on: the page stays responsive. */
  maxMainThreadGapMs: number;
}

let browser: Browser;
let page: Page;
let logs: string[];
let closeServer: () => Promise<void>;

/** Runs `doc` with the page's worker runner (created once per page as window.__runner). */
function runInPage(doc: unknown, options: { abortAfterProgress?: number; targets?: string[] } = {}): Promise<PageRun> {
  return page.evaluate(
    async ({ doc, abortAfterProgress, targets }) => {
      const w = window as unknown as { __runner?: ReturnType<typeof window.ptpRuntime.createWorkerRunner> };
      w.__runner ??= window.ptpRuntime.createWorkerRunner({ provider: 'webgpu' });
      const events: RunEvent[] = [];
      const controller = new AbortController();
      let progress = 0;
      let last = performance.now();
      let maxGap = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
      }, 10);
      const started = performance.now();
      const result = await w.__runner.run(doc as never, {
        signal: controller.signal,
        ...(targets ? { targets } : {}),
        onEvent: (e) => {
          events.push(e);
          if (e.type === 'progress' && ++progress === abortAfterProgress) controller.abort();
        },
      });
      clearInterval(timer);
      window.ptpRuntime.show(result);
      return {
        status: result.status,
        errors: result.errors,
        events,
        files: result.files.map((f) => ({ name: f.name, nodeId: f.nodeId, data: Array.from(f.data) })),
        outputNames: Object.fromEntries(Object.entries(result.outputs ?? {}).map(([id, o]) => [id, Object.keys(o)])),
        ms: performance.now() - started,
        maxMainThreadGapMs: maxGap,
      };
    },
    { doc, abortAfterProgress: options.abortAfterProgress, targets: options.targets },
  );
}

function pixelDiff(a: Uint8Array, b: Uint8Array): { max: number; mean: number } {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.length };
}

beforeAll(async () => {
  const served = await serveStatic(await ensureUiBuilt());
  closeServer = served.close;
  browser = await launchBrowser();
  ({ page, logs } = await openPage(browser, `${served.url}runtime-check.html`));
  await page.waitForFunction(() => typeof window.ptpRuntime === 'object');
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await closeServer?.();
});

describe('browser runtime (engine in a Web Worker on onnxruntime-web)', () => {
  it('finds WebGPU (SwiftShader here) in the worker and lists the bundled pack', async () => {
    const info = await page.evaluate(() => {
      const runner = window.ptpRuntime.createWorkerRunner();
      return runner.info().finally(() => runner.dispose());
    });
    expect(info.provider, JSON.stringify(info)).toBe('webgpu');
    expect(info.adapter).toBeTruthy();
    expect(info.packs.map((p) => p.id)).toContain('tiny-random');
  });

  it('runs examples/tiny-generate.json (3 steps) on WebGPU to a PNG matching the Node CPU run', async () => {
    const doc = generateDocument(3);
    const [browserRun, nodeRun] = await Promise.all([runInPage(doc), runOnNode(doc, 'cpu')]);
    await screenshot(page, 'browserRuntime-generate');
    expect(browserRun.status, `${JSON.stringify(browserRun.errors)}\n${logs.join('\n')}`).toBe('success');
    expect(checkEventOrder(browserRun.events)).toEqual([]);
    expect(
      browserRun.events.filter((e) => e.type === 'progress' && e.nodeId === 'sample').length,
    ).toBeGreaterThanOrEqual(3);
    // The page stayed responsive: timers kept firing while the worker computed.
    expect(browserRun.maxMainThreadGapMs).toBeLessThan(1000);

    expect(browserRun.files.map((f) => [f.nodeId, f.name])).toEqual([['save', 'generate_000.png']]);
    const png = Uint8Array.from(browserRun.files[0]!.data);
    const ours = (await decodeImage(png)).image;
    const ref = (await decodeImage(nodeRun.files[0]!.data)).image;
    expect([ours.width, ours.height]).toEqual([ref.width, ref.height]);
    const diff = pixelDiff(ours.rgba, ref.rgba);
    console.info(
      `browser WebGPU vs node cpu, generate 3 steps: max channel diff ${diff.max}, mean ${diff.mean.toFixed(4)}; browser ${Math.round(browserRun.ms)} ms, node ${Math.round(nodeRun.ms)} ms`,
    );
    expect(diff.max, JSON.stringify(diff)).toBeLessThanOrEqual(MAX_CHANNEL_DIFF);
    expect(diff.mean, JSON.stringify(diff)).toBeLessThanOrEqual(MAX_MEAN_DIFF);
    // The PNG carries the workflow, so dropping it on the editor restores the graph.
    const text = readPngText(png);
    expect(text.ok && JSON.parse(text.text.workflow ?? '{}').nodes).toHaveLength(doc.nodes.length);
  }, 900_000);

  it('cancelling stops the run in the worker, which then runs the next graph', async () => {
    const steps = 40;
    const cancelled = await runInPage(generateDocument(steps, 7), { abortAfterProgress: 1 });
    expect(cancelled.status).toBe('interrupted');
    expect(cancelled.events.at(-1)?.type).toBe('interrupted');
    expect(checkEventOrder(cancelled.events)).toEqual([]);
    expect(cancelled.events.filter((e) => e.type === 'progress').length).toBeLessThan(steps);
    expect(cancelled.files).toEqual([]);

    // The same worker and sessions go on: one sampler step of another seed (SwiftShader is slow,
    // so the check stops at the sampler's latent instead of decoding).
    const next = await runInPage(generateDocument(1, 8), { targets: ['sample'] });
    await screenshot(page, 'browserRuntime-after-cancel');
    expect(next.status, JSON.stringify(next.errors)).toBe('success');
    expect(next.outputNames).toEqual({ sample: ['latent'] });
    expect(next.events.filter((e) => e.type === 'progress' && e.nodeId === 'sample').length).toBeGreaterThanOrEqual(1);
  }, 900_000);

  it('reports a node failure on the failing node, with its code', async () => {
    const doc = generateDocument(2);
    doc.nodes.find((n) => n.id === 'model')!.params = { pack: 'no-such-pack' };
    const run = await runInPage(doc);
    expect(run.status).toBe('error');
    expect(run.errors[0]).toMatchObject({ code: 'NODE_FAILED', nodeId: 'model' });
    expect(run.errors[0]!.message).toMatch(/no-such-pack/);
    expect(run.events.at(-1)).toMatchObject({ type: 'error', nodeId: 'model' });
  }, 120_000);
});
