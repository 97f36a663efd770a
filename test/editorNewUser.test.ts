import { readFileSync } from 'node:fs';
import path from 'node:path';
import { API_LIMITS, type WorkflowDocument } from '@ptp/graph-core';
import type { StudioServer } from '@ptp/runner/server/createStudioServer';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUiBuilt, launchBrowser, screenshot } from './support/browser.js';
import {
  blur,
  clickEdge,
  dragLink,
  dropFile,
  editorDocument,
  edgeIdBetween,
  edgePoint,
  handle,
  node,
  openEditor,
  overlaps,
  runToEnd,
  selectedNodes,
  setNumberParam,
  waitForRunEnd,
} from './support/editorPage.js';
import { repoRoot } from './support/repoRoot.js';
import { startServer } from './support/studioServer.js';

// The editor as a newcomer meets it (issue 14): served by the studio, opened with nothing in the
// address bar, run without touching anything; every invalid case reported on its node before a run.

let browser: Browser;
let server: StudioServer;

/** Screen rectangles of every node, and the pairs that overlap. */
const zoomOf = async (page: Page) =>
  Number(/scale\(([\d.]+)\)/.exec((await page.locator('.react-flow__viewport').getAttribute('style')) ?? '')?.[1]);

const problemNodes = (page: Page) =>
  page.getByTestId('problem-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')));

async function paste(page: Page, text: string): Promise<void> {
  await page.evaluate((t) => {
    const data = new DataTransfer();
    data.setData('text/plain', t);
    window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
  }, text);
}

beforeAll(async () => {
  // The committed exports are the model manager's import root (imports hard-link or copy, never change them).
  server = await startServer({ uiDir: await ensureUiBuilt(), importRoots: [path.join(repoRoot, 'models/exports')] });
  browser = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
}, 60_000);

describe('the editor for a new user', () => {
  it('opens ready to run, legible, on the server; Run shows the edit beside the source and labelled maps', async () => {
    const { page } = await openEditor(browser, `${server.url}/`);
    await node(page, 'blend1').waitFor();
    expect((await editorDocument(page)).metadata.name).toBe('Word swap (reference defaults)');
    await expect.poll(() => page.getByTestId('run-target').inputValue()).toBe('server');
    expect(await page.getByTestId('problem-count').textContent()).toBe('ready to run');
    expect(await zoomOf(page)).toBeGreaterThanOrEqual(0.8);
    expect(await overlaps(page)).toEqual([]);
    // The template's name is shown whole, not cut off.
    expect(
      await page.getByTestId('workflow-name').evaluate((e: HTMLInputElement) => e.scrollWidth <= e.clientWidth),
    ).toBe(true);
    await screenshot(page, 'newuser-first-open');
    const widths = () => page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => e.clientWidth));
    const before = await widths();

    expect(await runToEnd(page), (await page.locator('[data-testid=notice]').allTextContents()).join('\n')).toBe(
      'success',
    );
    // Each node now shows its time in its header, and no node got wider for it.
    expect(await page.locator('.ptp-node .badge.done').count()).toBeGreaterThan(5);
    expect(await widths()).toEqual(before);
    const panel = page.getByTestId('results-panel');
    await panel.getByTestId('compare').waitFor();
    expect(await panel.getByTestId('result-image').count()).toBe(2);
    // The maps of the server run: the first content word of the source, labelled, with the run's steps.
    const label = panel.getByTestId('heatmap-label');
    await label.waitFor();
    expect(await label.textContent()).toMatch(
      /^“red” in “a red circle and a blue square on a striped background”, steps 0–19 of 20, 16×16/,
    );
    expect(await panel.locator('.chip.on').textContent()).toBe('red');
    await panel.getByTestId('colour-scale').waitFor();
    expect(await panel.getByTestId('heatmap-to').getAttribute('max')).toBe('19');
    await panel.getByTestId('heatmap-word-circle').click();
    expect(await label.textContent()).toMatch(/^“circle”/);
    // The prompt's three "a"s have a map each, and their chips say which is which.
    expect(await panel.getByTestId('heatmap-word-a').allTextContents()).toEqual(['a1', 'a2', 'a3']);
    // Results arrived in fixed slots: nothing grew over a neighbour.
    expect(await overlaps(page)).toEqual([]);
    expect(await panel.getAttribute('data-stale')).toBe('false');
    await screenshot(page, 'newuser-server-run-maps');
  }, 600_000);

  it('shows the same labelled maps for a run in the page (WASM)', async () => {
    const { page } = await openEditor(browser, `${server.url}/?template=tiny-word-swap&run=wasm`);
    await node(page, 'capture').waitFor();
    await expect.poll(() => page.getByTestId('run-target').inputValue()).toBe('wasm');
    await setNumberParam(page, 'capture', 'steps', 3);
    await blur(page);
    expect(await runToEnd(page), (await page.locator('[data-testid=notice]').allTextContents()).join('\n')).toBe(
      'success',
    );
    const label = page.getByTestId('results-panel').getByTestId('heatmap-label');
    await label.waitFor();
    expect(await label.textContent()).toMatch(/^“red” in “a red circle”, steps 0–2 of 3, /);
    expect(await page.getByTestId('results-panel').getByTestId('result-image').count()).toBe(2);
    await screenshot(page, 'newuser-wasm-run-maps');

    // Update maps runs the viewer alone: the pictures, untouched by it, stay current.
    const panel = page.getByTestId('results-panel');
    await panel.getByTestId('heatmap-from').fill('1');
    const serial = Number(await page.getByTestId('run-status').getAttribute('data-run'));
    await panel.getByTestId('heatmap-apply').click();
    expect(await waitForRunEnd(page, undefined, serial + 1)).toBe('success');
    await expect.poll(() => label.textContent(), { timeout: 10_000 }).toMatch(/steps 1–2 of 3/);
    expect(await panel.getAttribute('data-stale')).toBe('false');
    expect(await page.getByTestId('node-results-save').getAttribute('class')).not.toMatch(/stale/);
    // Its sources came from the cache, and say so.
    await page.locator('[data-testid=node-capture] .badge.cached').waitFor();

    // An edit upstream of the pictures: they say so, and the edited node's timing goes.
    await setNumberParam(page, 'capture', 'steps', 4);
    await blur(page);
    await panel.getByTestId('edited-since-run').waitFor();
    await expect.poll(() => page.getByTestId('node-results-save').getAttribute('class')).toMatch(/stale/);
    expect(await page.locator('[data-testid=node-capture] .badge').count()).toBe(0);
  }, 600_000);

  it('says before a run what the run would reject, on the right node, and the list selects it', async () => {
    const { page } = await openEditor(browser, `${server.url}/?template=tiny-word-swap`);
    await node(page, 'blend1').waitFor();
    const count = page.getByTestId('problem-count');

    // No blend words.
    for (const param of ['sourceWords', 'targetWords'])
      await page.locator(`[data-testid=param-blend1-${param}] .chip.on`).click();
    await page.getByTestId('param-error-blend1-targetWords').waitFor();
    expect(await page.getByTestId('param-error-blend1-targetWords').textContent()).toMatch(/at least one blend word/);
    await page.locator('[data-testid=param-blend1-targetWords] [data-word=circle]').click();

    // A blend word the edited prompt no longer has; fixed, the error goes (no stale error).
    const target = page.locator('[data-testid=param-target1-text] textarea');
    await target.fill('a blue square');
    await blur(page);
    await page.getByTestId('param-error-blend1-targetWords').waitFor();
    expect(await page.getByTestId('param-error-blend1-targetWords').textContent()).toMatch(
      /"circle" not in the prompt "a blue square"/,
    );
    await target.fill('a blue circle');
    await blur(page);
    await page.getByTestId('param-error-blend1-targetWords').waitFor({ state: 'detached' });

    // An empty prompt; steps over the server's limit, kept as typed and named under the field.
    await page.locator('[data-testid=param-source-text] textarea').fill('  ');
    await setNumberParam(page, 'capture', 'steps', 100_000);
    await blur(page);
    await page.getByTestId('param-error-source-text').waitFor();
    expect(await page.getByTestId('param-error-capture-steps').textContent()).toBe(
      `steps = 100000 is over this server's limit of ${API_LIMITS.maxSteps}`,
    );
    expect(await page.locator('[data-testid=param-capture-steps] input[type=number]').inputValue()).toBe('100000');

    // No output node.
    for (const id of ['save', 'viewer']) {
      await node(page, id).locator('header .title').click();
      await page.keyboard.press('Delete');
    }
    await expect.poll(() => count.getAttribute('data-count')).toBe('3');
    await count.click();
    expect((await problemNodes(page)).sort()).toEqual(['', 'capture', 'source']);
    await screenshot(page, 'newuser-problems');
    expect(await page.getByTestId('problem-list').textContent()).toMatch(/no output node/);
    // Named as the nodes and fields are on the canvas, the message not repeating the param.
    expect(await page.getByTestId('problem-list').textContent()).toContain(
      `Attention capture · Steps: steps = 100000 is over this server's limit`,
    );
    // Closed as a menu: Escape, or a press elsewhere.
    await page.keyboard.press('Escape');
    await page.getByTestId('problem-list').waitFor({ state: 'detached' });
    await count.click();
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.getByTestId('problem-list').waitFor({ state: 'detached' });
    await count.click();

    // A problem in the list selects its node; Run refuses with the count, and nothing runs.
    await page.locator('[data-testid=problem-item][data-node=capture]').click();
    await expect.poll(async () => (await editorDocument(page)).nodes.length).toBe(8);
    await expect
      .poll(() =>
        page.evaluate(() =>
          (
            window as unknown as { ptpEditor: { state(): { graph: { nodes: { id: string; selected?: boolean }[] } } } }
          ).ptpEditor
            .state()
            .graph.nodes.filter((n) => n.selected)
            .map((n) => n.id),
        ),
      )
      .toEqual(['capture']);
    await page.getByTestId('run').click();
    await page.locator('[data-testid=notice][data-tag=run-blocked]').waitFor();
    expect(await page.getByTestId('run-status').getAttribute('data-phase')).toBe('idle');
  }, 300_000);

  it('remembers the run target per browser and offers WASM on software WebGPU', async () => {
    const { page } = await openEditor(browser, `${server.url}/`);
    await page.getByTestId('run-target').selectOption('browser');
    const hint = page.getByTestId('adapter-hint');
    await hint.waitFor();
    expect(await hint.textContent()).toMatch(/^Software WebGPU: slow here; no float16 packs \(tiny-scenes\)/);
    expect(await hint.getAttribute('title')).toMatch(/swiftshader.*no shader-f16/i);
    await screenshot(page, 'newuser-software-webgpu');
    await page.reload();
    await page.waitForSelector('[data-testid=app][data-ready=true]');
    expect(await page.getByTestId('run-target').inputValue()).toBe('browser');
    await page.getByTestId('use-wasm').click();
    expect(await page.getByTestId('run-target').inputValue()).toBe('wasm');
    await page.reload();
    await page.waitForSelector('[data-testid=app][data-ready=true]');
    await expect.poll(() => page.getByTestId('run-target').inputValue()).toBe('wasm');
    await page.getByTestId('run-target').selectOption('server');
  }, 120_000);

  it('marks the results of an earlier run while the next runs and after it is cancelled', async () => {
    const { page } = await openEditor(browser, `${server.url}/?template=tiny-word-swap&run=server`);
    await node(page, 'capture').waitFor();
    await setNumberParam(page, 'capture', 'steps', 3);
    await blur(page);
    expect(await runToEnd(page)).toBe('success');
    const panel = page.getByTestId('results-panel');
    expect(await panel.getAttribute('data-stale')).toBe('false');
    expect(await panel.getByTestId('edited-since-run').count()).toBe(0);

    // An edit after the run: the results say the graph has moved on; undone, they are current again.
    await setNumberParam(page, 'capture', 'steps', API_LIMITS.maxSteps);
    await blur(page);
    await expect.poll(() => panel.getByTestId('edited-since-run').count()).toBe(1);
    expect(await panel.getByTestId('edited-since-run').textContent()).toMatch(/changed since this run: press Run/);
    await setNumberParam(page, 'capture', 'steps', 3);
    await blur(page);
    await expect.poll(() => panel.getByTestId('edited-since-run').count()).toBe(0);
    // The run must still be sampling the capture when the poll below reads it, and running when
    // Cancel is pressed: the most steps this server takes, at 128 px (the pack's own 32 px ends the
    // capture's 200 steps in about a second).
    await setNumberParam(page, 'capture', 'steps', API_LIMITS.maxSteps);
    await page.getByTestId('more-params-capture').click();
    await setNumberParam(page, 'capture', 'width', 128);
    await setNumberParam(page, 'capture', 'height', 128);
    await blur(page);
    await page.getByTestId('run').click();
    await expect.poll(() => panel.getAttribute('data-stale')).toBe('true');
    await page.getByTestId('run-activity').waitFor();
    // The phase and, once sampling, which sampler, step n/N and the time left.
    await expect
      .poll(() => page.getByTestId('run-activity').textContent(), { timeout: 120_000 })
      .toMatch(/^sampling: Attention capture, step \d+\/200 · ~[\d.]+ s left$/);
    await screenshot(page, 'newuser-progress');
    await page.getByTestId('cancel').click();
    expect(await waitForRunEnd(page)).toBe('interrupted');
    expect(await panel.getAttribute('data-stale')).toBe('true');
    expect(await panel.getByTestId('stale-results').textContent()).toMatch(/earlier run/);
    await screenshot(page, 'newuser-stale-results');
  }, 600_000);

  it('starts prompts with the pack sample, opens a workflow pasted as JSON, and says why when a paste is not one', async () => {
    const { page } = await openEditor(browser, `${server.url}/?new`);
    // Opening over unsaved changes asks first: the user says yes.
    page.on('dialog', (d) => void d.accept());
    const generate = JSON.parse(
      readFileSync(path.join(repoRoot, 'examples/tiny-generate.json'), 'utf8'),
    ) as WorkflowDocument;
    // New prompts start with the default pack's sample caption (its manifest's samplePrompt).
    const { packs } = (await (await fetch(`${server.url}/api/models`)).json()) as {
      packs: { id: string; samplePrompt?: string }[];
    };
    const sample = packs.find((p) => p.id === 'tiny-scenes')!.samplePrompt;
    expect(sample).toBe('a red circle and a blue square on a striped background');
    await page.getByTestId('palette-ptp.prompt').click();
    await node(page, 'prompt').waitFor();
    expect((await editorDocument(page)).nodes[0]!.params).toEqual({ text: sample });

    await paste(page, JSON.stringify(generate));
    await page.locator('[data-testid=notice][data-tag=paste-opened]').waitFor();
    expect((await editorDocument(page)).metadata.name).toBe(generate.metadata.name);
    expect((await editorDocument(page)).nodes.map((n) => n.id)).toEqual(generate.nodes.map((n) => n.id));

    await paste(page, '{"schemaVersion": 2, "nodes": 7}');
    const failed = page.locator('[data-testid=notice][data-tag=paste-failed]');
    await failed.waitFor();
    expect(await failed.textContent()).toMatch(/not a workflow: .*nodes/);
    await paste(page, 'just some words');
    await page.locator('[data-testid=notice][data-tag=paste]').waitFor();
    // Neither changed the open workflow.
    expect((await editorDocument(page)).metadata.name).toBe(generate.metadata.name);

    // A dropped file whose workflow was never named opens under the file's name.
    const { metadata: _unnamed, ...unnamed } = generate;
    await dropFile(page, 'my red circle.json', 'application/json', new TextEncoder().encode(JSON.stringify(unnamed)));
    await page.locator('[data-testid=notice][data-tag=file-opened]').waitFor();
    expect((await editorDocument(page)).metadata.name).toBe('my red circle');
  }, 120_000);
});

describe('queue and history (issue 16)', () => {
  it('lists a finished run with its thumbnail, reopens its graph as it ran, re-runs and deletes it', async () => {
    const { page } = await openEditor(browser, `${server.url}/?template=tiny-generate&run=server`);
    const asked: string[] = [];
    page.on('dialog', (d) => {
      asked.push(d.message());
      void d.accept();
    });
    await node(page, 'sample').waitFor();
    await page.getByTestId('workflow-name').fill('History test: circle');
    await setNumberParam(page, 'sample', 'steps', 2);
    await setNumberParam(page, 'sample', 'seed', 31);
    await blur(page);
    expect(await runToEnd(page)).toBe('success');

    await page.getByTestId('open-history').click();
    await page.getByTestId('history-search').fill('history test');
    const row = page.locator('[data-testid^=history-run_][data-status=succeeded]').first();
    await row.waitFor();
    const runId = (await row.getAttribute('data-testid'))!.replace('history-', '');
    expect(await row.textContent()).toMatch(/History test: circle.*succeeded/);
    // Its seed, so a picture can be made again.
    expect(await row.getByTestId('history-seed').textContent()).toBe(' · seed 31');
    const image = (await row.locator('img.thumb').getAttribute('src'))!;
    expect(image).toMatch(new RegExp(`/api/runs/${runId}/outputs/`));
    await screenshot(page, 'history-panel');

    // The graph as it ran (2 steps), even after the open one changed.
    await row.getByTestId('history-open').click();
    await page.locator('[data-testid=notice][data-tag=history-opened]').waitFor();
    // The open workflow had unsaved edits: opening another asked first, as New and Templates do.
    expect(asked).toEqual(['Discard the unsaved changes of this workflow?']);
    const reopened = await editorDocument(page);
    expect(reopened.metadata.name).toBe('History test: circle');
    expect(reopened.nodes.find((n) => n.id === 'sample')!.params).toMatchObject({ steps: 2 });
    // With what it made: the run's picture in the results panel, current (not from another run or graph).
    const panel = page.getByTestId('results-panel');
    await expect
      .poll(() => panel.getByTestId('result-image').first().getAttribute('src'), { timeout: 20_000 })
      .toMatch(new RegExp(`/api/runs/${runId}/outputs/`));
    expect(await panel.getAttribute('data-stale')).toBe('false');
    expect(await panel.getByTestId('edited-since-run').count()).toBe(0);

    // Re-run queues it again; the new run appears live, on top.
    await page.getByTestId('open-history').click();
    await page.getByTestId('history-search').fill('history test');
    await page.locator(`[data-testid=history-${runId}]`).getByTestId('history-rerun').click();
    await expect.poll(() => page.locator('[data-testid^=history-run_]').count(), { timeout: 60_000 }).toBe(2);
    await expect
      .poll(() => page.locator('[data-testid^=history-run_]').first().getAttribute('data-status'), {
        timeout: 120_000,
      })
      .toBe('succeeded');

    // Delete removes the run and its outputs.
    expect((await fetch(new URL(image, server.url))).status).toBe(200);
    await page.locator(`[data-testid=history-${runId}]`).getByTestId('history-delete').click();
    await page.locator(`[data-testid=history-${runId}]`).waitFor({ state: 'detached' });
    // It asked first: a deleted run cannot come back.
    expect(asked.at(-1)).toBe('Delete the run “History test: circle” and the pictures it made (boards included)?');
    expect((await fetch(new URL(image, server.url))).status).toBe(404);
    expect((await fetch(`${server.url}/api/runs/${runId}`)).status).toBe(404);
  }, 300_000);
});

describe('model manager (issue 16)', () => {
  it('shows the packs with their manifests, imports an export with progress, uses it in a run, removes it', async () => {
    const { page } = await openEditor(browser, `${server.url}/?template=tiny-generate&run=server`);
    await node(page, 'sample').waitFor();
    await page.getByTestId('open-models').click();
    const bundled = page.getByTestId('pack-tiny-shapes');
    await bundled.waitFor();
    expect(await bundled.textContent()).toMatch(/tiny-shapes.*64 px.*DDIM|tiny-shapes.*px/);
    // Bundled packs cannot be removed through the API.
    expect(await bundled.getByTestId('pack-remove').count()).toBe(0);

    await page.getByTestId('import-source').selectOption({ label: 'tiny-random' });
    // The id offered when none is typed comes from the export's name.
    expect(await page.getByTestId('import-id').getAttribute('placeholder')).toBe('pack id (tiny-random)');
    await page.getByTestId('import-id').fill('my-tiny');
    await page.getByTestId('import-start').click();
    const job = page.getByTestId('import-my-tiny');
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 120_000 }).toBe('done');
    const imported = page.getByTestId('pack-my-tiny');
    await imported.waitFor();
    expect(await imported.textContent()).toMatch(/PNDM/);
    await screenshot(page, 'models-imported');

    await imported.getByTestId('pack-use').click();
    await page.locator('.modal-backdrop').click({ position: { x: 5, y: 5 } });
    expect((await editorDocument(page)).nodes.find((n) => n.type === 'ptp.loadModel')!.params).toMatchObject({
      pack: 'my-tiny',
    });
    await setNumberParam(page, 'sample', 'steps', 2);
    await blur(page);
    expect(await runToEnd(page), (await page.locator('[data-testid=notice]').allTextContents()).join('\n')).toBe(
      'success',
    );

    // Importing to an id that exists is refused with the reason; removing the imported pack works.
    await page.getByTestId('open-models').click();
    await page.getByTestId('import-id').fill('my-tiny');
    await page.getByTestId('import-start').click();
    expect(await page.getByTestId('models-error').textContent()).toMatch(/exists already/);
    // Remove asks first (its files go), and says when the open graph uses the pack.
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await page.getByTestId('pack-my-tiny').getByTestId('pack-remove').click();
    await expect
      .poll(() => asked)
      .toEqual(['Remove the pack “my-tiny” and its files from the server? The open graph uses it.']);
    expect(await page.getByTestId('pack-my-tiny').count()).toBe(1);
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('pack-my-tiny').getByTestId('pack-remove').click();
    await page.getByTestId('pack-my-tiny').waitFor({ state: 'detached' });
    // Its finished import line goes with it.
    await page.getByTestId('import-my-tiny').waitFor({ state: 'detached' });
    const { packs } = (await (await fetch(`${server.url}/api/models`)).json()) as { packs: { id: string }[] };
    expect(packs.map((p) => p.id)).not.toContain('my-tiny');
    // Load model lists the packs there are; the removed one stays chosen but is marked before any run.
    await page.locator('.modal-backdrop').click({ position: { x: 5, y: 5 } });
    const pack = page.locator('[data-testid="param-model-pack"] select');
    expect(await pack.locator('option:checked').textContent()).toBe('my-tiny (not here)');
    expect(await page.getByTestId('param-error-model-pack').textContent()).toMatch(/no model pack “my-tiny” here/);
    expect(await page.getByTestId('problem-count').textContent()).toBe('1 problem');
    await pack.selectOption('tiny-shapes');
    await expect.poll(() => page.getByTestId('problem-count').textContent()).toBe('ready to run');
    expect(await pack.locator('option').allTextContents()).not.toContain('my-tiny (not here)');
  }, 300_000);
});

describe('groups (issue 16)', () => {
  it('frames selected nodes in a titled, coloured group that moves with them and is saved with the workflow', async () => {
    const { page } = await openEditor(browser, `${server.url}/?template=tiny-word-swap`);
    await node(page, 'source').waitFor();
    await node(page, 'source').locator('header .title').click();
    await node(page, 'target1')
      .locator('header .title')
      .click({ modifiers: ['Control'] });
    await page.keyboard.press('Control+g');
    const frame = page.locator('[data-testid^=group-group]').first();
    await frame.waitFor();
    await page.getByTestId('group-title-group1').dblclick();
    await page.getByTestId('group-title-input-group1').fill('Prompts');
    await page.getByTestId('group-title-input-group1').press('Enter');
    expect(await page.getByTestId('group-title-group1').textContent()).toBe('Prompts');

    const before = await editorDocument(page);
    const at = (doc: WorkflowDocument, id: string) => doc.nodes.find((n) => n.id === id)!.ui!.position;
    const title = (await page.getByTestId('group-title-group1').boundingBox())!;
    await page.mouse.move(title.x + 5, title.y + title.height / 2);
    await page.mouse.down();
    await page.mouse.move(title.x + 60, title.y + 40, { steps: 8 });
    await page.mouse.move(title.x + 105, title.y + 80, { steps: 8 });
    await page.mouse.up();
    const after = await editorDocument(page);
    const moved = (id: string) => ({ dx: at(after, id).x - at(before, id).x, dy: at(after, id).y - at(before, id).y });
    expect(moved('source').dx).toBeGreaterThan(50);
    expect(moved('target1').dx).toBeCloseTo(moved('source').dx, 6);
    expect(moved('target1').dy).toBeCloseTo(moved('source').dy, 6);
    expect(moved('capture')).toEqual({ dx: 0, dy: 0 });
    expect(after.ui?.groups).toEqual([
      { id: 'group1', title: 'Prompts', color: expect.any(String), nodes: ['source', 'target1'] },
    ]);
    await screenshot(page, 'groups-frame');

    // A member dragged out of its frame leaves the group; a node dropped into a frame joins it.
    // Drags node `id` by its title so that its centre ends where `to` says (screen pixels).
    type Box = { x: number; y: number; width: number; height: number };
    const dragNode = async (id: string, to: (frame: Box) => { x: number; y: number }) => {
      const title = (await node(page, id).locator('header .title').boundingBox())!;
      const whole = (await node(page, id).boundingBox())!;
      const centre = to((await page.getByTestId('group-group1').boundingBox())!);
      const grab = { x: title.x + 5, y: title.y + title.height / 2 };
      await page.mouse.move(grab.x, grab.y);
      await page.mouse.down();
      await page.mouse.move(grab.x + 20, grab.y + 20, { steps: 4 });
      const end = {
        x: centre.x - whole.width / 2 + (grab.x - whole.x),
        y: centre.y - whole.height / 2 + (grab.y - whole.y),
      };
      await page.mouse.move(end.x, end.y, { steps: 12 });
      await page.mouse.up();
    };
    const members = async () => (await editorDocument(page)).ui?.groups?.find((g) => g.id === 'group1')?.nodes;
    await dragNode('target1', (f) => ({ x: f.x + f.width + 250, y: f.y + 60 }));
    await expect.poll(members).toEqual(['source']);
    await dragNode('target1', (f) => ({ x: f.x + f.width / 2, y: f.y + f.height - 20 }));
    await expect.poll(members).toEqual(['source', 'target1']);
    await screenshot(page, 'groups-drop-into-frame');

    // Saved to the library and reopened: the frame comes back.
    await page.getByTestId('workflow-name').fill('Groups test');
    await blur(page);
    await page.keyboard.press('Control+s');
    await page.locator('[data-testid=notice][data-tag=saved]').waitFor();
    await page.reload();
    await page.waitForSelector('[data-testid=app][data-ready=true]');
    await page.getByTestId('group-title-group1').waitFor();
    expect((await editorDocument(page)).ui?.groups?.[0]?.title).toBe('Prompts');
    // Ungroup removes the frame and keeps the nodes.
    await page.getByTestId('ungroup-group1').click();
    await page.getByTestId('group-group1').waitFor({ state: 'detached' });
    expect((await editorDocument(page)).nodes.map((n) => n.id)).toContain('source');
  }, 180_000);
});

describe('bypass and mute (Ctrl+B, Ctrl+M, as in ComfyUI)', () => {
  it('bypasses a node: marked, saved, what it leaves empty said on the node it fed, and the run goes without it', async () => {
    const { page } = await openEditor(browser, `${server.url}/?template=tiny-word-swap&run=server`);
    await node(page, 'blend1').waitFor();
    await node(page, 'blend1').locator('header .title').click();
    await page.keyboard.press('Control+b');
    await page.getByTestId('bypassed-blend1').waitFor();
    expect(await node(page, 'blend1').getAttribute('data-mode')).toBe('bypass');
    expect((await editorDocument(page)).nodes.find((n) => n.id === 'blend1')!.mode).toBe('bypass');
    // A prompt has nothing to pass its PROMPT on: the schedule's target input says so; Ctrl+B again undoes it.
    await node(page, 'target1').locator('header .title').click();
    await page.getByTestId('bypass').click();
    const emptied = page.getByTestId('input-error-schedule1-target');
    await expect.poll(() => emptied.textContent()).toBe('bypassed upstream');
    expect(await emptied.getAttribute('title')).toContain(
      'comes from bypassed node "target1", which has no PROMPT input to pass on',
    );
    await screenshot(page, 'editor-bypass');
    await page.keyboard.press('Control+b');
    await page.getByTestId('input-error-schedule1-target').waitFor({ state: 'detached' });
    expect(await node(page, 'target1').getAttribute('data-mode')).toBe('normal');

    // The edit runs without local blend (the schedule's blend input is optional): Local blend never runs.
    expect(await runToEnd(page)).toBe('success');
    expect(await node(page, 'sampler').getAttribute('data-run-state')).toBe('done');
    expect(await node(page, 'blend1').getAttribute('data-run-state')).toBe('idle');

    // Ctrl+M mutes Decode: Save image falls silent with it (a warning, not an error) and the run
    // makes only the attention viewer.
    await node(page, 'decode').locator('header .title').click();
    await page.keyboard.press('Control+m');
    await page.getByTestId('muted-decode').waitFor();
    expect(await node(page, 'save').getAttribute('data-mode')).toBe('silenced');
    const silenced = page.getByTestId('input-error-save-image');
    expect(await silenced.textContent()).toBe('muted upstream');
    expect(await silenced.getAttribute('title')).toBe(
      'does not run: required input "image" comes from muted node "decode"',
    );
    await screenshot(page, 'editor-mute');
    expect(await runToEnd(page)).toBe('success');
    expect(await node(page, 'viewer').getAttribute('data-run-state')).not.toBe('idle');
    for (const id of ['decode', 'save']) expect(await node(page, id).getAttribute('data-run-state')).toBe('idle');
    expect((await editorDocument(page)).nodes.find((n) => n.id === 'decode')!.mode).toBe('mute');
  }, 300_000);
});

describe('run on change (Auto, as ComfyUI auto queue)', () => {
  it('runs when turned on, again once an edit settles, and not once turned off', async () => {
    const { page } = await openEditor(browser, `${server.url}/?template=tiny-word-swap&run=server`);
    await node(page, 'blend1').waitFor();
    const serial = Number(await page.getByTestId('run-status').getAttribute('data-run'));
    await page.getByTestId('auto-run').check();
    expect(await waitForRunEnd(page, undefined, serial + 1)).toBe('success');
    // One edit, one run (typing Enter settles it); the cache keeps it to what k reaches.
    await setNumberParam(page, 'blend1', 'k', 0.6);
    expect(await waitForRunEnd(page, undefined, serial + 2)).toBe('success');
    expect(await node(page, 'capture').getAttribute('data-run-state')).toBe('cached');
    await screenshot(page, 'editor-auto-run');
    await page.getByTestId('auto-run').uncheck();
    await setNumberParam(page, 'blend1', 'k', 0.3);
    await page.waitForTimeout(1500);
    expect(Number(await page.getByTestId('run-status').getAttribute('data-run'))).toBe(serial + 2);
  }, 300_000);
});

describe('keyboard shortcuts (?)', () => {
  it('? lists the keys the editor handles; Alt+C collapses; Ctrl+drag selects a box; Ctrl+Shift+Enter runs ahead of the queue', async () => {
    const { page } = await openEditor(browser, `${server.url}/?template=tiny-word-swap&run=server`);
    await node(page, 'source').waitFor();
    await node(page, 'source').locator('header .title').click();
    await page.keyboard.press('Shift+?');
    const dialog = page.getByTestId('keys-dialog');
    await dialog.waitFor();
    expect(await dialog.getByTestId('keys-Ctrl+M').textContent()).toContain('mute the selected nodes');
    expect(await dialog.getByTestId('keys-Ctrl+Shift+Z').textContent()).toMatch(/Ctrl\+Shift\+Z \/ Ctrl\+Y\s*redo/);
    await screenshot(page, 'editor-keys');
    // Keys are the dialog's while it is open: Ctrl+B does nothing to the node selected behind it.
    await page.keyboard.press('Control+b');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect((await editorDocument(page)).nodes.some((n) => n.mode)).toBe(false);
    // The toolbar's ? opens it too.
    await page.getByTestId('open-keys').click();
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await page.keyboard.press('Alt+c'); // the selection is still the source prompt
    await expect
      .poll(async () => (await editorDocument(page)).nodes.find((n) => n.id === 'source')!.ui?.collapsed)
      .toBe(true);
    await page.keyboard.press('Alt+c');
    await expect
      .poll(async () => (await editorDocument(page)).nodes.find((n) => n.id === 'source')!.ui?.collapsed)
      .toBeFalsy();

    // Ctrl+drag on the empty canvas selects the nodes inside the box (ComfyUI's), as Shift+drag does.
    const a = (await node(page, 'model').boundingBox())!;
    const b = (await node(page, 'source').boundingBox())!;
    await page.keyboard.down('Control');
    await page.mouse.move(a.x - 8, a.y - 8);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width + 8, b.y + b.height + 8, { steps: 8 });
    await page.mouse.up();
    await page.keyboard.up('Control');
    await expect.poll(async () => (await selectedNodes(page)).sort()).toEqual(['model', 'source']);

    const serial = Number(await page.getByTestId('run-status').getAttribute('data-run'));
    await page.keyboard.press('Control+Shift+Enter');
    expect(await waitForRunEnd(page, undefined, serial + 1)).toBe('success');
  }, 300_000);
});

describe('right-click menus (ComfyUI)', () => {
  it('a node’s menu acts on it (or on the selection it is in) and shows the keys; the empty canvas offers the node search', async () => {
    const { page } = await openEditor(browser, `${server.url}/?template=tiny-word-swap&run=server`);
    await node(page, 'blend1').waitFor();
    const menu = page.getByTestId('node-menu');
    await node(page, 'blend1').locator('header .title').click({ button: 'right' });
    await menu.waitFor();
    expect(await menu.getByTestId('node-menu-bypass').textContent()).toBe('BypassCtrl+B');
    await screenshot(page, 'editor-node-menu');
    await menu.getByTestId('node-menu-bypass').click();
    await menu.waitFor({ state: 'detached' });
    expect(await node(page, 'blend1').getAttribute('data-mode')).toBe('bypass');
    await node(page, 'blend1').locator('header .title').click({ button: 'right' });
    expect(await menu.getByTestId('node-menu-bypass').textContent()).toBe('Remove bypassCtrl+B');
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });

    // Run to here: what the capture needs, nothing below it (the sampler and Save image stay idle).
    const serial = Number(await page.getByTestId('run-status').getAttribute('data-run'));
    await node(page, 'capture').locator('header .title').click({ button: 'right' });
    await menu.getByTestId('node-menu-runTo').click();
    expect(await waitForRunEnd(page, undefined, serial + 1)).toBe('success');
    // Done, or cached when an earlier test of this file ran the same capture on this server.
    expect(await node(page, 'capture').getAttribute('data-run-state')).toMatch(/^(done|cached)$/);
    for (const id of ['sampler', 'save']) expect(await node(page, id).getAttribute('data-run-state')).toBe('idle');

    // A node outside the selection becomes it: Duplicate copies that one alone.
    const count = (await editorDocument(page)).nodes.length;
    await node(page, 'source').locator('header .title').click({ button: 'right' });
    await menu.getByTestId('node-menu-duplicate').click();
    const after = (await editorDocument(page)).nodes;
    expect(after.length).toBe(count + 1);
    expect(after.at(-1)).toMatchObject({ type: 'ptp.prompt', params: { text: 'a red circle' } });
    expect(after.find((n) => n.id === 'blend1')!.mode).toBe('bypass'); // untouched by the duplicate

    // Rename… gives the node a title of its own (empty: its type's again); a swatch colours it.
    await node(page, 'target1').locator('header .title').click({ button: 'right' });
    await menu.getByTestId('node-menu-rename').click();
    await page.getByTestId('ask-input').fill('Target prompt');
    await page.getByTestId('ask-ok').click();
    await expect.poll(() => node(page, 'target1').locator('header .title').textContent()).toBe('Target prompt');
    await node(page, 'target1').locator('header .title').click({ button: 'right' });
    await menu.getByTestId('node-menu-color-#3b7a55').click();
    expect((await editorDocument(page)).nodes.find((n) => n.id === 'target1')!.ui).toMatchObject({
      label: 'Target prompt',
      color: '#3b7a55',
    });
    expect(await node(page, 'target1').getAttribute('data-color')).toBe('#3b7a55');
    // A double-click on the title renames too (ComfyUI's).
    await node(page, 'target1').locator('header .title').dblclick();
    expect(await page.getByTestId('ask-input').inputValue()).toBe('Target prompt');
    await page.getByTestId('ask-input').fill('');
    await page.getByTestId('ask-ok').click();
    await expect.poll(() => node(page, 'target1').locator('header .title').textContent()).toBe('Prompt');
    await screenshot(page, 'editor-node-colour');

    // Pin: the node stays where it is when dragged; saved as ui.pinned.
    const title = node(page, 'model').locator('header .title');
    await title.click({ button: 'right' });
    await menu.getByTestId('node-menu-pin').click();
    await page.getByTestId('pinned-model').waitFor();
    const positionOf = async (id: string) => (await editorDocument(page)).nodes.find((n) => n.id === id)!.ui?.position;
    const drag = async (id: string) => {
      const box = (await node(page, id).locator('header .title').boundingBox())!;
      await page.mouse.move(box.x + 10, box.y + 5);
      await page.mouse.down();
      await page.mouse.move(box.x + 150, box.y + 120, { steps: 8 });
      await page.mouse.up();
    };
    const before = await positionOf('model');
    await drag('model');
    expect(await positionOf('model')).toEqual(before);
    expect((await editorDocument(page)).nodes.find((n) => n.id === 'model')!.ui?.pinned).toBe(true);
    const free = await positionOf('viewer'); // the same drag moves a node that is not pinned
    await drag('viewer');
    expect(await positionOf('viewer')).not.toEqual(free);

    // A group's frame has the menu too, for the group's nodes: mute both prompts at once.
    await node(page, 'source').locator('header .title').click();
    await node(page, 'target1')
      .locator('header .title')
      .click({ modifiers: ['Shift'] });
    await page.keyboard.press('Control+g');
    await page.getByTestId('group-title-group1').click({ button: 'right' });
    expect(await menu.getByTestId('node-menu-group').textContent()).toBe('group “Group”: 2 nodes');
    await screenshot(page, 'editor-group-menu');
    await menu.getByTestId('node-menu-mute').click();
    for (const id of ['source', 'target1']) expect(await node(page, id).getAttribute('data-mode')).toBe('mute');

    await page.locator('.react-flow__pane').click({ button: 'right', position: { x: 700, y: 640 } });
    await page.getByTestId('quick-add').waitFor();
  }, 300_000);
});

/**
 * The word-swap template on the server with a node of `type` added from the node search (typed
 * `query`) at `at` in canvas pixels; the page and that node's id.
 */
async function wordSwapWith(query: string, type: string, at: { x: number; y: number }) {
  const { page } = await openEditor(browser, `${server.url}/?template=tiny-word-swap&run=server`);
  await node(page, 'decode').waitFor();
  await page.locator('.react-flow__pane').dblclick({ position: at });
  await page.getByTestId('quick-add').locator('input').fill(query);
  await page.keyboard.press('Enter');
  const added = async () => (await editorDocument(page)).nodes.find((n) => n.type === type)?.id;
  await expect.poll(added).toBeTruthy();
  return { page, id: (await added())! };
}

/** The links of the open graph as `from -> to.input`. */
const linkList = async (page: Page) =>
  (await editorDocument(page)).edges.map((e) => `${e.from.node} -> ${e.to.node}.${e.to.input}`);

describe('links and reroutes (ComfyUI)', () => {
  it('bends a link: added from the search, linked either side, coloured by what flows through, and the run goes through it', async () => {
    const { page, id: id } = await wordSwapWith('reroute', 'ptp.reroute', { x: 700, y: 640 });
    await dragLink(page, { node: 'decode', output: 'image' }, { node: id, input: 'input' });
    await dragLink(page, { node: id, output: 'output' }, { node: 'save', input: 'image' });
    const links = (await editorDocument(page)).edges.map(
      (e) => `${e.from.node}.${e.from.output} -> ${e.to.node}.${e.to.input}`,
    );
    expect(links).toEqual(expect.arrayContaining([`decode.image -> ${id}.input`, `${id}.output -> save.image`]));
    expect(links).not.toContain('decode.image -> save.image'); // the reroute's link took its place
    // The dot takes the colour of the IMAGE flowing through it (types through reroutes: isValidConnection.test).
    const imageColour = await handle(page, 'decode', 'image', 'output').evaluate(
      (e) => getComputedStyle(e).backgroundColor,
    );
    expect(await handle(page, id, 'output', 'output').evaluate((e) => getComputedStyle(e).backgroundColor)).toBe(
      imageColour,
    );
    await screenshot(page, 'editor-reroute');
    expect(await runToEnd(page)).toBe('success');
    // Cached when an earlier test ran this graph on this server: the reroute leaves the graph the same.
    expect(await node(page, 'save').getAttribute('data-run-state')).toMatch(/^(done|cached)$/);
    expect(await node(page, id).getAttribute('data-run-state')).toBeNull(); // a reroute never runs

    // Right-click a link: Add reroute here splits it (reroutes chain).
    await clickEdge(page, `${id}.output->save.image`, 'right');
    await page.getByTestId('edge-menu-reroute').click();
    await expect
      .poll(async () => (await editorDocument(page)).nodes.filter((n) => n.type === 'ptp.reroute').length)
      .toBe(2);
    const second = (await editorDocument(page)).nodes.filter((n) => n.type === 'ptp.reroute')[1]!.id;
    expect(await linkList(page)).toEqual(
      expect.arrayContaining([`decode -> ${id}.input`, `${id} -> ${second}.input`, `${second} -> save.image`]),
    );
    expect(await page.getByTestId('problem-count').textContent()).toBe('ready to run');
  }, 300_000);

  it('drops a node with no links onto a link: the link widens while it is over it, and the node goes into it', async () => {
    const { page, id: id } = await wordSwapWith('reroute', 'ptp.reroute', { x: 700, y: 640 });
    const box = (await node(page, id).boundingBox())!;
    const linkId = await edgeIdBetween(page, 'decode', 'save');
    const to = await edgePoint(page, linkId!);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    // React Flow starts a drag on the first move and moves the node from the next one.
    await page.mouse.move(box.x + box.width / 2 + 2, box.y + box.height / 2);
    await page.mouse.move(to.x + 2, to.y, { steps: 12 });
    await page.mouse.move(to.x, to.y);
    const link = page.getByTestId(`rf__edge-${linkId}`);
    await expect.poll(() => link.getAttribute('class')).toContain('splice-target');
    await screenshot(page, 'editor-drop-on-link');
    await page.mouse.up();
    await expect
      .poll(() => linkList(page))
      .toEqual(expect.arrayContaining([`decode -> ${id}.input`, `${id} -> save.image`]));
    expect(await page.locator('.react-flow__edge.splice-target').count()).toBe(0);
    expect(await page.getByTestId('problem-count').textContent()).toBe('ready to run');
    // One undo step takes back the move and the splice.
    await page.keyboard.press('Control+z');
    await expect
      .poll(async () =>
        (await editorDocument(page)).edges.some((e) => e.from.node === 'decode' && e.to.node === 'save'),
      )
      .toBe(true);
    expect((await editorDocument(page)).edges.some((e) => e.from.node === id || e.to.node === id)).toBe(false);
  }, 300_000);

  it('moves a link by dragging its end to another input, and takes it away when dropped on the canvas', async () => {
    const { page, id: preview } = await wordSwapWith('preview image', 'ptp.previewImage', { x: 500, y: 560 });
    const links = () => linkList(page);
    const centre = async (l: Locator) => {
      const b = (await l.boundingBox())!;
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    };
    /** Picks a link up by its end, just left of its input (the socket itself starts a new link), and lets go at `to`. */
    const moveEnd = async (link: string, to: { x: number; y: number }) => {
      const end = await centre(page.locator(`[data-id="${link}"] .react-flow__edgeupdater-target`));
      await page.mouse.move(end.x, end.y);
      await page.mouse.down();
      await page.mouse.move(end.x - 30, end.y + 10, { steps: 4 });
      await page.mouse.move(to.x, to.y, { steps: 10 });
      await page.mouse.up();
    };

    await moveEnd(
      (await edgeIdBetween(page, 'decode', 'save'))!,
      await centre(handle(page, preview, 'image', 'input')),
    );
    await expect.poll(links).toContain(`decode -> ${preview}.image`);
    expect(await links()).not.toContain('decode -> save.image');

    // Let go on a node's body, the link goes to its first input that takes it (the picked-up one moves).
    const title = await centre(node(page, 'save').locator('header .title'));
    await moveEnd((await edgeIdBetween(page, 'decode', preview))!, title);
    await expect.poll(links).toContain('decode -> save.image');
    expect(await links()).not.toContain(`decode -> ${preview}.image`);
    await page.keyboard.press('Control+z'); // one step: the move as a whole
    await expect.poll(links).toContain(`decode -> ${preview}.image`);
    expect(await links()).not.toContain('decode -> save.image');

    // Dropped on the empty canvas: the link is taken away, and the node search offers what could take
    // it from there (as a new link dropped there does); Escape, then one undo brings it back.
    const pane = (await page.locator('.react-flow__pane').boundingBox())!;
    await moveEnd((await edgeIdBetween(page, 'decode', preview))!, {
      x: pane.x + pane.width - 40,
      y: pane.y + pane.height - 40,
    });
    await expect.poll(async () => (await links()).some((l) => l.startsWith('decode -> '))).toBe(false);
    await page.getByTestId('quick-add').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('quick-add').count()).toBe(0);
    await page.keyboard.press('Control+z');
    await expect.poll(links).toContain(`decode -> ${preview}.image`);
  }, 300_000);

  it('links a link let go on a node’s body to its first input that takes it, and says when none does', async () => {
    const { page, id: preview } = await wordSwapWith('preview image', 'ptp.previewImage', { x: 500, y: 560 });
    const dragTo = async (target: Locator) => {
      const from = (await handle(page, 'decode', 'image', 'output').boundingBox())!;
      const to = (await target.boundingBox())!;
      await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
      await page.mouse.down();
      await page.mouse.move(to.x + to.width / 2, to.y + 12, { steps: 12 });
      await page.mouse.up();
    };
    await dragTo(node(page, preview));
    await expect.poll(() => linkList(page)).toContain(`decode -> ${preview}.image`);
    await dragTo(node(page, 'viewer'));
    await expect
      .poll(() => page.locator('[data-testid=notice][data-tag=connection-refused]').last().textContent())
      .toMatch(/Attention viewer has no input that takes IMAGE/);
  }, 300_000);
});
