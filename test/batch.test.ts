import { StudioRest } from '@ptp/graph-core/client';
import { describe, expect, it } from 'vitest';
import { screenshot } from './support/browser.js';
import { node, openEditor } from './support/editorPage.js';
import { useEditorServer } from './support/editorServer.js';

// Batch from the editor (server mode): the word swap queued for two rows of prompts, two seeds
// each; a bad row is named before anything is queued; the runs land in History and the Gallery.

const studio = useEditorServer();

describe('batch', () => {
  it('queues a workflow for rows of prompts and stepped seeds; bad rows are named first', async () => {
    const { page } = await openEditor(studio.browser, `${studio.server.url}/?template=tiny-word-swap`);
    await node(page, 'capture').waitFor();
    await page.getByTestId('open-batch').click();
    const dialog = page.getByTestId('batch');
    // Where the runs go is said, as Run may be set to the page's runner.
    expect(await dialog.getByTestId('batch-where').textContent()).toMatch(/server's queue/);
    await dialog.getByTestId('batch-count').fill('2');
    // The same seeds twice would make the same run twice: said before anything is queued.
    await dialog.getByTestId('batch-seeds').selectOption('fixed');
    await expect
      .poll(() => dialog.getByTestId('batch-repeats').textContent())
      .toMatch(/^1 of these runs repeat another/);
    await dialog.getByTestId('batch-seeds').selectOption('increment');
    await dialog.getByTestId('batch-repeats').waitFor({ state: 'detached' });
    // The rows example names this graph's own prompt nodes, and its Local blend's words, which must follow them.
    expect(await dialog.getByTestId('batch-rows').getAttribute('placeholder')).toMatch(
      /^source\.text,target1\.text,blend1\.sourceWords,blend1\.targetWords\n/,
    );
    await dialog.getByTestId('batch-prompts').click();
    expect(await dialog.getByTestId('batch-rows').inputValue()).toBe(
      'source.text,target1.text,blend1.sourceWords,blend1.targetWords\na red circle,a blue circle,circle,circle\n',
    );

    // A column for a node the graph lacks, and a number param given text: named, nothing queued.
    await dialog.getByTestId('batch-rows').fill('source.text,capture.steps,nosuch.text\na red square,many,x\n');
    const problems = dialog.getByTestId('batch-problems');
    await expect.poll(() => problems.textContent()).toContain('row 1, capture.steps takes a number, got "many"');
    expect(await problems.textContent()).toContain('row 1, "nosuch.text": no node "nosuch" in the graph');
    expect(await dialog.getByTestId('batch-queue').isDisabled()).toBe(true);
    // Within the schema but beyond the param's bounds: found by validating each run.
    await dialog.getByTestId('batch-rows').fill('capture.steps\n9999\n');
    await expect.poll(() => problems.textContent()).toMatch(/seed 7: .*steps/);
    // Within the param's bounds but over the server's own limit: told before Queue, as the server would.
    await dialog.getByTestId('batch-rows').fill('capture.steps\n300\n');
    await expect.poll(() => problems.textContent()).toMatch(/steps = 300 is over this server's limit of \d+/);
    expect(await dialog.getByTestId('batch-queue').isDisabled()).toBe(true);

    // Prompts without the local blend's word: each run is validated as a run would be.
    await dialog.getByTestId('batch-rows').fill('source.text,target1.text\na red square,a blue square\n');
    await expect
      .poll(() => problems.locator('li').allTextContents())
      .toEqual([
        'row 1 · seed 7: blend1 (sourceWords): "circle" not in the prompt "a red square"',
        'row 1 · seed 7: blend1 (targetWords): "circle" not in the prompt "a blue square"',
      ]);
    // With the words following the prompts (a list cell: words separated by spaces), the row checks out.
    await dialog
      .getByTestId('batch-rows')
      .fill(
        'source.text,target1.text,blend1.sourceWords,blend1.targetWords\na red square,a blue square,square,square\n',
      );
    await problems.waitFor({ state: 'detached' });
    await dialog
      .getByTestId('batch-rows')
      .fill('source.text,target1.text\na red circle,a blue circle\n"a green circle","a yellow circle"\n');
    const summary = dialog.getByTestId('batch-summary');
    await expect.poll(() => summary.getAttribute('data-runs')).toBe('4');
    expect(await summary.textContent()).toContain('row 1 · seed 7, row 1 · seed 8, row 2 · seed 7, row 2 · seed 8');
    await screenshot(page, 'batch-dialog');
    await dialog.getByTestId('batch-queue').click();
    await page.locator('[data-testid=notice][data-tag=batch-queued]').waitFor();
    await page.getByTestId('history').waitFor();

    // On the server: four runs, each with its row's prompts and its seed, all succeeding.
    const rest = new StudioRest({ baseUrl: studio.server.url });
    const batch = async () => (await rest.listRuns({ limit: 50 })).filter((r) => r.name.includes(' · seed '));
    await expect
      .poll(async () => (await batch()).map((r) => r.status).join(), { timeout: 240_000 })
      .toBe('succeeded,succeeded,succeeded,succeeded');
    const settings = await Promise.all(
      (await batch()).map(async (r) => {
        const wf = (await rest.getRun(r.id)).workflow as { nodes: { id: string; params: Record<string, unknown> }[] };
        const p = (id: string) => wf.nodes.find((n) => n.id === id)!.params;
        return `${p('source').text} -> ${p('target1').text} @ ${p('capture').seed}`;
      }),
    );
    expect(settings.sort()).toEqual([
      'a green circle -> a yellow circle @ 7',
      'a green circle -> a yellow circle @ 8',
      'a red circle -> a blue circle @ 7',
      'a red circle -> a blue circle @ 8',
    ]);
    const gallery = await rest.gallery({ limit: 50 });
    expect(gallery.items.length).toBe(8);

    // History groups the batch: a run's chip shows only its batch, with how far it got.
    const history = page.getByTestId('history');
    /**
     * Queues `count` runs of the open workflow from the Batch dialog, all at `steps` capture steps and
     * 128 px; History opens. Runs of tens of seconds even on a fast machine, so one is still running,
     * and the rest waiting, when the test acts on them (at the pack's own 32 px a run of 120 steps
     * ended in about a second, before the next click).
     */
    const queueStepsBatch = async (count: number, steps: number) => {
      await page.getByTestId('open-batch').click();
      await dialog.getByTestId('batch-count').fill(String(count));
      await dialog.getByTestId('batch-rows').fill(`capture.steps,capture.width,capture.height\n${steps},128,128\n`);
      await expect.poll(() => summary.getAttribute('data-runs')).toBe(String(count));
      await dialog.getByTestId('batch-queue').click();
      await history.waitFor();
    };
    // A status filter set before is dropped: the bar sums up the whole batch.
    await history.getByTestId('history-status').selectOption('succeeded');
    await history.getByTestId('history-batch').first().click();
    expect(await history.getByTestId('history-status').inputValue()).toBe('');
    const bar = history.getByTestId('history-batch-bar');
    await expect.poll(() => bar.textContent()).toContain('Batch of 4: 0 waiting · 0 running · 4 succeeded');
    expect(await history.locator('.history-row').count()).toBe(4);
    // A search narrows the list, not the bar: it still sums up the whole batch, and says the list is searched.
    await history.getByTestId('history-search').fill('no run is called this');
    await expect.poll(() => history.locator('.history-row').count()).toBe(0);
    await expect.poll(() => bar.textContent()).toContain('the list below is searched within this batch');
    expect(await bar.textContent()).toContain('Batch of 4: 0 waiting · 0 running · 4 succeeded');
    await history.getByTestId('history-search').fill('');
    await expect.poll(() => history.locator('.history-row').count()).toBe(4);
    expect(await bar.getByTestId('history-batch-cancel').isDisabled()).toBe(true);
    await bar.getByTestId('history-batch-leave').click();
    await history.locator('[data-testid=history-batch-bar]').waitFor({ state: 'detached' });
    await history.getByRole('button', { name: 'close' }).click();

    // A second batch, its rest cancelled from History: nothing of it is left waiting or running.
    // More steps than the first batch: nothing is cached, so the runs take a while (the first is
    // still running when the rest is cancelled, and is cancelled with it).
    await queueStepsBatch(6, 200);
    await history.locator('[data-testid=history-batch]', { hasText: 'of 6' }).first().click();
    await expect.poll(() => bar.textContent()).toMatch(/Batch of 6: /);
    await screenshot(page, 'batch-history');
    await bar.getByTestId('history-batch-cancel').click();
    await expect.poll(() => bar.textContent(), { timeout: 60_000 }).toMatch(/0 waiting · 0 running/);
    const second = (await rest.listRuns({ limit: 50 })).filter((r) => r.batch?.size === 6);
    expect(second).toHaveLength(6);
    expect(second.map((r) => r.status)).toEqual(Array(6).fill('cancelled'));
    // Re-run of a cancelled run from the batch's view: a new try in the batch, in its place (the bar
    // counts the batch's runs by their latest try). The try itself is not needed: cancelled too.
    const cancelled = second[0]!;
    await history.locator(`[data-testid=history-${cancelled.id}]`).getByTestId('history-rerun').click();
    await expect.poll(() => bar.textContent()).toMatch(/Batch of 6: .* · 1 retried/);
    const retry = (await rest.listRuns({ limit: 50 })).find((r) => r.resubmittedFrom === cancelled.id)!;
    expect(retry.batch).toEqual(cancelled.batch);
    await rest.cancelRun(retry.id);
    await expect
      .poll(() => bar.textContent(), { timeout: 60_000 })
      .toMatch(/Batch of 6: 0 waiting · 0 running · 0 succeeded · 6 failed or cancelled · 1 retried/);

    // Clear queue: every waiting run is cancelled, whichever batch it is in; the running one goes on.
    await bar.getByTestId('history-batch-leave').click();
    await history.getByRole('button', { name: 'close' }).click();
    await queueStepsBatch(3, 150);
    // While the first runs, the other two wait with live places (the server's order, not the
    // place each had when queued: the second was #2 then), and the button counts them.
    await expect
      .poll(
        async () => [
          await history.locator('.history-row.queued .status').allTextContents(),
          await history.getByTestId('history-clear-queue').textContent(),
        ],
        { timeout: 30_000 },
      )
      .toEqual([['queued (#2)', 'queued (#1)'], 'Clear queue (2)']);
    await history.getByTestId('history-clear-queue').click();
    await page.getByText(/Cancelled [23] waiting runs/).waitFor();
    await screenshot(page, 'history-clear-queue');
    expect(await rest.listRuns({ status: 'queued' })).toEqual([]);
    const third = (await rest.listRuns({ limit: 50 })).filter((r) => r.batch?.size === 3);
    expect(third.map((r) => r.status).sort()).toEqual(['cancelled', 'cancelled', 'running']);
    // It is stopped here, so the next batch does not wait for it.
    await rest.cancelRun(third.find((r) => r.status === 'running')!.id);

    // Run next: the editor's own run goes ahead of a batch waiting on the server.
    await history.getByRole('button', { name: 'close' }).click();
    await queueStepsBatch(2, 120);
    await history.getByRole('button', { name: 'close' }).click();
    const status = page.getByTestId('run-status');
    const before = await status.getAttribute('data-run');
    await page.getByTestId('run-front').click();
    // Queued behind the batch's first run and ahead of its second; that first run is then cancelled,
    // so the editor's run starts without waiting for it.
    await expect.poll(async () => (await rest.listRuns({ status: 'queued' })).some((r) => !r.batch)).toBe(true);
    const ahead = (await rest.listRuns({ limit: 50 })).find((r) => r.batch?.size === 2 && r.batch.index === 0)!;
    await rest.cancelRun(ahead.id);
    await expect
      .poll(async () => [await status.getAttribute('data-phase'), (await status.getAttribute('data-run')) !== before], {
        timeout: 60_000,
      })
      .toEqual(['success', true]);
    const all = await rest.listRuns({ limit: 50 });
    const mine = all.find((r) => !r.batch)!;
    const behind = all.find((r) => r.batch?.size === 2 && r.batch.index === 1)!;
    expect(mine.createdAt > behind.createdAt).toBe(true);
    // The batch's second run was waiting when Run next was pressed: it starts after the editor's run, if at all.
    expect(!behind.startedAt || mine.startedAt! < behind.startedAt).toBe(true);
    // What is left of the batch, waiting or (started after the editor's run) running.
    await rest.cancelBatch(behind.batch!.id);

    // Pause queue: the editor's run waits (queued) until Resume queue.
    await page.getByTestId('open-history').click();
    await history.getByTestId('history-pause').click();
    await history.getByTestId('history-paused').waitFor();
    expect(await history.getByTestId('history-pause').textContent()).toBe('Resume queue');
    await history.getByRole('button', { name: 'close' }).click();
    await page.getByTestId('run').click();
    await expect.poll(async () => (await rest.listRuns({ status: 'queued' })).length).toBe(1);
    const waitingId = (await rest.listRuns({ status: 'queued' }))[0]!.id;
    // The toolbar says why it waits, and History's badge counts the waiting run.
    await page.getByTestId('run-queue-paused').waitFor();
    await expect.poll(() => page.getByTestId('queue-badge').textContent()).toBe('1 · paused');
    expect((await rest.getRun(waitingId)).status).toBe('queued');
    await page.getByTestId('open-history').click();
    await history.locator(`[data-testid=history-${waitingId}][data-status=queued]`).waitFor();
    await screenshot(page, 'history-paused');
    await history.getByTestId('history-pause').click();
    await history.locator('[data-testid=history-paused]').waitFor({ state: 'detached' });
    await page.locator('[data-testid=run-queue-paused]').waitFor({ state: 'detached', timeout: 60_000 });
    await page.locator('[data-testid=queue-badge]').waitFor({ state: 'detached', timeout: 60_000 });
    await expect.poll(async () => (await rest.getRun(waitingId)).status, { timeout: 60_000 }).toBe('succeeded');
  });
});
