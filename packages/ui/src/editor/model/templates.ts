import { loadDocument, type WorkflowDocument } from '@ptp/graph-core';

export interface Template {
  /** The example's file name without `.json`, e.g. `word-swap`. */
  id: string;
  name: string;
  description: string;
  tags: string[];
  document: WorkflowDocument;
}

// The presets in examples/ are bundled at build time: the gallery works offline and without a server.
const files = import.meta.glob('../../../../../examples/*.json', { eager: true, import: 'default' }) as Record<
  string,
  unknown
>;

function buildTemplates(): Template[] {
  const out: Template[] = [];
  for (const [path, raw] of Object.entries(files)) {
    const id = path.replace(/^.*\//, '').replace(/\.json$/, '');
    const loaded = loadDocument(raw);
    // A broken example is a bug in the repo (test/examples.test.ts catches it); the gallery skips it.
    if (!loaded.ok) continue;
    const doc = loaded.value;
    out.push({
      id,
      name: doc.metadata.name,
      description: doc.metadata.description,
      tags: doc.metadata.tags,
      document: doc,
    });
  }
  // Simple presets first: generation, then the word swap the reference starts with.
  const order = ['generate', 'word-swap', 'refine', 'reweight'];
  const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
  return out.sort((a, b) => rank(a.id) - rank(b.id) || a.name.localeCompare(b.name));
}

export const TEMPLATES: readonly Template[] = buildTemplates();

/** A fresh copy of a template's document (the gallery's copy must never be edited in place). */
export function templateDocument(id: string): WorkflowDocument | undefined {
  const t = TEMPLATES.find((x) => x.id === id);
  return t ? structuredClone(t.document) : undefined;
}
