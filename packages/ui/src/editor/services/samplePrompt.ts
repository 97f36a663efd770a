import type { StudioClient } from '@ptp/graph-core/client';
import type { CatalogueIndex } from '../model/catalogueIndex';

const fetchJson = async (url: string) => (await fetch(url)).json() as Promise<Record<string, unknown>>;

/** A pack the runner can load; the server's list gives its sample prompt, a static host's does not. */
export interface PackEntry {
  id: string;
  samplePrompt?: string | undefined;
}

/**
 * The packs the runner can load: the server's, or on a static host the bundled ones
 * (`packs/index.json`). Undefined when the list cannot be read: then nothing is checked against it.
 */
export async function listPacks(server?: StudioClient): Promise<PackEntry[] | undefined> {
  try {
    if (server) return (await server.models()).packs.map((p) => ({ id: p.id, samplePrompt: p.samplePrompt }));
    const listed = (await fetchJson('packs/index.json')).packs;
    return Array.isArray(listed)
      ? listed.filter((p): p is string => typeof p === 'string').map((id) => ({ id }))
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The sample prompt of the pack new graphs use (Load model's default pack, else the first of
 * `packs`): the server gives it with its list; on a static host it is read from the pack's
 * manifest. Undefined when the pack names none or cannot be read.
 */
export async function samplePrompt(
  index: CatalogueIndex,
  packs: readonly PackEntry[] | undefined,
  fromServer: boolean,
): Promise<string | undefined> {
  const wanted = index.byType.get('ptp.loadModel')?.defaults.pack;
  const pack = packs?.find((p) => p.id === wanted) ?? packs?.[0];
  if (!pack || fromServer) return pack?.samplePrompt;
  try {
    const manifest = await fetchJson(`packs/${encodeURIComponent(pack.id)}/ptp-manifest.json`);
    return typeof manifest.samplePrompt === 'string' ? manifest.samplePrompt.slice(0, 500) : undefined;
  } catch {
    return undefined;
  }
}
