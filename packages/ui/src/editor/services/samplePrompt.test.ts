import type { StudioClient } from '@ptp/graph-core/client';
import { describe, expect, it } from 'vitest';
import { EditorStore } from '../model/EditorStore';
import { testIndex, testRegistry } from '../model/testSupport';
import { listPacks, samplePrompt } from './samplePrompt';

const serverWith = (packs: { id: string; samplePrompt?: string }[]) =>
  ({
    models: async () => ({ packs: packs.map((p) => ({ name: p.id, defaultImageSize: 64, ...p })) }),
  }) as unknown as StudioClient;

const packIds = async (server: StudioClient) => (await listPacks(server))?.map((p) => p.id);
const serverPrompt = async (index: ReturnType<typeof testIndex>, server: StudioClient) =>
  samplePrompt(index, await listPacks(server), true);

describe("the default pack's sample prompt", () => {
  it("is Load model's default pack's, else the first pack's, else none", async () => {
    const pack = testIndex().byType.get('ptp.loadModel')!.defaults.pack as string;
    expect(
      await serverPrompt(
        testIndex(),
        serverWith([
          { id: 'other', samplePrompt: 'a cat' },
          { id: pack, samplePrompt: 'a green square' },
        ]),
      ),
    ).toBe('a green square');
    expect(await serverPrompt(testIndex(), serverWith([{ id: 'other', samplePrompt: 'a cat' }]))).toBe('a cat');
    expect(await serverPrompt(testIndex(), serverWith([{ id: pack }]))).toBeUndefined();
  });

  it('becomes the text of new Prompt nodes, and nothing else', () => {
    const store = new EditorStore({ index: testIndex(), registry: testRegistry() });
    store.setNodeDefaults('ptp.prompt', { text: 'a green square' });
    const id = store.addNode('ptp.prompt', { x: 0, y: 0 })!;
    const blend = store.addNode('ptp.blend', { x: 0, y: 0 })!;
    const nodes = store.document().nodes;
    expect(nodes.find((n) => n.id === id)!.params).toEqual({ text: 'a green square' });
    expect(nodes.find((n) => n.id === blend)!.params).toMatchObject({ k: 0.3 });
  });
});

describe('the packs the runner has', () => {
  it("are the server's, and a Load model naming another is a problem on its pack field until it names one", async () => {
    const ids = await packIds(serverWith([{ id: 'tiny-shapes' }, { id: 'tiny-scenes' }]));
    expect(ids).toEqual(['tiny-shapes', 'tiny-scenes']);
    expect(await packIds({ models: () => Promise.reject(new Error('offline')) } as unknown as StudioClient)).toBe(
      undefined,
    );
    const store = new EditorStore({ index: testIndex(), registry: testRegistry() });
    const model = store.addNode('ptp.loadModel', { x: 0, y: 0 })!;
    store.setParam(model, 'pack', 'tiny-shpaes');
    const packProblems = () =>
      (store.getState().problems.byNode.get(model)?.params.pack ?? []).filter((e) => e.code === 'UNKNOWN_PACK');
    expect(packProblems()).toEqual([]);
    store.setPacks(ids);
    expect(store.getState().packs).toEqual(ids);
    expect(packProblems()).toEqual([
      expect.objectContaining({
        param: 'pack',
        message: 'there is no model pack “tiny-shpaes” here; the packs are: tiny-shapes, tiny-scenes',
      }),
    ]);
    store.setParam(model, 'pack', 'tiny-shapes');
    expect(packProblems()).toEqual([]);
    // Opening another workflow keeps the list (the field still offers it).
    store.newDocument();
    expect(store.getState().packs).toEqual(ids);
  });
});
