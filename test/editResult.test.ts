import { describe, expect, it } from 'vitest';
import { screenshot } from './support/browser.js';
import type { Page } from 'playwright-core';
import { dropFile, editorDocument, node, openEditor, runPixels } from './support/editorPage.js';
import { useEditorServer } from './support/editorServer.js';

// Editing a result further, turn after turn, from the results panel: the picture is uploaded,
// inverted under the prompt it was made from, and edited again.

const studio = useEditorServer();

/** The width of the picture a Load image node shows (0 while there is none). */
const previewWidth = (page: Page, nodeId: string) =>
  node(page, nodeId)
    .getByTestId('upload-preview')
    .evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0), undefined, { timeout: 1000 })
    .catch(() => 0);

const meanAbsDiff = (a: number[], b: number[]) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

describe('edit a result further', () => {
  it('takes an edit into the real-image edit under its own prompt, and edits it again', async () => {
    const { page } = await openEditor(studio.browser, `${studio.server.url}/?template=tiny-word-swap`);
    await node(page, 'capture').waitFor();
    const [, blue] = await runPixels(page);

    // The edit (picture 1, "a blue circle") becomes the picture to edit.
    await page.getByTestId('results-panel').getByTestId('edit-result').nth(1).click();
    await node(page, 'invert').waitFor();
    const doc = await editorDocument(page);
    expect(doc.metadata.name).toBe('Edit of Word swap (reference defaults) · tiny-shapes');
    const params = (type: string, i = 0) => doc.nodes.filter((n) => n.type === type)[i]!.params;
    expect(params('ptp.prompt', 0).text).toBe('a blue circle');
    expect(params('ptp.prompt', 1).text).toBe('a blue circle');
    expect(params('ptp.loadModel').pack).toBe('tiny-shapes');
    // Uploaded to the server like any picture.
    const upload = params('ptp.loadImage').upload as string;
    expect(upload).toMatch(/^[0-9a-f]{64}$/);
    expect((await fetch(`${studio.server.url}/api/uploads/${upload}`)).status).toBe(200);
    // The node shows the picture (as ComfyUI's Load image does): here the one just uploaded, and in
    // a page that opens the workflow afresh, read back from the server.
    const loadId = doc.nodes.find((n) => n.type === 'ptp.loadImage')!.id;
    await expect.poll(() => previewWidth(page, loadId)).toBeGreaterThan(0);
    const { page: fresh } = await openEditor(studio.browser, `${studio.server.url}/?new`);
    await dropFile(fresh, 'edit.json', 'application/json', new TextEncoder().encode(JSON.stringify(doc)));
    await expect.poll(() => previewWidth(fresh, loadId)).toBeGreaterThan(0);
    await screenshot(fresh, 'load-image-preview');
    await fresh.close();

    // Second turn: blue -> green. The inverted source reproduces the picture it started from.
    const target = page.locator('[data-testid="param-target-text"] textarea');
    await target.fill('a green circle');
    await target.blur();
    const [source, green] = await runPixels(page);
    expect(meanAbsDiff(source!, blue!)).toBeLessThan(4);
    expect(meanAbsDiff(green!, blue!)).toBeGreaterThan(4);
    await screenshot(page, 'edit-result-second-turn');
  });
});
