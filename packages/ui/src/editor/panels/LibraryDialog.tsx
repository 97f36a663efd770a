import { useCallback, useEffect, useState } from 'react';
import type { WorkflowSummary, WorkflowVersionInfo } from '@ptp/graph-core';
import { useServices } from '../services/EditorContext';
import { Modal } from './Modal';

const when = (iso: string) => new Date(iso).toLocaleString();

/** A workflow's earlier versions (newest first), each opened by a click. */
function Versions({ id, onOpen }: { id: string; onOpen(version: number): void }) {
  const { server } = useServices();
  const [history, setHistory] = useState<WorkflowVersionInfo[] | { error: string }>();
  useEffect(() => {
    if (!server) return;
    let live = true;
    server.getWorkflow(id).then(
      (r) => live && setHistory(r.history),
      (e: Error) => live && setHistory({ error: e.message }),
    );
    return () => {
      live = false;
    };
  }, [server, id]);
  if (!history) return <p className="hint">loading…</p>;
  if ('error' in history) return <p className="error">{history.error}</p>;
  return (
    <ul className="versions" data-testid={`library-versions-${id}`}>
      {history.map((v) => (
        <li key={v.version}>
          <button
            type="button"
            className="link"
            onClick={() => onOpen(v.version)}
            data-testid={`library-version-${v.version}`}
          >
            v{v.version} · {v.name} · {when(v.savedAt)}
            {v.note ? ` · ${v.note}` : ''}
          </button>
        </li>
      ))}
    </ul>
  );
}

/**
 * The server's workflow library: search by name or description, open one (its latest version or
 * an earlier one), rename, duplicate or delete one.
 */
export function LibraryDialog({
  onOpen,
  onClose,
}: {
  /** `version`: an earlier version, opened as unsaved edits of the workflow (Save makes it the latest again). */
  onOpen(id: string, version?: number): void;
  onClose(): void;
}) {
  const { server, store, notify, ask } = useServices();
  const [query, setQuery] = useState('');
  const [list, setList] = useState<{ workflows: WorkflowSummary[]; total: number } | { error: string } | undefined>();
  const [shown, setShown] = useState<string>();
  const [serial, setSerial] = useState(0);
  const refresh = useCallback(() => setSerial((n) => n + 1), []);
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
  }, [server, query, serial]);
  const remove = async (w: WorkflowSummary) => {
    if (!server) return;
    if (!window.confirm(`Delete “${w.name}” and its ${w.version} version${w.version > 1 ? 's' : ''} from the library?`))
      return;
    try {
      await server.deleteWorkflow(w.id);
      // The open graph keeps its nodes; it is no longer a library workflow (Save makes a new one).
      if (store.getState().library?.id === w.id) store.forgetLibrary();
      notify('info', `Deleted “${w.name}” from the library`, 'library-deleted');
      refresh();
    } catch (err) {
      notify('error', `Could not delete “${w.name}”: ${(err as Error).message}`, 'library-delete-failed');
    }
  };
  const rename = async (w: WorkflowSummary) => {
    if (!server) return;
    const name = await ask({ title: 'Rename workflow', label: 'New name', initial: w.name, confirm: 'Rename' });
    if (!name || name === w.name) return;
    try {
      const { document } = await server.getWorkflow(w.id);
      // A rename is a new version of the same entry (its history keeps the old name).
      const record = await server.updateWorkflow(w.id, {
        document: { ...document, metadata: { ...document.metadata, name } },
        name,
        baseVersion: w.version,
        note: `renamed from “${w.name}”`,
      });
      store.renamedInLibrary({ id: record.id, version: record.version }, record.name);
      notify('success', `Renamed “${w.name}” to “${record.name}”`, 'library-renamed');
      refresh();
    } catch (err) {
      const e = err as Error & { code?: string };
      const why = e.code === 'CONFLICT' ? 'it was saved elsewhere meanwhile; try again' : e.message;
      notify('error', `Could not rename “${w.name}”: ${why}`, 'library-rename-failed');
    }
  };
  const duplicate = async (w: WorkflowSummary) => {
    if (!server) return;
    const name = await ask({
      title: 'Duplicate workflow',
      label: 'Name of the copy',
      initial: `${w.name} (copy)`,
      confirm: 'Duplicate',
    });
    if (!name) return;
    try {
      const { document } = await server.getWorkflow(w.id);
      const record = await server.createWorkflow({
        document: { ...document, id: undefined, metadata: { ...document.metadata, name } },
        name,
      });
      notify('success', `Saved a copy of “${w.name}” as “${record.name}”`, 'library-duplicated');
      refresh();
    } catch (err) {
      notify('error', `Could not duplicate “${w.name}”: ${(err as Error).message}`, 'library-duplicate-failed');
    }
  };
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
            <li key={w.id} data-testid={`library-row-${w.id}`}>
              <div className="library-row">
                <button type="button" data-testid={`library-${w.id}`} onClick={() => onOpen(w.id)}>
                  <strong>{w.name}</strong>
                  <span className="desc">{w.description}</span>
                  <span className="tags">
                    v{w.version} · {when(w.updatedAt)} {w.tags.length ? `· ${w.tags.join(', ')}` : ''}
                  </span>
                </button>
                {w.version > 1 && (
                  <button
                    type="button"
                    onClick={() => setShown((s) => (s === w.id ? undefined : w.id))}
                    aria-expanded={shown === w.id}
                    data-testid={`library-show-versions-${w.id}`}
                  >
                    Versions
                  </button>
                )}
                <button type="button" onClick={() => void rename(w)} data-testid={`library-rename-${w.id}`}>
                  Rename
                </button>
                <button type="button" onClick={() => void duplicate(w)} data-testid={`library-duplicate-${w.id}`}>
                  Duplicate
                </button>
                <button type="button" onClick={() => void remove(w)} data-testid={`library-delete-${w.id}`}>
                  Delete
                </button>
              </div>
              {shown === w.id && <Versions id={w.id} onOpen={(v) => onOpen(w.id, v)} />}
            </li>
          ))}
        </ul>
      )}
    </Modal>
  );
}
