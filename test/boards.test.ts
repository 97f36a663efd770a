import { GalleryResponseSchema } from '@ptp/graph-core';
import { StudioApiError, type StudioClient } from '@ptp/graph-core/client';
import type { StudioServer } from '@ptp/runner/server/createStudioServer';
import { describe, expect, it } from 'vitest';
import { generateWorkflow, promptWorkflow, rawRequest, useStudioServer } from './support/studioServer.js';

// Boards of result pictures over the API (real server, worker, onnxruntime, SQLite): the gallery
// lists what succeeded runs made, boards collect pictures, a deleted run leaves every board.

let server: StudioServer;
let client: StudioClient;
useStudioServer(
  () => ({}),
  (s, c) => {
    server = s;
    client = c;
  },
);

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof StudioApiError ? `${e.status} ${e.code}` : String(e)),
  );

describe('boards and the gallery', () => {
  it('lists the pictures of succeeded runs, puts them on boards and takes a deleted run off them', async () => {
    const first = await (await client.submit({ workflow: generateWorkflow(2, 1) })).done;
    const second = await (await client.submit({ workflow: generateWorkflow(2, 2) })).done;
    // A run that made no picture adds nothing to the gallery.
    await (
      await client.submit({ workflow: promptWorkflow('no picture') })
    ).done;
    expect([first.status, second.status]).toEqual(['succeeded', 'succeeded']);

    const all = await client.gallery();
    expect(all.items.map((i) => i.runId)).toEqual([second.id, first.id]);
    expect(all.items[0]).toMatchObject({ mime: 'image/png', workflowName: expect.any(String), boards: [] });
    // Paged by run.
    const page1 = await client.gallery({ limit: 1 });
    expect(page1.items.map((i) => i.runId)).toEqual([second.id]);
    expect((await client.gallery({ limit: 1, before: page1.next!.before! })).items[0]!.runId).toBe(first.id);

    const keep = await client.createBoard('Keepers');
    const pic = { runId: first.id, output: all.items[1]!.output };
    expect((await client.addToBoard(keep.id, pic)).count).toBe(1);
    expect((await client.addToBoard(keep.id, pic)).count).toBe(1);
    await client.addToBoard(keep.id, { runId: second.id, output: all.items[0]!.output });
    const board = await client.gallery({ board: keep.id });
    expect(board.items.map((i) => i.runId)).toEqual([second.id, first.id]);
    expect(board.items.every((i) => i.boards.includes(keep.id))).toBe(true);
    expect((await client.gallery()).items.find((i) => i.runId === first.id)!.boards).toEqual([keep.id]);

    await client.deleteRun(first.id);
    expect((await client.gallery({ board: keep.id })).items.map((i) => i.runId)).toEqual([second.id]);
    expect((await client.boards()).find((b) => b.id === keep.id)!.count).toBe(1);

    expect((await client.renameBoard(keep.id, 'Best')).name).toBe('Best');
    await client.removeFromBoard(keep.id, { runId: second.id, output: all.items[0]!.output });
    expect((await client.gallery({ board: keep.id })).items).toEqual([]);
    await client.deleteBoard(keep.id);
    expect(await client.boards()).toEqual([]);
    // The runs stay.
    expect((await client.getRun(second.id)).status).toBe('succeeded');
  });

  it('answers bad requests with codes and changes nothing', async () => {
    const run = await (await client.submit({ workflow: generateWorkflow(2, 3) })).done;
    const board = await client.createBoard('Checks');
    expect(await codeOf(client.createBoard('checks'))).toBe('409 CONFLICT');
    expect(await codeOf(client.createBoard('   '))).toBe('400 BAD_REQUEST');
    expect(await codeOf(client.addToBoard(board.id, { runId: 'nope', output: 'x.png' }))).toBe('404 UNKNOWN_RUN');
    expect(await codeOf(client.addToBoard(board.id, { runId: run.id, output: 'missing.png' }))).toBe(
      '404 UNKNOWN_OUTPUT',
    );
    expect(await codeOf(client.addToBoard('unknown', { runId: run.id, output: run.outputs[0]!.name }))).toBe(
      '404 UNKNOWN_BOARD',
    );
    expect(await codeOf(client.gallery({ board: 'unknown' }))).toBe('404 UNKNOWN_BOARD');
    expect(await codeOf(client.gallery({ limit: 100000 }))).toBe('400 BAD_REQUEST');
    const bad = await rawRequest(server.port, {
      method: 'POST',
      path: `/api/boards/${board.id}/items`,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ runId: run.id, output: 'x.png', extra: { deep: [[[1]]] } }),
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.code).toBe('BAD_REQUEST');
    expect((await client.boards()).find((b) => b.id === board.id)!.count).toBe(0);
    expect(GalleryResponseSchema.parse(await client.gallery()).items.length).toBeGreaterThan(0);
  });
});
