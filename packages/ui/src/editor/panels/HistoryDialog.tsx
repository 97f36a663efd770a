import { useCallback, useEffect, useState } from 'react';
import { isFinalRunStatus, loadDocument, type RunRecord, type RunStatus, type WorkflowDocument } from '@ptp/graph-core';
import { mergeRunPage, runDuration, upsertRun } from '../model/runHistory';
import { useServices } from '../services/EditorContext';

const PAGE = 50;
const STATUSES: readonly (RunStatus | '')[] = [
  '',
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'interrupted',
];

/** The run's first image output, small: what it made at a glance. */
function Thumbnail({ run }: { run: RunRecord }) {
  const { server } = useServices();
  const image = run.outputs.find((o) => o.mime.startsWith('image/'));
  if (!server || !image) return <span className="thumb empty" />;
  return <img className="thumb" src={server.outputUrl(run.id, image.name)} alt={image.name} loading="lazy" />;
}

function RunRow(props: {
  run: RunRecord;
  onOpen(run: RunRecord): void;
  onRerun(run: RunRecord): void;
  onCancel(run: RunRecord): void;
  onDelete(run: RunRecord): void;
}) {
  const { run } = props;
  const final = isFinalRunStatus(run.status);
  const took = runDuration(run);
  return (
    <li className={`history-row ${run.status}`} data-testid={`history-${run.id}`} data-status={run.status}>
      <Thumbnail run={run} />
      <div className="history-info">
        <strong>{run.name}</strong>
        <span className={`status ${run.status}`}>
          {run.status}
          {run.status === 'queued' && run.queuePosition !== undefined ? ` (#${run.queuePosition + 1})` : ''}
        </span>
        <span className="when">
          {new Date(run.createdAt).toLocaleString()}
          {took !== undefined ? ` · ${(took / 1000).toFixed(1)} s` : ''} · {run.outputs.length} file
          {run.outputs.length === 1 ? '' : 's'}
        </span>
        {run.error && <span className="error">{run.error.message}</span>}
      </div>
      <div className="history-actions">
        <button type="button" onClick={() => props.onOpen(run)} data-testid="history-open">
          Open graph
        </button>
        {final && (
          <button type="button" onClick={() => props.onRerun(run)} data-testid="history-rerun">
            Re-run
          </button>
        )}
        {!final && (
          <button type="button" onClick={() => props.onCancel(run)} data-testid="history-cancel">
            Cancel
          </button>
        )}
        {final && (
          <button type="button" onClick={() => props.onDelete(run)} data-testid="history-delete">
            Delete
          </button>
        )}
      </div>
    </li>
  );
}

/**
 * The server's queue and history: every run with its thumbnail, times and error, live over
 * socket.io; search, filter and page through thousands; open a run's graph as it ran, re-run,
 * cancel or delete it (outputs too).
 */
export function HistoryDialog(props: { onClose(): void; onOpenGraph(doc: WorkflowDocument, run: RunRecord): void }) {
  const { server, notify } = useServices();
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<RunStatus | ''>('');
  const [runs, setRuns] = useState<RunRecord[]>([]);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string>();

  const load = useCallback(
    async (before?: string) => {
      if (!server) return;
      try {
        const page = await server.listRuns({
          limit: PAGE,
          ...(query.trim() ? { q: query.trim() } : {}),
          ...(status ? { status } : {}),
          ...(before ? { before } : {}),
        });
        setRuns((old) => (before ? mergeRunPage(old, page) : page));
        setMore(page.length === PAGE);
        setError(undefined);
      } catch (err) {
        setError((err as Error).message);
      }
    },
    [server, query, status],
  );

  useEffect(() => {
    const t = setTimeout(() => void load(), 150);
    return () => clearTimeout(t);
  }, [load]);

  // Live: status changes of any run, and deletions (from this tab, another one, or retention).
  useEffect(() => {
    if (!server) return;
    let stop: (() => void) | undefined;
    let live = true;
    void server
      .watchQueue(
        (run) => setRuns((old) => upsertRun(old, run, { q: query.trim(), status })),
        (runId) => setRuns((old) => old.filter((r) => r.id !== runId)),
      )
      .then((s) => (live ? (stop = s) : s()));
    return () => {
      live = false;
      stop?.();
    };
  }, [server, query, status]);

  if (!server) return null;
  const act = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      notify('error', `${what} failed: ${(err as Error).message}`, 'history-failed');
    }
  };
  return (
    <div className="modal-backdrop" onClick={props.onClose}>
      <div className="modal history" data-testid="history" onClick={(e) => e.stopPropagation()}>
        <header>
          <h2>Queue and history</h2>
          <button type="button" onClick={props.onClose} aria-label="close">
            ×
          </button>
        </header>
        <div className="history-filters">
          <input
            type="search"
            placeholder="Search by workflow name or run id…"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            data-testid="history-search"
            autoFocus
          />
          <select
            value={status}
            onChange={(e) => setStatus(e.target.value as RunStatus | '')}
            data-testid="history-status"
          >
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'every status'}
              </option>
            ))}
          </select>
        </div>
        {error && <p className="error">{error}</p>}
        <ul className="history-list">
          {runs.length === 0 && <li className="hint">no runs{query ? ` match “${query}”` : ''}</li>}
          {runs.map((run) => (
            <RunRow
              key={run.id}
              run={run}
              onOpen={(r) =>
                void act('Opening the graph', async () => {
                  const loaded = loadDocument((await server.getRun(r.id)).workflow);
                  if (!loaded.ok) throw new Error(loaded.errors[0]?.message ?? 'unreadable workflow');
                  props.onOpenGraph(loaded.value, r);
                })
              }
              onRerun={(r) =>
                void act('Re-run', async () => {
                  const detail = await server.getRun(r.id);
                  // The graph exactly as it ran; the server checks it again like any submit.
                  await server.submitRun({ workflow: detail.workflow as WorkflowDocument, options: detail.options });
                  notify('info', `Queued “${r.name}” again`, 'history-rerun');
                })
              }
              onCancel={(r) => void act('Cancel', () => server.cancel(r.id))}
              onDelete={(r) =>
                void act('Delete', async () => {
                  await server.deleteRun(r.id);
                  setRuns((old) => old.filter((x) => x.id !== r.id));
                })
              }
            />
          ))}
        </ul>
        {more && (
          <button type="button" onClick={() => void load(runs.at(-1)?.id)} data-testid="history-more">
            Load more
          </button>
        )}
      </div>
    </div>
  );
}
