import { useMemo, useState } from 'react';
import { TEMPLATES } from '../model/templates';
import { templateMatches } from '../model/templateSearch';
import { Modal } from './Modal';

/** The presets from examples/, bundled with the editor; a search narrows them, Enter opens the first. */
export function TemplatesGallery({ onOpen, onClose }: { onOpen(id: string): void; onClose(): void }) {
  const [query, setQuery] = useState('');
  const shown = useMemo(() => templateMatches(TEMPLATES, query), [query]);
  return (
    <Modal className="templates" testId="templates" onClose={onClose} title="Templates">
      <input
        type="search"
        placeholder="Search: name, node, pack…"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && shown[0]) onOpen(shown[0].id);
        }}
        data-testid="templates-search"
        autoFocus
      />
      <ul>
        {shown.length === 0 && <li className="hint">no template matches “{query}”</li>}
        {shown.map((t) => (
          <li key={t.id}>
            <button type="button" data-testid={`template-${t.id}`} onClick={() => onOpen(t.id)}>
              <strong>{t.name}</strong>
              <span className="desc">{t.description}</span>
              <span className="tags">
                {t.document.nodes.length} nodes · {t.tags.join(', ')}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </Modal>
  );
}
