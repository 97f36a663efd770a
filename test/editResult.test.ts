import type { StudioServer } from '@ptp/runner/server/createStudioServer';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUiBuilt, launchBrowser, screenshot } from './support/browser.js';
import { editorDocument, node, openEditor, waitForRunEnd } from './support/editorPage.js';
import { startServer } from './support/studioServer.js';

// Editing a result further, turn after turn, from the results panel: the picture is uploaded,
// inverted under the prompt it was made from, and edited again.

let browser: Browser;
let server: StudioServer;

beforeAll(async () => {
  server = await startServer({ uiDir: await ensureUiBuilt() });
  browser = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
}, 60_000);

/** Runs the open graph; returns the RGBA pixels of the results panel's pictures, in order. */
async function runPixels(page: Page): Promise<number[][]> {
  await page.getByTestId('run').click();
  expect(await waitForRunEnd(page), (await page.locator('[data-testid=notice]').allTextContents()).join('\n')).toBe(
    'success',
  );
  const images = page.getByTestId('results-panel').getByTestId('result-image');
  await images.first().waitFor();
  const urls = await images.evaluateAll((els) => els.map((e) => (e as HTMLImageElement).src));
  return page.evaluate(async (list) => {
    const out: number[][] = [];
    for (const url of list) {
      const img = new Image();
      img.src = url;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      c.getContext('2d')!.drawImage(img, 0, 0);
      out.push(Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data));
    }
    return out;
  }, urls);
}

const meanAbsDiff = (a: number[], b: number[]) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

describe('edit a result further', () => {
  it('takes an edit into the real-image edit under its own prompt, and edits it again', async () => {
    const { page } = await openEditor(browser, `${server.url}/?template=word-swap`);
    await node(page, 'capture').waitFor();
    const [, blue] = await runPixels(page);

    // The edit (picture 1, "a blue circle") becomes the picture to edit.
    await page.getByTestId('results-panel').getByTestId('edit-result').nth(1).click();
    await node(page, 'invert').waitFor();
    const doc = await editorDocument(page);
    expect(doc.metadata.name).toBe('Edit of Word swap (reference defaults)');
    const params = (type: string, i = 0) => doc.nodes.filter((n) => n.type === type)[i]!.params;
    expect(params('ptp.prompt', 0).text).toBe('a blue circle');
    expect(params('ptp.prompt', 1).text).toBe('a blue circle');
    expect(params('ptp.loadModel').pack).toBe('tiny-shapes');
    // Uploaded to the server like any picture.
    const upload = params('ptp.loadImage').upload as string;
    expect(upload).toMatch(/^[0-9a-f]{64}$/);
    expect((await fetch(`${server.url}/api/uploads/${upload}`)).status).toBe(200);

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
