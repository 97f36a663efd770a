import { CORE_SOCKET_TYPES, type Catalogue, type CatalogueEntry, type SocketTypeSpec } from '@ptp/graph-core';

/** The catalogue with lookups the editor needs on every render: by type, by category, socket rules. */
export interface CatalogueIndex {
  readonly catalogue: Catalogue;
  readonly byType: ReadonlyMap<string, CatalogueEntry>;
  /** Categories in first-seen order, each with its entries in catalogue order. */
  readonly categories: readonly { name: string; entries: readonly CatalogueEntry[] }[];
  canConnect(from: string, to: string): boolean;
  colorOf(type: string): string;
}

export function indexCatalogue(catalogue: Catalogue): CatalogueIndex {
  const byType = new Map(catalogue.nodes.map((n) => [n.type, n]));
  const cats = new Map<string, CatalogueEntry[]>();
  for (const n of catalogue.nodes) cats.set(n.category, [...(cats.get(n.category) ?? []), n]);
  // The catalogue carries the rules so a client of a newer server follows the server's; graph-core's
  // generic types are the fallback for socket types the catalogue does not list.
  const compat = catalogue.sockets.compatibility as Partial<Record<string, readonly string[]>>;
  const core = CORE_SOCKET_TYPES as Partial<Record<string, SocketTypeSpec>>;
  return {
    catalogue,
    byType,
    categories: [...cats].map(([name, entries]) => ({ name, entries })),
    canConnect(from, to) {
      if (from === to || to === 'ANY') return true;
      const widen = compat[from] ?? core[from]?.widensTo;
      return widen?.includes(to) ?? false;
    },
    colorOf(type) {
      return catalogue.sockets.colors[type] ?? core[type]?.color ?? '#999999';
    },
  };
}

/** A search's words, lowercased. */
export const searchTerms = (query: string): string[] => query.toLowerCase().split(/\s+/).filter(Boolean);

/** Whether every term is in one of `texts` (case-insensitive). */
export function hasAllTerms(terms: readonly string[], ...texts: string[]): boolean {
  const hay = texts.join(' ').toLowerCase();
  return terms.every((t) => hay.includes(t));
}

/**
 * What ComfyUI and InvokeAI users type for a studio node type: the palette finds it by those names
 * too ("ksampler", "checkpoint", "clip text encode").
 */
const OTHER_NAMES: Readonly<Record<string, string>> = {
  'ptp.loadModel': 'checkpoint loader ckpt load checkpoint model loader',
  'ptp.prompt': 'clip text encode conditioning positive negative',
  'ptp.textToImage': 'ksampler sampler generate txt2img',
  'ptp.captureSource': 'ksampler sampler',
  'ptp.editSampler': 'ksampler sampler',
  'ptp.decode': 'vae decode',
  'ptp.vaeEncode': 'img2img',
  'ptp.saveImage': 'output',
  'ptp.previewImage': 'output',
  'ptp.invert': 'ddim inversion',
};

/**
 * Palette search: every whitespace-separated term must occur in the title, type, category,
 * description, a socket's type or name, a param, or a name other tools use (case-insensitive).
 * Title matches rank first.
 */
export function searchCatalogue(index: CatalogueIndex, query: string): CatalogueEntry[] {
  const terms = searchTerms(query);
  if (!terms.length) return [...index.catalogue.nodes];
  const scored: { entry: CatalogueEntry; score: number }[] = [];
  for (const entry of index.catalogue.nodes) {
    const title = entry.title.toLowerCase();
    const sockets = [...Object.entries(entry.inputs), ...Object.entries(entry.outputs)].map(
      ([name, s]) => `${s.type} ${name}`,
    );
    // A node package's name finds its types too, and so does a param ("seed" finds the samplers).
    const params = Object.keys((entry.params as { properties?: object }).properties ?? {});
    const found = hasAllTerms(
      terms,
      title,
      entry.type,
      entry.category,
      entry.description,
      ...sockets,
      entry.origin?.package ?? '',
      OTHER_NAMES[entry.type] ?? '',
      ...params,
    );
    if (!found) continue;
    const score = terms.reduce((s, t) => s + (title.startsWith(t) ? 3 : title.includes(t) ? 2 : 0), 0);
    scored.push({ entry, score });
  }
  return scored.sort((a, b) => b.score - a.score).map((s) => s.entry);
}

/** A readable unique node id from its type: `ptp.prompt` -> `prompt`, `prompt_2`, ... */
export function newNodeId(type: string, taken: ReadonlySet<string>): string {
  // A block node is named after its block (`subgraph:cl-p2p-edit` -> `cl-p2p-edit`).
  const name = type.startsWith('subgraph:') ? type.slice('subgraph:'.length) : (type.split('.').pop() ?? type);
  const base = name.replace(/[^A-Za-z0-9_-]/g, '') || 'node';
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}
