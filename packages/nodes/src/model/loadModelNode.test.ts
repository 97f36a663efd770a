import { CACHE_BYTES, NodeRunError } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { fakeBackend, fakeContext, fakePack } from '../testing/fakePack.js';
import type { ModelPack } from '../runtime/InferenceBackend.js';
import { loadModelNode } from './loadModelNode.js';

const load = async (pack: string, backend: unknown) =>
  (await loadModelNode.run({}, loadModelNode.params.parse({ pack }), fakeContext({ backend }))) as { model: ModelPack };

describe('Load model node', () => {
  it('loads the pack by id from the backend; the output is a small handle to it for the cache', async () => {
    const pack = fakePack({ id: 'tiny-shapes' });
    const backend = fakeBackend([fakePack({ id: 'other' }), pack]);
    const { model } = await load('tiny-shapes', backend);
    expect(backend.loads).toEqual(['tiny-shapes']);
    expect(Object.getPrototypeOf(model)).toBe(pack);
    expect(model.id).toBe('tiny-shapes');
    expect(model.unet).toBe(pack.unet);
    expect((model as unknown as Record<symbol, number>)[CACHE_BYTES]).toBe(1024);
    expect(loadModelNode.summarize!({ model })).toEqual({ pack: 'tiny-shapes', tokenLength: 77, layers: 4 });
  });

  it('names the pack param when the backend has no such pack, and asks for a backend when there is none', async () => {
    const missing = await load('nope', fakeBackend()).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NodeRunError);
    expect(missing).toMatchObject({ param: 'pack', message: expect.stringContaining('"nope"') });
    await expect(load('fake', undefined)).rejects.toThrow(/needs a model backend/);
  });

  it('takes pack ids only, never paths, and defaults to the bundled tiny-scenes', () => {
    expect(loadModelNode.params.parse({})).toEqual({ pack: 'tiny-scenes' });
    for (const bad of ['../models/packs/x', '/etc', 'Tiny', 'a/b', '', '.hidden'])
      expect(loadModelNode.params.safeParse({ pack: bad }).success, bad).toBe(false);
  });
});
