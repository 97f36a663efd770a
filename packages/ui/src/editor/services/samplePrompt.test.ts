import type { StudioClient } from '@ptp/graph-core/client';
import { describe, expect, it } from 'vitest';
import { EditorStore } from '../model/EditorStore';
import { testIndex, testRegistry } from '../model/testSupport';
import { samplePrompt } from './samplePrompt';

const serverWith = (packs: { id: string; samplePrompt?: string }[]) =>
  ({
    models: async () => ({ packs: packs.map((p) => ({ name: p.id, defaultImageSize: 64, ...p })) }),
  }) as unknown as StudioClient;

describe("the default pack's sample prompt", () => {
  it("is Load model's default pack's, else the first pack's, else none", async () => {
    const pack = testIndex().byType.get('ptp.loadModel')!.defaults.pack as string;
    expect(
      await samplePrompt(
        testIndex(),
        serverWith([
          { id: 'other', samplePrompt: 'a cat' },
          { id: pack, samplePrompt: 'a green square' },
        ]),
      ),
    ).toBe('a green square');
    expect(await samplePrompt(testIndex(), serverWith([{ id: 'other', samplePrompt: 'a cat' }]))).toBe('a cat');
    expect(await samplePrompt(testIndex(), serverWith([{ id: pack }]))).toBeUndefined();
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
