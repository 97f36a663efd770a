import type { StudioClient } from '@ptp/graph-core/client';
import type { CatalogueIndex } from '../model/catalogueIndex';

const fetchJson = async (url: string) => (await fetch(url)).json() as Promise<Record<string, unknown>>;

/**
 * The ids of the packs the runner can load: the server's, or on a static host the bundled ones
 * (`packs/index.json`). Undefined when the list cannot be read: then nothing is checked against it.
 */
export async function packIds(server?: StudioClient): Promise<string[] | undefined> {
  try {
    if (server) return (await server.models()).packs.map((p) => p.id);
    const listed = (await fetchJson('packs/index.json')).packs;
    return Array.isArray(listed) ? listed.filter((p): p is string => typeof p === 'string') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The sample prompt of the pack new graphs use (Load model's default pack, else the first): from
 * the server's pack list, or from the bundled pack's manifest on a static host. Undefined when
 * the pack names none or cannot be read.
 */
export async function samplePrompt(index: CatalogueIndex, server?: StudioClient): Promise<string | undefined> {
  const wanted = index.byType.get('ptp.loadModel')?.defaults.pack;
  try {
    if (server) {
      const { packs } = await server.models();
      return (packs.find((p) => p.id === wanted) ?? packs[0])?.samplePrompt;
    }
    const ids = (await packIds()) ?? [];
    const id = ids.find((p) => p === wanted) ?? ids[0];
    if (!id) return undefined;
    const manifest = await fetchJson(`packs/${encodeURIComponent(id)}/ptp-manifest.json`);
    return typeof manifest.samplePrompt === 'string' ? manifest.samplePrompt.slice(0, 500) : undefined;
  } catch {
    return undefined;
  }
}
