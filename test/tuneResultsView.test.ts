import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUiBuilt, launchBrowser, screenshot, serveStatic } from './support/browser.js';
import { editorDocument, openEditor, runToEnd, setNumberParam } from './support/editorPage.js';
import { repoRoot } from './support/repoRoot.js';

// Issue 15 part 4: the editor shows a tune's results (docs/study/tune/results.json, written by
// `ptp tune`) as a table and plot, and "Use best schedule" loads the best row into the graph; a
// tune's failed runs are said, and a pair every run of which failed offers nothing to load.

let browser: Browser;
let baseUrl: string;
let closeServer: () => Promise<void>;

beforeAll(async () => {
  const served = await serveStatic(await ensureUiBuilt());
  baseUrl = served.url;
  closeServer = served.close;
  browser = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await closeServer?.();
});

describe('results view', () => {
  it("shows ptp tune's results.json and loads the best schedule into the graph's schedule and blend", async () => {
    const { page } = await openEditor(browser, `${baseUrl}?template=tiny-word-swap`);
    await page.getByTestId('node-schedule1').waitFor();
    await page.getByTestId('open-tune-results').click();
    const file = path.join(repoRoot, 'docs/study/tune/results.json');
    await page.getByTestId('tune-results-file').setInputFiles(file);
    const table = page.getByTestId('tune-results-table');
    await table.waitFor();
    const report = JSON.parse(readFileSync(file, 'utf8')) as {
      pairs: unknown[];
      shared: { best: { params: Record<string, number> } };
    };
    // The setting tuned for all pairs, then each pair's winner; the shared one is what "best" loads.
    expect(await table.locator('tbody tr').count()).toBe(report.pairs.length + 1);
    expect(await page.getByTestId('results-plot').locator('circle').count()).toBe(report.pairs.length + 1);
    const best = report.shared;
    await page.getByTestId('use-best-schedule').click();
    await screenshot(page, 'tune-results');
    const doc = await editorDocument(page);
    const params = (id: string) => doc.nodes.find((n) => n.id === id)!.params;
    expect(params('schedule1')).toMatchObject({
      cross: best.best.params['schedule.cross'],
      self: best.best.params['schedule.self'],
      selfResolutionDivisor: best.best.params['schedule.selfResolutionDivisor'],
      vBeta: best.best.params['schedule.vBeta'],
    });
    expect(params('blend1').k).toBe(best.best.params['blend.k']);
  });
  it("says a tune's failed runs, and offers no settings of a pair every run of which failed", async () => {
    const { page } = await openEditor(browser, `${baseUrl}?template=tiny-word-swap`);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.getByTestId('node-schedule1').waitFor();
    const before = await editorDocument(page);
    await page.getByTestId('open-tune-results').click();
    // Written by ptp tune with a pair "bad" whose every run fails (see tuneResults.test.ts).
    const fixtures = path.join(repoRoot, 'packages/ui/src/editor/model/fixtures');
    await page.getByTestId('tune-results-file').setInputFiles(path.join(fixtures, 'tune-one-pair-failed.results.json'));
    const table = page.getByTestId('tune-results-table');
    await table.waitFor();
    const summary = page.getByTestId('tune-results-failures-summary');
    expect(await summary.textContent()).toMatch(
      /^6 of 12 runs failed: the figures are from the other 6\. Every run of bad failed: no figures and no settings for it/,
    );
    const errorRows = page.getByTestId('tune-results-errors').locator('tbody tr');
    expect(await errorRows.count()).toBe(1);
    expect(await errorRows.first().locator('td').allTextContents()).toEqual([
      '6',
      'bad',
      'INVALID_PARAM',
      'blend (param sourceWords)',
      '"hexagon" not in the prompt "a red circle on a white background"',
    ]);
    // The failed pair's row: no settings, no figures, no Use; the others keep theirs.
    const bad = table.locator('tbody tr', { has: page.locator('td:first-child', { hasText: /^bad$/ }) });
    expect(await bad.getByRole('button').count()).toBe(0);
    expect(await bad.locator('td').last().textContent()).toBe('every run failed');
    expect(new Set((await bad.locator('td').allTextContents()).slice(1, -1))).toEqual(new Set(['n/a']));
    expect(await table.locator('tbody tr').getByRole('button', { name: 'Use' }).count()).toBe(2);
    await screenshot(page, 'tune-results-one-pair-failed');

    // Every run failed: nothing to plot or load, not even the setting for all pairs.
    await page
      .getByTestId('tune-results-file')
      .setInputFiles(path.join(fixtures, 'tune-every-run-failed.results.json'));
    await page.getByText(/^Every run failed \(6\)/).waitFor();
    expect(await page.getByTestId('use-best-schedule').count()).toBe(0);
    expect(await page.getByTestId('results-plot').count()).toBe(0);
    expect(await table.getByRole('button').count()).toBe(0);
    expect(await table.locator('tbody tr td:last-child').allTextContents()).toEqual([
      'every run failed',
      'every run failed',
    ]);
    await screenshot(page, 'tune-results-every-run-failed');
    // Nothing was loaded into the graph.
    expect((await editorDocument(page)).nodes).toEqual(before.nodes);
    expect(errors).toEqual([]);
  });
  it('opens the tune-schedule template: the Tune node sits between the schedule and the Edit sampler', async () => {
    const { page } = await openEditor(browser, `${baseUrl}?template=tune-schedule`);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.getByTestId('node-tune').waitFor();
    const doc = await editorDocument(page);
    const into = (node: string) =>
      doc.edges.filter((e) => e.to.node === node).map((e) => `${e.from.node}.${e.from.output}`);
    expect(into('tune')).toEqual(expect.arrayContaining(['model.model', 'schedule.schedule']));
    expect(into('sampler')).toContain('tune.schedule');
    expect(doc.nodes.find((n) => n.id === 'tune')!.params).toMatchObject({ budget: 12, seeds: [1, 2] });
    await screenshot(page, 'tune-template');
    expect(errors).toEqual([]);
  });
  it('runs the Tune node in the page (wasm, 4 steps, 4 runs), shows its ranking and loads its best settings', async () => {
    const { page } = await openEditor(browser, `${baseUrl}?template=tune-schedule&run=wasm`);
    await page.getByTestId('node-tune').waitFor();
    await setNumberParam(page, 'tune', 'budget', 4);
    await setNumberParam(page, 'tune', 'steps', 4);
    await setNumberParam(page, 'capture', 'steps', 4);
    expect(await runToEnd(page)).toBe('success');
    // Edit metrics shows its figures on its face (it makes no picture).
    const figures = page.getByTestId('node-figures-metrics');
    await figures.waitFor();
    const rows = Object.fromEntries(
      (await figures
        .locator('tr')
        .evaluateAll((trs) => trs.map((tr) => [tr.children[0]!.textContent, tr.children[1]!.textContent]))) as [
        string,
        string,
      ][],
    );
    expect(Number(rows.iou)).toBeGreaterThan(0);
    expect(rows).toHaveProperty('success');
    await screenshot(page, 'tune-node-figures');
    await page.getByTestId('open-tune-results').click();
    const table = page.getByTestId('tune-results-table');
    await table.waitFor();
    expect(await page.getByTestId('tune-results').locator('h2').textContent()).toContain('Tune node "tune"');
    // The last rung's two candidates, best first.
    expect(await table.locator('tbody tr').count()).toBe(2);
    const head = await table.locator('thead th').allTextContents();
    const first = await table.locator('tbody tr').first().locator('td').allTextContents();
    const shown = (name: string) => Number(first[head.indexOf(name)]);
    await page.getByTestId('use-best-schedule').click();
    await screenshot(page, 'tune-node-results');
    const doc = await editorDocument(page);
    const params = (id: string) => doc.nodes.find((n) => n.id === id)!.params;
    for (const p of ['cross', 'self', 'selfResolutionDivisor', 'vBeta'])
      expect(params('schedule')[p], p).toBeCloseTo(shown(p), 3);
    expect(params('blend').k).toBeCloseTo(shown('k'), 3);
  });
});
