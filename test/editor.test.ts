import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowDocument } from '@ptp/graph-core';
import { encodePng } from '@ptp/nodes';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUiBuilt, launchBrowser, screenshot, serveStatic } from './support/browser.js';
import {
  blur,
  clickEdge,
  dragLink,
  dropFile,
  editorDocument,
  graphOf,
  handle,
  loadedImageSize,
  node,
  openEditor,
  overlaps,
  runToEnd,
  selectedEdges,
  setNumberParam,
  waitForRunEnd,
  watchProgress,
} from './support/editorPage.js';
import { repoRoot } from './support/repoRoot.js';

// The editor in headless chromium, served as static files (no studio server: browser-only mode).
// Each test opens its own page and saves a screenshot of the state it checks (test/screenshots/).

const example = (name: string) =>
  JSON.parse(readFileSync(path.join(repoRoot, 'examples', `${name}.json`), 'utf8')) as WorkflowDocument;

let browser: Browser;
let baseUrl: string;
let closeServer: () => Promise<void>;
const pages: Page[] = [];
const TEMPLATE_COUNT = readdirSync(path.join(repoRoot, 'examples')).filter((f) => f.endsWith('.json')).length;

async function open(query = '?new'): Promise<Page> {
  const { page, logs } = await openEditor(browser, `${baseUrl}${query}`);
  page.on('pageerror', (e) => console.error(`[pageerror] ${e.message}\n${logs.join('\n')}`));
  pages.push(page);
  return page;
}

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

describe('editor (browser only)', () => {
  it('loads a template from the gallery', async () => {
    const { page, logs } = await openEditor(browser, `${baseUrl}?new`);
    pages.push(page);
    expect(await page.getByTestId('app').getAttribute('data-server')).toBe('false');
    // An empty canvas is not "ready to run", and Run says what to do instead of failing.
    expect(await page.getByTestId('problem-count').textContent()).toBe('empty canvas');
    await page.getByTestId('run').click();
    expect(await page.locator('[data-testid=notice][data-tag=run-empty]').textContent()).toMatch(/open a template/);
    expect(await page.getByTestId('run-status').getAttribute('data-phase')).toBe('idle');
    // A dialog closes on Escape, as on its backdrop.
    await page.getByTestId('open-templates').click();
    await page.getByTestId('templates').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('templates').waitFor({ state: 'detached' });
    await page.getByTestId('open-templates').click();
    // The search narrows the list (words in any order, the pack too) and Enter opens the first.
    await page.getByTestId('templates-search').fill('tiny-shapes word swap');
    await expect
      .poll(() => page.locator('[data-testid=templates] [data-testid^=template-]').count())
      .toBeLessThan(TEMPLATE_COUNT);
    expect(
      await page.locator('[data-testid=templates] [data-testid^=template-]').first().getAttribute('data-testid'),
    ).toBe('template-tiny-word-swap');
    await screenshot(page, 'editor-templates-search');
    await page.getByTestId('templates-search').fill('no such template');
    await page.getByText('no template matches').waitFor();
    await page.getByTestId('templates-search').fill('tiny-shapes word swap');
    await page.getByTestId('templates-search').press('Enter');
    await node(page, 'blend1').waitFor();
    const doc = await editorDocument(page);
    expect(graphOf(doc)).toEqual(graphOf(example('tiny-word-swap')));
    // The user's copy is not a shipped example: its tags lose "example", and only that.
    expect(doc.metadata.tags).toEqual(example('tiny-word-swap').metadata.tags.filter((t) => t !== 'example'));
    expect(example('tiny-word-swap').metadata.tags).toContain('example');
    expect(await page.locator('.react-flow__node').count()).toBe(doc.nodes.length);
    expect(await page.locator('.react-flow__edge').count()).toBe(doc.edges.length);
    await expect.poll(() => page.getByTestId('problem-count').getAttribute('data-count')).toBe('0');
    // Without a server, Load model offers the packs the page is served with.
    const packs = page.locator('[data-testid="param-model-pack"] select option');
    await expect.poll(() => packs.allTextContents()).toEqual(expect.arrayContaining(['tiny-shapes', 'tiny-scenes']));
    // Handles take their socket type's colour (the catalogue's, from P2P_SOCKET_TYPES in packages/nodes: PROMPT is #ffd54f).
    expect(await handle(page, 'source', 'prompt', 'output').evaluate((h) => getComputedStyle(h).backgroundColor)).toBe(
      'rgb(255, 213, 79)',
    );
    await screenshot(page, 'editor-template-loaded');

    // Export writes the same document as a JSON download.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
    expect(download.suggestedFilename()).toBe('word-swap-reference-defaults-tiny-shapes.json');
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8')) as WorkflowDocument;
    expect(graphOf(exported)).toEqual(graphOf(example('tiny-word-swap')));
    // A newcomer's console stays clean: no error, no failed request (the favicon included) but the
    // probe for a studio server, which browser-only mode expects to fail.
    const failed = logs.filter((l) => /^\[(http \d+|pageerror)\]/.test(l) && !l.endsWith('/api/health'));
    const errors = logs.filter((l) => l.startsWith('[error]') && !l.includes('Failed to load resource'));
    expect([...failed, ...errors]).toEqual([]);
  });

  it('says so when the address names a template that does not exist', async () => {
    const page = await open('?template=nope');
    const notice = page.locator('[data-testid=notice][data-tag=template-unknown]');
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/no template “nope”/);
  });

  it('opens every template with no node over another', async () => {
    const page = await open('?new');
    const placed: Record<string, string[]> = {};
    for (const file of readdirSync(path.join(repoRoot, 'examples')).filter((f) => f.endsWith('.json'))) {
      const id = file.replace(/\.json$/, '');
      await page.goto(`${baseUrl}?template=${id}`);
      await page.waitForSelector('[data-testid=app][data-ready=true]');
      await expect.poll(async () => (await editorDocument(page)).metadata.name).toBe(example(id).metadata.name);
      await page.locator('.react-flow__node').first().waitFor();
      placed[id] = await overlaps(page);
    }
    expect(Object.entries(placed).filter(([, pairs]) => pairs.length)).toEqual([]);
  }, 300_000);

  it('adds nodes from the palette: search, drag onto the canvas, click', async () => {
    const page = await open();
    await page.getByTestId('palette-search').fill('local blend');
    await page
      .getByTestId('palette-ptp.blend')
      .dragTo(page.getByTestId('canvas'), { targetPosition: { x: 250, y: 200 } });
    await node(page, 'blend').waitFor();
    // Blocks are found by name too (the shipped CL P2P edit, under "my blocks"); a node type is not.
    await page.getByTestId('palette-search').fill('cl p2p');
    await page.getByTestId('block-offer-shipped-cl-p2p-edit').waitFor();
    await page.getByTestId('palette-search').fill('zzz');
    expect(await page.getByTestId('my-blocks').count()).toBe(0);
    await page.getByTestId('palette-search').fill('');
    await page.getByTestId('palette-ptp.prompt').click();
    await node(page, 'prompt').waitFor();
    const doc = await editorDocument(page);
    expect(doc.nodes.map((n) => n.type)).toEqual(['ptp.blend', 'ptp.prompt']);
    // A fresh node holds its type's defaults, and its unconnected inputs are flagged at once.
    expect(doc.nodes[0]!.params).toMatchObject({ k: 0.3, sourceWords: [], targetWords: [] });
    expect(await node(page, 'blend').getAttribute('data-has-error')).toBe('true');
    await page.getByTestId('input-error-blend-source').waitFor();
    // Clicked in again and again, new nodes find free places instead of piling up.
    await page.getByTestId('palette-ptp.prompt').click();
    await node(page, 'prompt_2').waitFor();
    await page.getByTestId('palette-ptp.prompt').click();
    await node(page, 'prompt_3').waitFor();
    const boxes = await Promise.all(
      ['blend', 'prompt', 'prompt_2', 'prompt_3'].map((id) => node(page, id).boundingBox()),
    );
    const cover = (a: (typeof boxes)[0], b: (typeof boxes)[0]) =>
      a!.x < b!.x + b!.width && b!.x < a!.x + a!.width && a!.y < b!.y + b!.height && b!.y < a!.y + a!.height;
    const overlapping = boxes.flatMap((a, i) => boxes.slice(i + 1).filter((b) => cover(a, b)));
    expect(overlapping).toEqual([]);
    // Big nodes too (their size is estimated before they are measured), clicked in quick succession.
    for (const type of [
      'ptp.injectionSchedule',
      'ptp.captureSource',
      'ptp.loadModel',
      'ptp.editSampler',
      'ptp.saveImage',
    ])
      await page.getByTestId(`palette-${type}`).click();
    await expect.poll(async () => (await editorDocument(page)).nodes.length).toBe(9);
    expect(await overlaps(page)).toEqual([]);
    await screenshot(page, 'editor-palette');
  });

  it('adds a node from the canvas search: double-click the empty canvas, or let go of a link there', async () => {
    const page = await open();
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    // Double-click: the search opens where the pointer is; Enter adds the first match there.
    await page.mouse.dblclick(canvas.x + 80, canvas.y + 80);
    await page.getByTestId('quick-add-search').fill('prompt');
    await page.getByTestId('quick-add-search').press('Enter');
    await node(page, 'prompt').waitFor();
    expect(await page.getByTestId('quick-add').count()).toBe(0);
    const placed = (await node(page, 'prompt').boundingBox())!;
    expect(Math.abs(placed.x - (canvas.x + 80))).toBeLessThan(4);
    // Escape closes it and adds nothing.
    await page.mouse.dblclick(canvas.x + 500, canvas.y + 400);
    await page.getByTestId('quick-add').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('quick-add').waitFor({ state: 'detached' });

    // A link from the prompt let go on the empty canvas offers only the nodes that take a PROMPT.
    const out = (await handle(page, 'prompt', 'prompt', 'output').boundingBox())!;
    await page.mouse.move(out.x + out.width / 2, out.y + out.height / 2);
    await page.mouse.down();
    await page.mouse.move(out.x + 200, out.y + 40, { steps: 5 });
    await page.mouse.move(out.x + 360, out.y + 60, { steps: 5 });
    await page.mouse.up();
    await page.getByTestId('quick-add').waitFor();
    expect(await page.getByTestId('quick-add-search').getAttribute('placeholder')).toMatch(/takes PROMPT/);
    expect(await page.getByTestId('quick-add-ptp.decode').count()).toBe(0);
    await page.getByTestId('quick-add-search').fill('blend');
    await screenshot(page, 'editor-quick-add-link');
    await page.getByTestId('quick-add-ptp.blend').click();
    await node(page, 'blend').waitFor();
    const doc = await editorDocument(page);
    expect(graphOf(doc).edges).toEqual(['prompt.prompt->blend.source']);
    // One undo step takes the node and its link away together.
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await editorDocument(page)).nodes.map((n) => n.id)).toEqual(['prompt']);
    expect((await editorDocument(page)).edges).toEqual([]);
  });

  it('disconnects and connects edges; the missing input is shown on the right node', async () => {
    const page = await open('?template=tiny-word-swap');
    await node(page, 'capture').waitFor();
    const width = () => node(page, 'capture').evaluate((e) => e.clientWidth);
    const linkedWidth = await width();
    await clickEdge(page, 'e2'); // source.prompt -> capture.prompt
    expect(await selectedEdges(page)).toEqual(['e2']);
    await page.keyboard.press('Delete');
    await expect.poll(async () => (await editorDocument(page)).edges.some((e) => e.id === 'e2')).toBe(false);
    // Validation: the error sits on capture's prompt input, and on no other node.
    await page.getByTestId('input-error-capture-prompt').waitFor();
    expect(await page.getByTestId('input-error-capture-prompt').textContent()).toMatch(/not connected/);
    // Said beside the socket without widening the node over its neighbours.
    expect(await width()).toBe(linkedWidth);
    expect(await node(page, 'capture').getAttribute('data-has-error')).toBe('true');
    expect(await page.locator('[data-has-error=true]').count()).toBe(1);
    await screenshot(page, 'editor-validation-error');

    await dragLink(page, { node: 'target1', output: 'prompt' }, { node: 'capture', input: 'prompt' });
    await expect
      .poll(async () => graphOf(await editorDocument(page)).edges)
      .toContain('target1.prompt->capture.prompt');
    await page.getByTestId('input-error-capture-prompt').waitFor({ state: 'detached' });
    expect(await node(page, 'capture').getAttribute('data-has-error')).toBe('false');
    await screenshot(page, 'editor-connected');

    // A link dropped on a linked input replaces its link, as in ComfyUI.
    await dragLink(page, { node: 'source', output: 'prompt' }, { node: 'capture', input: 'prompt' });
    await expect
      .poll(async () => graphOf(await editorDocument(page)).edges.filter((e) => e.endsWith('->capture.prompt')))
      .toEqual(['source.prompt->capture.prompt']);
  });

  it('refuses a connection between mismatched socket types and says why', async () => {
    const page = await open('?template=tiny-word-swap');
    await node(page, 'capture').waitFor();
    const before = (await editorDocument(page)).edges.length;
    // decode.image (IMAGE) into capture.negative (PROMPT).
    await dragLink(page, { node: 'decode', output: 'image' }, { node: 'capture', input: 'negative' });
    const notice = page.locator('[data-testid=notice][data-tag=connection-refused]');
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/PROMPT.*IMAGE/);
    expect((await editorDocument(page)).edges.length).toBe(before);
    await screenshot(page, 'editor-connection-refused');
  });

  it('edits params with their widgets: number, prompt text, enum, slider, word picker', async () => {
    const page = await open('?template=tiny-word-swap');
    await node(page, 'capture').waitFor();
    await setNumberParam(page, 'capture', 'steps', 5);
    // An emptied field, or letters (a number input reports them as ''), keep the value: not 0.
    const stepsBox = page.locator('[data-testid=param-capture-steps] input[type=number]');
    await stepsBox.fill('');
    await stepsBox.press('Tab');
    await expect.poll(() => stepsBox.inputValue()).toBe('5');
    await stepsBox.selectText();
    await page.keyboard.type('abc');
    await page.keyboard.press('Enter');
    await expect.poll(() => stepsBox.inputValue()).toBe('5');
    // The preset swaps "circle" words; the new target prompt drops "circle" for "square".
    const preset = example('tiny-word-swap');
    const oldTarget = String(preset.nodes.find((n) => n.id === 'target1')!.params.text);
    const stale = (preset.nodes.find((n) => n.id === 'blend1')!.params.targetWords as string[])[0]!;
    const newTarget = oldTarget.replace(stale, 'square');
    expect(newTarget).not.toBe(oldTarget);
    await page.locator('[data-testid=param-target1-text] textarea').fill(newTarget);
    await page.locator('[data-testid=param-schedule1-mode] select').selectOption('refine');
    await page.locator('[data-testid=param-blend1-k] input[type=range]').fill('0.55');
    // The blend's target-word picker follows the edited prompt: pick "square", drop the stale word.
    const targetWords = page.getByTestId('param-blend1-targetWords');
    await targetWords.locator('[data-word=square]').click();
    await targetWords.locator('.chip.stale', { hasText: stale }).click();
    const doc = await editorDocument(page);
    const params = (id: string) => doc.nodes.find((n) => n.id === id)!.params;
    expect(params('capture').steps).toBe(5);
    expect(params('target1').text).toBe(newTarget);
    expect(params('schedule1').mode).toBe('refine');
    expect(params('blend1').k).toBeCloseTo(0.55);
    expect(params('blend1').targetWords).toEqual(['square']);
    expect(await page.getByTestId('dirty').getAttribute('data-dirty')).toBe('true');
    await screenshot(page, 'editor-params-edited');

    // Leaving with unsaved changes asks first.
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.type();
      void d.accept();
    });
    await blur(page);
    await page.reload();
    expect(asked).toBe('beforeunload');
  });

  it('undoes and redoes param edits, deletions and pastes from the keyboard', async () => {
    const page = await open('?template=tiny-word-swap');
    await node(page, 'capture').waitFor();
    const steps = page.locator('[data-testid=param-capture-steps] input[type=number]');
    await setNumberParam(page, 'capture', 'steps', 5);
    await setNumberParam(page, 'capture', 'seed', 11);
    await blur(page);
    const p = async () => (await editorDocument(page)).nodes.find((n) => n.id === 'capture')!.params;
    await page.keyboard.press('Control+z');
    expect((await p()).seed).toBe(7);
    await page.keyboard.press('Control+z');
    expect((await p()).steps).toBe(20);
    await expect.poll(() => steps.inputValue()).toBe('20');
    await page.keyboard.press('Control+Shift+z');
    expect((await p()).steps).toBe(5);
    await expect.poll(() => steps.inputValue()).toBe('5');

    // With a dialog open the keys are the dialog's: the selected node behind it stays, nothing is undone.
    await node(page, 'blend1').locator('header .title').click();
    const before = graphOf(await editorDocument(page));
    await page.getByTestId('open-templates').click();
    await page.getByTestId('templates').locator('h2, header').first().click();
    for (const key of ['Delete', 'Backspace', 'Control+z', 'Control+y']) await page.keyboard.press(key);
    expect(graphOf(await editorDocument(page))).toEqual(before);
    await page.keyboard.press('Escape');
    await page.getByTestId('templates').waitFor({ state: 'detached' });

    // Delete a node with its links, then bring both back.
    await node(page, 'blend1').locator('header .title').click();
    await page.keyboard.press('Delete');
    await node(page, 'blend1').waitFor({ state: 'detached' });
    expect(graphOf(await editorDocument(page)).edges.filter((e) => e.includes('blend1'))).toEqual([]);
    await page.keyboard.press('Control+z');
    await node(page, 'blend1').waitFor();
    expect(graphOf(await editorDocument(page)).edges.filter((e) => e.includes('blend1'))).toHaveLength(3);

    // Copy and paste a prompt: a new node with the same text, selected; undo removes it.
    await node(page, 'source').locator('header .title').click();
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await node(page, 'prompt').waitFor();
    expect((await editorDocument(page)).nodes.find((n) => n.id === 'prompt')!.params).toEqual(
      example('tiny-word-swap').nodes.find((n) => n.id === 'source')!.params,
    );
    await screenshot(page, 'editor-undo-redo-paste');
    await page.keyboard.press('Control+z');
    await node(page, 'prompt').waitFor({ state: 'detached' });
    await page.getByTestId('redo').click();
    await node(page, 'prompt').waitFor();

    // Pasted again with the mouse over the canvas: the copy lands where the mouse is, as in ComfyUI.
    const pane = (await page.getByTestId('canvas').boundingBox())!;
    const mouse = { x: Math.round(pane.x + pane.width * 0.6), y: Math.round(pane.y + pane.height * 0.8) };
    await page.mouse.move(mouse.x, mouse.y);
    await page.keyboard.press('Control+v');
    await node(page, 'prompt_2').waitFor();
    const placed = (await node(page, 'prompt_2').boundingBox())!;
    expect(Math.abs(placed.x - mouse.x)).toBeLessThan(3);
    expect(Math.abs(placed.y - mouse.y)).toBeLessThan(3);

    // Shift+click adds a node to the selection.
    await node(page, 'capture').locator('header .title').click();
    await node(page, 'blend1')
      .locator('header .title')
      .click({ modifiers: ['Shift'] });
    await expect.poll(() => page.locator('.react-flow__node.selected .ptp-node').count()).toBe(2);

    // Ctrl+A selects every node (Delete then takes them all; one undo brings them back).
    await blur(page);
    await page.keyboard.press('Control+a');
    const count = (await editorDocument(page)).nodes.length;
    await expect.poll(() => page.locator('.react-flow__node.selected .ptp-node').count()).toBe(count);
    await page.keyboard.press('Delete');
    await expect.poll(async () => (await editorDocument(page)).nodes.length).toBe(0);
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await editorDocument(page)).nodes.length).toBe(count);
  });

  it('pastes with the links that fed the copies (Ctrl+Shift+V); an unlinked copy does not stop a run', async () => {
    const page = await open('?template=tiny-word-swap&run=wasm');
    await node(page, 'decode').waitFor();
    await setNumberParam(page, 'capture', 'steps', 2);
    await blur(page);
    await node(page, 'decode').locator('header .title').click();
    await expect
      .poll(() => node(page, 'decode').evaluate((e) => e.closest('.react-flow__node')!.classList.contains('selected')))
      .toBe(true);
    await page.keyboard.press('Control+c');
    await page.locator('[data-testid=notice][data-tag=copied]').waitFor();
    await page.keyboard.press('Control+Shift+v');
    await node(page, 'decode_2').waitFor();
    await expect
      .poll(async () =>
        graphOf(await editorDocument(page)).edges.filter(
          (e) => e.endsWith('->decode_2.model') || e.endsWith('->decode_2.latent'),
        ),
      )
      .toEqual(['model.model->decode_2.model', 'sampler.latent->decode_2.latent']);
    await page.keyboard.press('Control+v');
    await node(page, 'decode_3').waitFor();
    expect(graphOf(await editorDocument(page)).edges.filter((e) => e.includes('decode_3'))).toEqual([]);
    await expect.poll(() => page.getByTestId('problem-count').getAttribute('data-count')).not.toBe('0');
    // Its problems are on a node no output needs: the run goes ahead, as on the server. The notice
    // comes as the run starts and goes after 8 s: watched from before the click.
    const partial = page.locator('[data-testid=notice][data-tag=run-partial]').waitFor({ timeout: 60_000 });
    expect(await runToEnd(page)).toBe('success');
    await partial;
    // A problem on a node an output needs stops it.
    await page.locator('[data-testid=param-source-text] textarea').fill('');
    await blur(page);
    await page.getByTestId('run').click();
    await page.locator('[data-testid=notice][data-tag=run-blocked]').waitFor();
  }, 300_000);

  it('restores the graph from a studio PNG dropped on the canvas, loads a plain picture, and refuses other files', async () => {
    const page = await open();
    const doc = example('tiny-refine');
    doc.nodes.find((n) => n.id === 'capture')!.params.steps = 3;
    const png = encodePng(
      { width: 4, height: 4, rgba: new Uint8Array(64).fill(128) },
      { workflow: JSON.stringify(doc) },
    );
    await dropFile(page, 'refine_000.png', 'image/png', png);
    await page.locator('[data-testid=notice][data-tag=file-opened]').waitFor();
    expect(graphOf(await editorDocument(page))).toEqual(graphOf(doc));
    await screenshot(page, 'editor-png-dropped');

    // A picture with no workflow in it is one to load (ComfyUI's habit): a Load image node where it
    // fell, holding the upload; dropped on that node, it replaces its picture.
    const picture = (v: number) => encodePng({ width: 16, height: 16, rgba: new Uint8Array(16 * 16 * 4).fill(v) }, {});
    await dropFile(page, 'photo.png', 'image/png', picture(90));
    await page.locator('[data-testid=notice][data-tag=image-placed]').waitFor();
    const loads = async () => (await editorDocument(page)).nodes.filter((n) => n.type === 'ptp.loadImage');
    const [load] = await loads();
    expect(load?.params.upload).toMatch(/^[0-9a-f]{64}$/);
    expect(graphOf(await editorDocument(page)).nodes).toHaveLength(graphOf(doc).nodes.length + 1);
    // It shows the picture, as ComfyUI's Load image does.
    await expect
      .poll(() =>
        node(page, load!.id)
          .getByTestId('upload-preview')
          .evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0))
          .catch(() => 0),
      )
      .toBe(16);
    await screenshot(page, 'editor-picture-dropped');
    const first = load!.params.upload;
    await dropFile(page, 'photo2.png', 'image/png', picture(200), `[data-id="${load!.id}"]`);
    await expect.poll(async () => (await loads()).map((n) => n.params.upload)).not.toEqual([first]);
    expect(await loads()).toHaveLength(1);

    // Anything else changes nothing and says so.
    const before = graphOf(await editorDocument(page));
    await dropFile(page, 'notes.txt', 'text/plain', new TextEncoder().encode('hello'));
    await page.locator('[data-testid=notice][data-tag=open-failed]').waitFor();
    expect(graphOf(await editorDocument(page))).toEqual(before);
    // A file over the bound is refused by its size, before it is read.
    const huge = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(17 * 1024 * 1024)], 'huge.png', { type: 'image/png' }));
      return dt;
    });
    await page.getByTestId('canvas').dispatchEvent('drop', { dataTransfer: huge });
    await expect
      .poll(() => page.locator('[data-testid=notice][data-tag=open-failed]').last().textContent())
      .toMatch(/huge\.png is 17\.0 MiB, over the 16\.0 MiB/);
    expect(graphOf(await editorDocument(page))).toEqual(before);
  });

  it('opens the real-image edit on a picture dropped on an empty canvas', async () => {
    const page = await open();
    expect((await editorDocument(page)).nodes).toHaveLength(0);
    const photo = encodePng({ width: 16, height: 16, rgba: new Uint8Array(16 * 16 * 4).fill(120) }, {});
    await dropFile(page, 'my photo.png', 'image/png', photo);
    await page.locator('[data-testid=notice][data-tag=image-opened]').waitFor();
    const doc = await editorDocument(page);
    expect(doc.metadata.name).toBe('Edit of my photo');
    expect(doc.nodes.map((n) => n.type)).toEqual(expect.arrayContaining(['ptp.loadImage', 'ptp.invert']));
    const load = doc.nodes.find((n) => n.type === 'ptp.loadImage')!;
    expect(load.params.upload).toMatch(/^[0-9a-f]{64}$/);
    await expect
      .poll(() =>
        node(page, load.id)
          .getByTestId('upload-preview')
          .evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0))
          .catch(() => 0),
      )
      .toBe(16);
    expect(await page.getByTestId('problem-count').textContent()).toBe('ready to run');
    await screenshot(page, 'editor-photo-opened');
  });

  it('shows unknown node types as placeholders with their links and a validation error', async () => {
    const page = await open();
    const doc = example('tiny-generate');
    doc.nodes.push({
      id: 'mystery',
      type: 'plugin.mystery',
      typeVersion: 2,
      params: { strength: 3 },
      ui: { position: { x: 300, y: 300 } },
    });
    doc.edges.push({ id: 'm1', from: { node: 'decode', output: 'image' }, to: { node: 'mystery', input: 'picture' } });
    await page.getByTestId('import-file').setInputFiles({
      name: 'with-plugin.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(doc)),
    });
    const placeholder = node(page, 'mystery');
    await placeholder.waitFor();
    expect(await placeholder.getAttribute('class')).toContain('placeholder');
    expect(await page.getByTestId('node-error-mystery').textContent()).toMatch(/unknown node type "plugin\.mystery"/);
    expect(await handle(page, 'mystery', 'picture', 'input').count()).toBe(1);
    expect(await page.locator('.react-flow__edge').count()).toBe(doc.edges.length);
    // It round-trips untouched.
    expect((await editorDocument(page)).nodes.find((n) => n.id === 'mystery')).toMatchObject({
      type: 'plugin.mystery',
      typeVersion: 2,
      params: { strength: 3 },
    });
    await screenshot(page, 'editor-unknown-node');
  });

  it('shows a run failure on the failing node', async () => {
    // Without the pack list (packs/index.json unreadable) Load model takes any id, so the missing
    // pack is found by the run itself; with the list it is marked before (editorNewUser.test.ts).
    const { page } = await openEditor(browser, `${baseUrl}?template=tiny-generate`, {
      beforeLoad: (p) => p.route('**/packs/index.json', (r) => r.fulfill({ status: 404 })),
    });
    pages.push(page);
    await node(page, 'model').waitFor();
    await page.locator('[data-testid=param-model-pack] input').fill('no-such-pack');
    await blur(page);
    expect(await runToEnd(page)).toBe('error');
    expect(await node(page, 'model').getAttribute('data-run-state')).toBe('error');
    // Load model names its `pack` param as the cause: the message sits under that param.
    expect(await page.getByTestId('param-error-model-pack').textContent()).toMatch(/no-such-pack/);
    await page.locator('[data-testid=notice][data-tag=run-failed]').waitFor();
    // The toolbar counts the run's error (not "ready to run"); its list shows the node.
    const count = page.getByTestId('problem-count');
    expect([await count.textContent(), await count.getAttribute('data-run-errors')]).toEqual([
      'last run: 1 error',
      '1',
    ]);
    await count.click();
    expect(await page.getByTestId('problem-item').getAttribute('data-node')).toBe('model');
    await screenshot(page, 'editor-run-error');
    await page.keyboard.press('Escape');
    // An edit forgets the run's errors: validation speaks again.
    await page.locator('[data-testid=param-model-pack] input').fill('no-such-pack-2');
    await blur(page);
    await expect.poll(() => count.textContent()).toBe('ready to run');
  }, 300_000);

  it('cancels a run in the page on WASM mid-way, and runs again after', async () => {
    const page = await open('?template=tiny-generate&run=wasm');
    await expect.poll(() => page.getByTestId('run-target').inputValue()).toBe('wasm');
    await node(page, 'sample').waitFor();
    // Still sampling when Cancel is pressed, on any machine: 200 steps at 128 px (about 0.3 s a step
    // on WASM here; at the pack's own 32 px the whole run is a few seconds on a fast machine).
    await setNumberParam(page, 'sample', 'steps', 200);
    await page.getByTestId('more-params-sample').click();
    await setNumberParam(page, 'sample', 'width', 128);
    await setNumberParam(page, 'sample', 'height', 128);
    await blur(page);
    const serial = Number(await page.getByTestId('run-status').getAttribute('data-run')) + 1;
    await page.getByTestId('run').click();
    await page.getByTestId(`progress-sample`).waitFor({ timeout: 120_000 });
    await page.getByTestId('cancel').click();
    expect(await waitForRunEnd(page, 60_000, serial)).toBe('interrupted');
    // Stopped at a step, not run to its end: the sampler never finished.
    expect(await page.getByTestId('node-image-save').count()).toBe(0);
    await setNumberParam(page, 'sample', 'steps', 2);
    await blur(page);
    expect(await runToEnd(page)).toBe('success');
  }, 300_000);

  // The page's worker on WASM: the UI path is the same for every target, and the worker on WebGPU is
  // browserRuntime.test.ts's (a minute of SwiftShader there, not paid twice).
  it('runs a template in the browser (worker) to a visible image, then from the cache; its PNG restores the graph', async () => {
    const page = await open('?template=tiny-generate&run=wasm');
    await expect.poll(() => page.getByTestId('run-target').inputValue()).toBe('wasm');
    await node(page, 'sample').waitFor();
    await setNumberParam(page, 'sample', 'steps', 2);
    await blur(page);
    await watchProgress(page, 'sample');
    const phase = await runToEnd(page);
    expect(
      phase,
      await page
        .locator('[data-testid=notice]')
        .allTextContents()
        .then((t) => t.join('\n')),
    ).toBe('success');
    const img = page.getByTestId('node-image-save');
    const size = await loadedImageSize(img.first());
    expect(size.width).toBeGreaterThan(0);
    // The sampler showed a progress bar while it ran.
    expect(await page.evaluate(() => (window as unknown as { __sawProgress: boolean }).__sawProgress)).toBe(true);
    await screenshot(page, 'editor-run-browser');

    // Unchanged graph, run again with Ctrl+Enter: the output comes from the worker's cache, so
    // nothing upstream runs.
    const again = Number(await page.getByTestId('run-status').getAttribute('data-run')) + 1;
    await page.keyboard.press('Control+Enter');
    await page.getByTestId('cached-save').waitFor({ timeout: 120_000 });
    expect(await waitForRunEnd(page, undefined, again)).toBe('success');
    expect(await node(page, 'sample').getAttribute('data-run-state')).toBe('idle');

    // The result PNG carries the workflow: dropping it on a new editor restores the graph.
    const bytes = await img
      .first()
      .evaluate(async (el: HTMLImageElement) => Array.from(new Uint8Array(await (await fetch(el.src)).arrayBuffer())));
    const ran = await editorDocument(page);
    const fresh = await open();
    await dropFile(fresh, 'generate_000.png', 'image/png', Uint8Array.from(bytes));
    await fresh.locator('[data-testid=notice][data-tag=file-opened]').waitFor();
    expect(graphOf(await editorDocument(fresh))).toEqual(graphOf(ran));
    await screenshot(fresh, 'editor-png-roundtrip');
  }, 300_000);
});
