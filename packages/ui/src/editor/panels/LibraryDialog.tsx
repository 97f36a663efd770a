import { useEffect, useState } from 'react';
import type { WorkflowSummary } from '@ptp/graph-core';
import { useServices } from '../services/EditorContext';
import { Modal } from './Modal';

/** The server's workflow library: search by name or description, open one. */
export function LibraryDialog({ onOpen, onClose }: { onOpen(id: string): void; onClose(): void }) {
  const { server } = useServices();
  const [query, setQuery] = useState('');
  const [list, setList] = useState<{ workflows: WorkflowSummary[]; total: number } | { error: string } | undefined>();
  useEffect(() => {
    if (!server) return;
    let live = true;
    const t = setTimeout(() => {
      server.listWorkflows(query.trim() ? { q: query.trim(), limit: 100 } : { limit: 100 }).then(
        (r) => live && setList(r),
        (e: Error) => live && setList({ error: e.message }),
      );
    }, 150);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [server, query]);
  return (
    <Modal className="library" testId="library" onClose={onClose} title="Workflow library">
      <input
        type="search"
        placeholder="Search…"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        data-testid="library-search"
        autoFocus
      />
      {!list && <p className="hint">loading…</p>}
      {list && 'error' in list && <p className="error">{list.error}</p>}
      {list && 'workflows' in list && (
        <ul>
          {list.workflows.length === 0 && (
            <li className="hint">no saved workflows{query ? ` match “${query}”` : ''}</li>
          )}
          {list.workflows.map((w) => (
            <li key={w.id}>
              <button type="button" data-testid={`library-${w.id}`} onClick={() => onOpen(w.id)}>
                <strong>{w.name}</strong>
                <span className="desc">{w.description}</span>
                <span className="tags">
                  v{w.version} · {new Date(w.updatedAt).toLocaleString()}{' '}
                  {w.tags.length ? `· ${w.tags.join(', ')}` : ''}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </Modal>
  );
}
