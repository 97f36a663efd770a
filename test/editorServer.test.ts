import type { WorkflowDocument } from '@ptp/graph-core';
import type { StudioServer } from '@ptp/runner/server/createStudioServer';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUiBuilt, launchBrowser, screenshot } from './support/browser.js';
import {
  blur,
  editorDocument,
  graphOf,
  loadedImageSize,
  node,
  openEditor,
  runToEnd,
  setNumberParam,
  waitForRunEnd,
} from './support/editorPage.js';
import { startServer } from './support/studioServer.js';

// The editor served by the studio server (`ptp serve`): the catalogue comes from GET /api/nodes,
// runs can go to the server over socket.io, and workflows are saved in the server's library.

let browser: Browser;
let server: StudioServer;

// A run that lasts until it is cancelled: the most steps the sampler takes, at 128 px (about 100 ms
// a step here; 200 steps at 32 px end in under 2 s, before a page reload is done). This server
// allows those steps.
const LONG_STEPS = 500;

async function makeLong(page: Page): Promise<void> {
  await setNumberParam(page, 'sample', 'steps', LONG_STEPS);
  await page.getByTestId('more-params-sample').click();
  await setNumberParam(page, 'sample', 'width', 128);
  await setNumberParam(page, 'sample', 'height', 128);
  await blur(page);
}

beforeAll(async () => {
  server = await startServer({ uiDir: await ensureUiBuilt(), limits: { maxSteps: LONG_STEPS } });
  browser = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
}, 60_000);

describe('editor with the studio server', () => {
  it('runs a template on the server to a visible image', async () => {
    const { page } = await openEditor(browser, `${server.url}/?template=tiny-generate`);
    expect(await page.getByTestId('app').getAttribute('data-server')).toBe('true');
    await node(page, 'sample').waitFor();
    await setNumberParam(page, 'sample', 'steps', 2);
    await blur(page);
    await page.getByTestId('run-target').selectOption('server');
    expect(await runToEnd(page), (await page.locator('[data-testid=notice]').allTextContents()).join('\n')).toBe(
      'success',
    );
    const img = page.getByTestId('node-image-save').first();
    expect(await img.getAttribute('src')).toMatch(/\/api\/runs\/[^/]+\/outputs\/generate_000\.png$/);
    expect((await loadedImageSize(img)).width).toBeGreaterThan(0);
    expect(await node(page, 'sample').getAttribute('data-run-state')).toBe('done');
    await screenshot(page, 'editor-run-server');
  }, 600_000);

  it('cancels a server run from the toolbar', async () => {
    const { page } = await openEditor(browser, `${server.url}/?template=tiny-generate&run=server`);
    await node(page, 'sample').waitFor();
    await makeLong(page);
    await page.getByTestId('run').click();
    await page
      .locator('[data-testid=progress-sample], [data-testid=run-status]:is([data-phase=error],[data-phase=success])')
      .first()
      .waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('run-status').getAttribute('data-phase')).toBe('running');
    // The graph edited meanwhile can be queued behind the run (ComfyUI's queue): a short one here.
    await setNumberParam(page, 'sample', 'steps', 2);
    await blur(page);
    await page.getByTestId('queue').click();
    await page.locator('[data-testid=notice][data-tag=run-queued]').waitFor();
    await page.getByTestId('cancel').click();
    expect(await waitForRunEnd(page)).toBe('interrupted');
    await page.locator('[data-testid=notice][data-tag=run-cancelled]').waitFor();
    // The queued run then runs and succeeds, with the steps it was queued with.
    await expect
      .poll(
        async () => {
          const { runs } = (await (await fetch(`${server.url}/api/runs?limit=5`)).json()) as {
            runs: { status: string }[];
          };
          return runs[0]?.status;
        },
        { timeout: 60_000 },
      )
      .toBe('succeeded');
    expect(await node(page, 'sample').getAttribute('data-run-state')).not.toBe('executing');
    await screenshot(page, 'editor-run-cancelled');
  }, 300_000);

  it('after a reload, reopens the unsaved graph and follows the server run it left running', async () => {
    const { page } = await openEditor(browser, `${server.url}/?template=tiny-generate&run=server`);
    page.on('dialog', (d) => void d.accept());
    await node(page, 'sample').waitFor();
    await makeLong(page);
    // The address no longer names the template: a reload reopens what was made of it.
    expect(await page.evaluate(() => location.search)).toBe('?run=server');
    await page.getByTestId('run').click();
    await page.getByTestId('progress-sample').waitFor({ timeout: 120_000 });

    await page.reload();
    await page.waitForSelector('[data-testid=app][data-ready=true]');
    await page.locator('[data-testid=notice][data-tag=draft-restored]').waitFor();
    const doc = await editorDocument(page);
    expect(doc.nodes.find((n) => n.id === 'sample')!.params.steps).toBe(LONG_STEPS);
    expect(await page.getByTestId('dirty').getAttribute('data-dirty')).toBe('true');
    // The run goes on, followed: its progress shows again and Cancel stops it.
    await page.locator('[data-testid=notice][data-tag=run-followed]').waitFor();
    await page.getByTestId('progress-sample').waitFor({ timeout: 60_000 });
    await page.getByTestId('cancel').click();
    expect(await waitForRunEnd(page)).toBe('interrupted');
    await screenshot(page, 'editor-reload-follows-run');
    // Ended: the next reload follows nothing.
    await page.reload();
    await page.waitForSelector('[data-testid=app][data-ready=true]');
    await page.locator('[data-testid=notice][data-tag=draft-restored]').waitFor();
    expect(await page.locator('[data-testid=notice][data-tag=run-followed]').count()).toBe(0);
  }, 300_000);

  it('compares source and edit of a server run of the word-swap preset', async () => {
    const { page } = await openEditor(browser, `${server.url}/?template=tiny-word-swap&run=server`);
    await node(page, 'capture').waitFor();
    await setNumberParam(page, 'capture', 'steps', 3);
    await blur(page);
    expect(await runToEnd(page)).toBe('success');
    // Save image wrote the source and the edit: the results panel compares them.
    await node(page, 'save').locator('header .title').click();
    await page.getByTestId('compare').waitFor();
    expect(await page.getByTestId('node-image-save').count()).toBe(2);
    await page.getByTestId('compare-slider-mode').click();
    await page.getByTestId('compare-slider').locator('input[type=range]').fill('30');
    expect(
      await page
        .getByTestId('compare-slider')
        .locator('img.top')
        .evaluate((el) => el.style.clipPath),
    ).toBe('inset(0px 0px 0px 30%)');
    await screenshot(page, 'editor-compare-slider');
  }, 600_000);

  it('saves to the library, reloads to an equal graph, and saves a new version', async () => {
    const { page } = await openEditor(browser, `${server.url}/?template=tiny-word-swap`);
    await node(page, 'capture').waitFor();
    await setNumberParam(page, 'capture', 'steps', 9);
    await page.getByTestId('workflow-name').fill('Editor test: fox swap');
    await blur(page);
    await page.keyboard.press('Control+s');
    await page.locator('[data-testid=notice][data-tag=saved]').waitFor();
    expect(await page.getByTestId('dirty').getAttribute('data-dirty')).toBe('false');
    const hash = await page.evaluate(() => location.hash);
    expect(hash).toMatch(/^#\/workflow\/.+/);
    const before = await editorDocument(page);

    await page.reload();
    await page.waitForSelector('[data-testid=app][data-ready=true]');
    await page.locator('[data-testid=notice][data-tag=library-opened]').waitFor();
    const after = await editorDocument(page);
    expect(graphOf(after)).toEqual(graphOf(before));
    expect(after.metadata.name).toBe('Editor test: fox swap');
    expect(await page.getByTestId('dirty').textContent()).toBe('saved v1');
    await screenshot(page, 'editor-saved-reloaded');

    // A second save is a new version of the same workflow; the library lists it once.
    await setNumberParam(page, 'capture', 'steps', 10);
    await blur(page);
    await page.getByTestId('save').click();
    await expect.poll(() => page.getByTestId('dirty').textContent()).toBe('saved v2');
    await page.getByTestId('open-library').click();
    await page.getByTestId('library').getByText('Editor test: fox swap').waitFor();
    expect(await page.getByTestId('library').getByText('Editor test: fox swap').count()).toBe(1);
    await screenshot(page, 'editor-library');

    // Save as new asks for the copy's name, in the page: the library then lists both, told apart.
    await page.keyboard.press('Escape');
    await page.getByTestId('save-as').click();
    expect(await page.getByTestId('ask-input').inputValue()).toBe('Editor test: fox swap (copy)');
    await screenshot(page, 'editor-save-as-name');
    await page.getByTestId('ask-input').fill('Editor test: fox swap, 12 steps');
    await page.getByTestId('ask-input').press('Enter');
    await expect.poll(() => page.getByTestId('dirty').textContent()).toBe('saved v1');
    expect((await editorDocument(page)).metadata.name).toBe('Editor test: fox swap, 12 steps');
    await page.getByTestId('open-library').click();
    await page.getByTestId('library').getByText('Editor test: fox swap, 12 steps').waitFor();
    expect(await page.getByTestId('library').getByText('Editor test: fox swap', { exact: true }).count()).toBe(1);

    // An earlier version opens as unsaved edits of its workflow: v1 had 9 steps.
    const foxId = decodeURIComponent(hash.replace('#/workflow/', ''));
    await page.getByTestId(`library-show-versions-${foxId}`).click();
    await page.getByTestId(`library-versions-${foxId}`).getByTestId('library-version-1').click();
    await page.locator('[data-testid=notice][data-tag=library-opened]', { hasText: 'as it was at v1' }).waitFor();
    expect((await editorDocument(page)).nodes.find((n) => n.id === 'capture')!.params.steps).toBe(9);
    expect(await page.getByTestId('dirty').getAttribute('data-dirty')).toBe('true');
    expect(await page.evaluate(() => location.hash)).toBe(hash);

    // Delete asks, then the entry is gone from the library and the server.
    const { workflows } = (await (await fetch(`${server.url}/api/workflows?q=12%20steps`)).json()) as {
      workflows: { id: string }[];
    };
    const copyId = workflows[0]!.id;
    await page.getByTestId('open-library').click();
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId(`library-delete-${copyId}`).click();
    await page.getByTestId(`library-row-${copyId}`).waitFor({ state: 'detached' });
    expect((await fetch(`${server.url}/api/workflows/${copyId}`)).status).toBe(404);
    await screenshot(page, 'editor-library-versions');

    // Rename: a new version of the same entry. The open workflow (the fox swap as at v1, unsaved) follows.
    await page.getByTestId(`library-rename-${foxId}`).click();
    expect(await page.getByTestId('ask-input').inputValue()).toBe('Editor test: fox swap');
    await page.getByTestId('ask-input').fill('Editor test: fox renamed');
    await page.getByTestId('ask-ok').click();
    await page.locator('[data-testid=notice][data-tag=library-renamed]').waitFor();
    await page.getByTestId('library').getByText('Editor test: fox renamed').waitFor();
    const renamed = (await (await fetch(`${server.url}/api/workflows/${foxId}`)).json()) as {
      name: string;
      version: number;
      document: WorkflowDocument;
    };
    expect([renamed.name, renamed.version, renamed.document.metadata.name]).toEqual([
      'Editor test: fox renamed',
      3,
      'Editor test: fox renamed',
    ]);
    expect((await editorDocument(page)).metadata.name).toBe('Editor test: fox renamed');
    expect(await page.getByTestId('dirty').getAttribute('data-dirty')).toBe('true');

    // Duplicate: a new entry holding the latest version's graph (10 steps), under the name asked for.
    await page.getByTestId(`library-duplicate-${foxId}`).click();
    expect(await page.getByTestId('ask-input').inputValue()).toBe('Editor test: fox renamed (copy)');
    await page.getByTestId('ask-input').press('Enter');
    await page.getByTestId('library').getByText('Editor test: fox renamed (copy)').waitFor();
    const copies = (await (await fetch(`${server.url}/api/workflows?q=fox%20renamed%20(copy)`)).json()) as {
      workflows: { id: string; name: string }[];
    };
    const copy = copies.workflows.find((w) => w.name === 'Editor test: fox renamed (copy)')!;
    const copied = (await (await fetch(`${server.url}/api/workflows/${copy.id}`)).json()) as {
      version: number;
      document: WorkflowDocument;
    };
    expect(copy.id).not.toBe(foxId);
    expect(copied.version).toBe(1);
    expect(copied.document.nodes.find((n) => n.id === 'capture')!.params.steps).toBe(10);
    // Cancel asks nothing of the server.
    await page.getByTestId(`library-rename-${foxId}`).click();
    await page.getByTestId('ask-cancel').click();
    await page.getByTestId('ask').waitFor({ state: 'detached' });
    await screenshot(page, 'editor-library-rename-duplicate');
  });

  it('reopens the run of a saved workflow from History as that workflow: Save makes a new version, not a new entry', async () => {
    const { page } = await openEditor(browser, `${server.url}/?template=tiny-generate&run=server`);
    page.on('dialog', (d) => void d.accept());
    await node(page, 'sample').waitFor();
    await page.getByTestId('workflow-name').fill('Editor test: rerun keeps the entry');
    await setNumberParam(page, 'sample', 'steps', 2);
    await blur(page);
    await page.getByTestId('save').click();
    await expect.poll(() => page.getByTestId('dirty').textContent()).toBe('saved v1');
    const hash = await page.evaluate(() => location.hash);
    expect(await runToEnd(page)).toBe('success');

    await page.getByTestId('open-history').click();
    await page.getByTestId('history-search').fill('rerun keeps');
    await page
      .locator('[data-testid^=history-run_][data-status=succeeded]')
      .first()
      .getByTestId('history-open')
      .click();
    await page
      .locator('[data-testid=notice][data-tag=history-opened]', {
        hasText: 'Save makes it the latest version of “Editor test: rerun keeps the entry”',
      })
      .waitFor();
    expect(await page.evaluate(() => location.hash)).toBe(hash);
    await page.getByTestId('save').click();
    await expect.poll(() => page.getByTestId('dirty').textContent()).toBe('saved v2');
    const { workflows } = (await (await fetch(`${server.url}/api/workflows?q=rerun%20keeps`)).json()) as {
      workflows: unknown[];
    };
    expect(workflows).toHaveLength(1);
  });

  it('a Show value node keeps showing its value when the next run takes it from the cache', async () => {
    const { page } = await openEditor(browser, `${server.url}/?template=schedule-preview&run=server`);
    await node(page, 'show').waitFor();
    expect(await runToEnd(page)).toBe('success');
    const value = node(page, 'show').locator('.node-summary');
    await value.waitFor();
    const first = await value.textContent();
    // In the results slot's fixed height, as pictures: the node does not grow over the one below.
    expect(await value.evaluate((el) => el.getBoundingClientRect().height)).toBeLessThanOrEqual(97);
    const [show, below] = [await node(page, 'show').boundingBox(), await node(page, 'showBlend').boundingBox()];
    expect(show!.y + show!.height <= below!.y || below!.y + below!.height <= show!.y).toBe(true);
    // An edit elsewhere: the blend runs again, the schedule's Show value comes from the cache.
    await setNumberParam(page, 'blend', 'k', 0.4);
    await blur(page);
    expect(await runToEnd(page)).toBe('success');
    await value.waitFor({ timeout: 5000 });
    expect(await value.textContent()).toBe(first);
    expect(await runToEnd(page)).toBe('success');
    await value.waitFor({ timeout: 5000 });
    expect(await value.textContent()).toBe(first);
    // A page that never saw it run (a reload, another user): the server's cache serves every node.
    const { page: later } = await openEditor(browser, `${server.url}/?template=schedule-preview&run=server`);
    await node(later, 'show').waitFor();
    expect(await runToEnd(later)).toBe('success');
    expect(await node(later, 'show').locator('.node-summary').textContent({ timeout: 5000 })).toBe(first);
    // Its History row says it made no picture (a black square before).
    await later.getByTestId('open-history').click();
    const row = later.locator('[data-testid^=history-run_][data-status=succeeded]').first();
    expect(await row.locator('.thumb.empty').textContent()).toBe('no picture');
  });
});
