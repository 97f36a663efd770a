import type { StudioClient } from '@ptp/graph-core/client';
import type { CatalogueIndex } from '../model/catalogueIndex';

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
    const listed = (await (await fetch('packs/index.json')).json()) as { packs?: unknown };
    const ids = Array.isArray(listed.packs) ? listed.packs.filter((p): p is string => typeof p === 'string') : [];
    const id = ids.find((p) => p === wanted) ?? ids[0];
    if (!id) return undefined;
    const manifest = (await (await fetch(`packs/${encodeURIComponent(id)}/ptp-manifest.json`)).json()) as {
      samplePrompt?: unknown;
    };
    return typeof manifest.samplePrompt === 'string' ? manifest.samplePrompt.slice(0, 500) : undefined;
  } catch {
    return undefined;
  }
}
