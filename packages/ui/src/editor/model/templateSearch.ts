import type { Template } from './templates';
import { hasAllTerms, searchTerms } from './catalogueIndex';

/**
 * The templates a gallery search finds: every word must be in the name, description, tags, the
 * node types it uses ("blend" finds every template with a Local blend) or the model packs it loads.
 * Name matches come first; otherwise the gallery's order is kept.
 */
export function templateMatches(templates: readonly Template[], query: string): Template[] {
  const terms = searchTerms(query);
  if (!terms.length) return [...templates];
  const found = templates.filter((t) =>
    hasAllTerms(
      terms,
      t.name,
      t.description,
      t.tags.join(' '),
      t.document.nodes.map((n) => n.type).join(' '),
      t.document.nodes.map((n) => (typeof n.params?.pack === 'string' ? n.params.pack : '')).join(' '),
    ),
  );
  const inName = (t: Template) => (hasAllTerms(terms, t.name) ? 0 : 1);
  return found.sort((a, b) => inName(a) - inName(b));
}
