import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { screenshot } from './support/browser.js';
import { editorDocument, node, openEditor, runPixels, runToEnd, setNumberParam } from './support/editorPage.js';
import { useEditorServer } from './support/editorServer.js';

// Issue 16 part 2 in the editor: fold a selection into a block, pick what it exposes, run it on
// the server to the same pixels as before folding, unfold it; the shipped CL P2P block and blocks
// saved to the library show under "my blocks".

const studio = useEditorServer();

async function select(page: Page, ids: string[]): Promise<void> {
  await node(page, ids[0]!).locator('header .title').click();
  for (const id of ids.slice(1))
    await node(page, id)
      .locator('header .title')
      .click({ modifiers: ['Control'] });
}

describe('blocks (subgraphs) in the editor', () => {
  it('folds a selection into a block that runs to the same image, exposes a chosen param, and unfolds', async () => {
    const { page } = await openEditor(studio.browser, `${studio.server.url}/?template=tiny-word-swap`);
    await node(page, 'capture').waitFor();
    await setNumberParam(page, 'capture', 'steps', 4);
    const before = await runPixels(page);
    expect(before.length).toBeGreaterThan(0);

    await select(page, ['schedule1', 'blend1', 'sampler']);
    await page.getByTestId('fold').click();
    await page.getByTestId('fold-dialog').waitFor();
    await page.getByTestId('fold-name').fill('Swap edit');
    // The links crossing the border are exposed already; expose the blend's k as a param too.
    expect(await page.getByTestId('fold-input-model').isChecked()).toBe(true);
    await page.getByTestId('fold-param-k').check();
    // Params read as on the nodes ("Self resolution divisor"), with the node they come from.
    expect(await page.getByTestId('fold-dialog').locator('.fold-params').textContent()).toContain(
      'Self resolution divisor (schedule1)',
    );
    await screenshot(page, 'blocks-fold-dialog');
    await page.getByTestId('fold-confirm').click();
    await node(page, 'swap-edit').waitFor();
    await node(page, 'sampler').waitFor({ state: 'detached' });
    const folded = await editorDocument(page);
    expect(folded.schemaVersion).toBe(3);
    expect(folded.subgraphs?.map((s) => [s.name, s.nodes.length])).toEqual([['Swap edit', 3]]);
    expect(folded.subgraphs![0]!.params.map((p) => p.name)).toEqual(['k']);
    expect(await page.getByTestId('problem-count').textContent()).toBe('ready to run');
    expect(await page.getByTestId('palette-subgraph:swap-edit').isVisible()).toBe(true);
    await screenshot(page, 'blocks-folded');

    // Same pixels as before folding (the server's engine also hits its cache for every node).
    expect(await runPixels(page)).toEqual(before);

    // The exposed param is a field on the block node; unfolding writes it into the blend.
    await setNumberParam(page, 'swap-edit', 'k', 0.5);
    await page.getByTestId('unfold').click();
    await node(page, 'blend1').waitFor();
    const unfolded = await editorDocument(page);
    expect(unfolded.nodes.find((n) => n.id === 'blend1')!.params.k).toBe(0.5);
    expect(unfolded.nodes.some((n) => n.type.startsWith('subgraph:'))).toBe(false);
    expect(await page.getByTestId('problem-count').textContent()).toBe('ready to run');
  });

  it('adds the shipped CL P2P block from "my blocks", saves a block to the library and offers it back', async () => {
    const { page } = await openEditor(studio.browser, `${studio.server.url}/?template=tiny-word-swap`);
    await node(page, 'capture').waitFor();
    await page.getByTestId('block-offer-shipped-cl-p2p-edit').click();
    await node(page, 'cl-p2p-edit').waitFor();
    const doc = await editorDocument(page);
    expect(doc.subgraphs?.map((s) => s.name)).toEqual(['CL P2P edit']);
    // Its sockets and exposed params are the inner ones'.
    await page.getByTestId('input-cl-p2p-edit-sourcePrompt').waitFor();
    await page.locator('[data-testid="param-cl-p2p-edit-cross"]').waitFor();
    // Unset block params show the inner nodes' values (the schedule's cross 0.2 and self 0.8).
    const shown = (name: string) =>
      page.locator(`[data-testid="param-cl-p2p-edit-${name}"] .param-value`).textContent();
    expect(await shown('cross')).toBe('0.20');
    expect(await shown('self')).toBe('0.80');
    // Its unconnected sockets are reported in the block's own words, not by the inner path.
    const missing = page.getByTestId('input-error-cl-p2p-edit-sourcePrompt');
    await missing.waitFor();
    expect(await missing.getAttribute('title')).toMatch(/^required input "sourcePrompt" \(.*\) is not connected$/);
    // Beside the socket, in two words: the node keeps its width.
    expect(await missing.textContent()).toBe('not connected');

    await page.getByTestId('save-block-subgraph:cl-p2p-edit').click();
    await page.locator('[data-testid=notice]', { hasText: 'Saved block' }).waitFor();
    const saved = await studio.server.library.list({ tag: ['block'], limit: 10, offset: 0 });
    expect(saved.workflows.map((w) => w.name)).toEqual(['CL P2P edit']);

    // In another workflow the library's block is offered and adds with its definition.
    const other = await openEditor(studio.browser, `${studio.server.url}/?template=tiny-generate`);
    const offer = other.page.getByTestId(`block-offer-library-${saved.workflows[0]!.id}`);
    await offer.waitFor();
    await offer.click();
    await node(other.page, 'cl-p2p-edit').waitFor();
    expect((await editorDocument(other.page)).subgraphs?.[0]?.name).toBe('CL P2P edit');
  });

  it('opens a block to edit its inside in place: every use changes, the run shows on inner nodes, undo restores', async () => {
    const { page } = await openEditor(studio.browser, `${studio.server.url}/?template=tiny-cl-p2p-block`);
    await node(page, 'cl-p2p-edit').waitFor();
    const before = await runPixels(page);

    await page.getByTestId('open-block-cl-p2p-edit').click();
    const path = page.getByTestId('block-path');
    await path.waitFor();
    expect(await path.textContent()).toContain('CL P2P edit');
    await node(page, 'schedule1').waitFor();
    expect(await node(page, 'capture').count()).toBe(0);
    // What the block exposes is marked on the inner sockets and params; nothing inside is a problem.
    expect(await node(page, 'schedule1').getByTestId('exposed').count()).toBeGreaterThanOrEqual(2);
    await expect.poll(() => page.getByTestId('problem-count').getAttribute('data-count')).toBe('0');

    // An inner param the block does not expose: the schedule's mode.
    await page.locator('[data-testid="param-schedule1-mode"] select').selectOption('refine');
    const def = async () => (await editorDocument(page)).subgraphs!.find((d) => d.id === 'cl-p2p-edit')!;
    expect((await def()).nodes.find((n) => n.id === 'schedule1')!.params.mode).toBe('refine');

    // Running from inside shows the inner nodes' progress on them.
    expect(await runToEnd(page)).toBe('success');
    await node(page, 'sampler').locator('.badge.done').waitFor();
    // The workflow's saved images still show in the results panel.
    await page.getByTestId('results-panel').getByTestId('result-image').first().waitFor();
    await screenshot(page, 'blocks-open');

    await page.keyboard.press('Escape');
    await node(page, 'capture').waitFor();
    expect(await path.count()).toBe(0);
    const edited = await runPixels(page);
    expect(edited).not.toEqual(before);

    // The whole visit is one undo step.
    await page.getByTestId('undo').click();
    expect((await def()).nodes.find((n) => n.id === 'schedule1')!.params.mode).toBe('replace');
    expect(await runPixels(page)).toEqual(before);
  });
});
