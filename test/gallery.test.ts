import { describe, expect, it } from 'vitest';
import { screenshot } from './support/browser.js';
import { editorDocument, node, openEditor, runPixels } from './support/editorPage.js';
import { useEditorServer } from './support/editorServer.js';

// The gallery and its boards in the editor (server mode): every picture the server made, boards
// made, filled and emptied from the dialog, and a picture taken from there into a further edit.

const studio = useEditorServer();

describe('gallery and boards', () => {
  it('shows the pictures of runs, keeps them on boards, and edits one further from there', async () => {
    const { page } = await openEditor(studio.browser, `${studio.server.url}/?template=tiny-word-swap`);
    page.on('dialog', (d) => void d.accept());
    await node(page, 'capture').waitFor();
    await runPixels(page);

    await page.getByTestId('open-gallery').click();
    const gallery = page.getByTestId('gallery');
    const tiles = gallery.getByTestId('gallery-item');
    await expect.poll(() => tiles.count()).toBe(2);
    const outputs = await tiles.evaluateAll((els) => els.map((e) => e.getAttribute('data-output')));
    expect(outputs).toEqual(['word-swap_000.png', 'word-swap_001.png']);
    // Each picture says the seed it was sampled with.
    const seed = (await editorDocument(page)).nodes.find((n) => n.id === 'capture')!.params.seed ?? 0;
    expect(await tiles.first().locator('.when').textContent()).toMatch(new RegExp(` · seed ${String(seed)}$`));

    await gallery.getByTestId('gallery-new-board').fill('Best');
    await gallery.getByTestId('gallery-new-board').press('Enter');
    await gallery.getByTestId('gallery-board-Best').waitFor();
    await tiles.nth(1).getByTestId('gallery-add').selectOption({ label: 'Best' });
    await tiles.nth(1).getByTestId('gallery-chip').waitFor();
    // The board's count follows once the boards are listed again (after the chip shows).
    await expect.poll(() => gallery.getByTestId('gallery-board-Best').textContent()).toContain('1');

    // The board's view holds that picture only.
    await gallery.getByTestId('gallery-board-Best').click();
    await expect.poll(() => tiles.count()).toBe(1);
    expect(await tiles.first().getAttribute('data-output')).toBe('word-swap_001.png');
    await screenshot(page, 'gallery-board');

    // Edited further from the gallery: the blue circle, under its own prompt.
    await tiles.first().getByTestId('gallery-edit').click();
    await node(page, 'invert').waitFor();
    const doc = await editorDocument(page);
    expect(doc.nodes.filter((n) => n.type === 'ptp.prompt').map((n) => n.params.text)).toEqual([
      'a blue circle',
      'a blue circle',
    ]);

    // Taken off the board, then the board deleted; the pictures stay with their run.
    await page.getByTestId('open-gallery').click();
    await gallery.getByTestId('gallery-board-Best').click();
    await tiles.first().getByTestId('gallery-chip').click();
    await gallery.locator('.hint', { hasText: 'no pictures on this board yet' }).waitFor();
    // Renamed (the name asked in the page), then deleted.
    await gallery.getByTestId('gallery-rename-Best').click();
    expect(await page.getByTestId('ask-input').inputValue()).toBe('Best');
    await page.getByTestId('ask-input').fill('Keepers');
    await page.getByTestId('ask-input').press('Enter');
    await gallery.getByTestId('gallery-board-Keepers').waitFor();
    await gallery.getByTestId('gallery-delete-Keepers').click();
    await expect.poll(() => gallery.getByTestId('gallery-board-Keepers').count()).toBe(0);
    await gallery.getByTestId('gallery-all').click();
    await expect.poll(() => tiles.count()).toBe(2);
  });
});
