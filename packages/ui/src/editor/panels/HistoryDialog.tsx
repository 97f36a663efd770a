import { useCallback, useEffect, useState } from 'react';
import {
  BATCH_LIMITS,
  isFinalRunStatus,
  loadDocument,
  type RunRecord,
  type RunStatus,
  type WorkflowDocument,
} from '@ptp/graph-core';
import { batchSummary, mergeRunPage, queuePlaces, runDuration, seedText, upsertRun } from '../model/runHistory';
import { useServerQueue } from '../hooks/useServerQueue';
import { useServices } from '../services/EditorContext';
import { Modal } from './Modal';

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

/**
 * The run's last image output, small: what it made at a glance (an edit's last picture is the
 * edit, so the runs of a batch over prompts look different).
 */
function Thumbnail({ run }: { run: RunRecord }) {
  const { server } = useServices();
  const image = run.outputs.filter((o) => o.mime.startsWith('image/')).at(-1);
  if (!server || !image) return <span className="thumb empty">{isFinalRunStatus(run.status) ? 'no picture' : ''}</span>;
  return <img className="thumb" src={server.outputUrl(run.id, image.name)} alt={image.name} loading="lazy" />;
}

function RunRow(props: {
  run: RunRecord;
  /** Its place in the queue while it waits (0 = next). */
  place: number | undefined;
  onOpen(run: RunRecord): void;
  onRerun(run: RunRecord): void;
  onCancel(run: RunRecord): void;
  onDelete(run: RunRecord): void;
  /** Shows only the runs of this run's batch. */
  onBatch(batchId: string): void;
}) {
  const { run } = props;
  const final = isFinalRunStatus(run.status);
  const took = runDuration(run);
  const seeds = seedText(run.name, run.seeds);
  return (
    <li className={`history-row ${run.status}`} data-testid={`history-${run.id}`} data-status={run.status}>
      <Thumbnail run={run} />
      <div className="history-info">
        <strong>{run.name}</strong>
        {run.batch && (
          <button
            type="button"
            className="batch-chip"
            title="show only this batch"
            onClick={() => props.onBatch(run.batch!.id)}
            data-testid="history-batch"
          >
            batch · {run.batch.index + 1} of {run.batch.size}
          </button>
        )}
        <span className={`status ${run.status}`}>
          {run.status}
          {props.place !== undefined ? ` (#${props.place + 1})` : ''}
        </span>
        <span className="when">
          {new Date(run.createdAt).toLocaleString()}
          {took !== undefined ? ` · ${(took / 1000).toFixed(1)} s` : ''} · {run.outputs.length} file
          {run.outputs.length === 1 ? '' : 's'}
          {seeds && (
            <span
              data-testid="history-seed"
              title="the seed it samples with: Re-run or Open graph gives the same pictures"
            >
              {' · '}
              {seeds}
            </span>
          )}
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

/** The batch being shown: how far it got, and a way to stop what is left of it or leave it. */
function BatchBar(props: { runs: readonly RunRecord[]; filtered: boolean; onCancelRest(): void; onLeave(): void }) {
  const s = batchSummary(props.runs);
  const left = s.waiting + s.running;
  return (
    <div className="history-batch" data-testid="history-batch-bar">
      <span>
        Batch of {s.size || s.shown}: {s.waiting} waiting · {s.running} running · {s.succeeded} succeeded
        {s.other ? ` · ${s.other} failed or cancelled` : ''}
        {s.retried ? ` · ${s.retried} retried` : ''}
        {s.size > s.shown ? ` · ${s.size - s.shown} deleted` : ''}
        {props.filtered ? ' · the list below is searched within this batch' : ''}
      </span>
      <button type="button" disabled={left === 0} onClick={props.onCancelRest} data-testid="history-batch-cancel">
        Cancel the rest ({left})
      </button>
      <button type="button" onClick={props.onLeave} data-testid="history-batch-leave">
        All runs
      </button>
    </div>
  );
}

/**
 * The server's queue and history: every run with its thumbnail, times and error, live over
 * socket.io; search, filter and page through thousands; open a run's graph as it ran, re-run,
 * cancel or delete it (outputs too); show one batch's runs and cancel what is left of it.
 */
export function HistoryDialog(props: { onClose(): void; onOpenGraph(doc: WorkflowDocument, run: RunRecord): void }) {
  const { server, notify } = useServices();
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<RunStatus | ''>('');
  const [batch, setBatch] = useState('');
  const [runs, setRuns] = useState<RunRecord[]>([]);
  // The shown batch's runs, whatever the search and status filters: the batch bar counts all of them.
  const [batchRuns, setBatchRuns] = useState<RunRecord[]>([]);
  // The server's waiting order, live: places stay right as runs start, leave or jump the queue.
  const order = useServerQueue();
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string>();

  const load = useCallback(
    async (before?: string) => {
      if (!server) return;
      // A whole batch fits one page.
      const limit = batch ? BATCH_LIMITS.runs : PAGE;
      try {
        const page = await server.listRuns({
          limit,
          ...(query.trim() ? { q: query.trim() } : {}),
          ...(status ? { status } : {}),
          ...(before ? { before } : {}),
          ...(batch ? { batch } : {}),
        });
        setRuns((old) => (before ? mergeRunPage(old, page) : page));
        setMore(page.length === limit);
        setError(undefined);
      } catch (err) {
        setError((err as Error).message);
      }
    },
    [server, query, status, batch],
  );

  useEffect(() => {
    const t = setTimeout(() => void load(), 150);
    return () => clearTimeout(t);
  }, [load]);

  useEffect(() => {
    setBatchRuns([]);
    if (!server || !batch) return;
    let live = true;
    void server
      .listRuns({ batch, limit: BATCH_LIMITS.runs })
      .then((page) => live && setBatchRuns(page))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [server, batch]);

  // Live: status changes of any run, and deletions (from this tab, another one, or retention).
  useEffect(() => {
    if (!server) return;
    let stop: (() => void) | undefined;
    let live = true;
    void server
      .watchQueue({
        onStatus: (run) => {
          setRuns((old) => upsertRun(old, run, { q: query.trim(), status, batch }));
          if (batch) setBatchRuns((old) => upsertRun(old, run, { q: '', status: '', batch }));
        },
        onDeleted: (runId) => {
          setRuns((old) => old.filter((r) => r.id !== runId));
          setBatchRuns((old) => old.filter((r) => r.id !== runId));
        },
      })
      .then((s) => (live ? (stop = s) : s()));
    return () => {
      live = false;
      stop?.();
    };
  }, [server, query, status, batch]);

  if (!server) return null;
  const places = queuePlaces(runs, order);
  const act = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      notify('error', `${what} failed: ${(err as Error).message}`, 'history-failed');
    }
  };
  return (
    <Modal
      className="history"
      testId="history"

      onClose={props.onClose}
      title="Queue and history"
    >
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
        <button
          type="button"
          title="cancel every run waiting in the queue, of every batch and client; the running one goes on"
          onClick={() =>
            void act('Clearing the queue', async () => {
              const { cancelled } = await server.cancelWaiting();
              notify(
                'info',
                cancelled.length
                  ? `Cancelled ${cancelled.length} waiting run${cancelled.length === 1 ? '' : 's'}`
                  : 'No run was waiting',
                'queue-cleared',
              );
            })
          }
          disabled={order?.total === 0}
          data-testid="history-clear-queue"
        >
          Clear queue{order ? ` (${order.total})` : ''}
        </button>
        <button
          type="button"
          title={
            order?.paused
              ? 'waiting runs start again'
              : 'no waiting run starts until you resume (the running one goes on; runs can still be queued)'
          }
          disabled={!order}
          onClick={() =>
            void act(order?.paused ? 'Resuming the queue' : 'Pausing the queue', () =>
              order?.paused ? server.resumeQueue() : server.pauseQueue(),
            )
          }
          data-testid="history-pause"
        >
          {order?.paused ? 'Resume queue' : 'Pause queue'}
        </button>
      </div>
      {order?.paused && (
        <p className="hint" data-testid="history-paused">
          The queue is paused: no waiting run starts until you resume it.
        </p>
      )}
      {batch && (
        <BatchBar
          runs={batchRuns}
          filtered={Boolean(query.trim() || status)}
          onLeave={() => setBatch('')}
          onCancelRest={() =>
            void act('Cancelling the batch', async () => {
              // One call: the server cancels every run left, including any this page has not seen yet.
              const { cancelled } = await server.cancelBatch(batch);
              notify(
                'info',
                `Cancelled ${cancelled.length} run${cancelled.length === 1 ? '' : 's'} of the batch`,
                'batch-cancelled',
              );
            })
          }
        />
      )}
      {error && <p className="error">{error}</p>}
      <ul className="history-list">
        {runs.length === 0 && <li className="hint">no runs{query ? ` match “${query}”` : ''}</li>}
        {runs.map((run) => (
          <RunRow
            key={run.id}
            run={run}
            place={places.get(run.id)}
            onOpen={(r) =>
              void act('Opening the graph', async () => {
                const loaded = loadDocument((await server.getRun(r.id)).workflow);
                if (!loaded.ok) throw new Error(loaded.errors[0]?.message ?? 'unreadable workflow');
                props.onOpenGraph(loaded.value, r);
              })
            }
            onRerun={(r) =>
              void act('Re-run', async () => {
                // A run that did not finish is resubmitted: a new try in its place (in its batch too).
                if (r.status === 'failed' || r.status === 'cancelled' || r.status === 'interrupted')
                  await server.resubmitRun(r.id);
                else {
                  const detail = await server.getRun(r.id);
                  // The graph exactly as it ran; the server checks it again like any submit.
                  await server.submitRun({ workflow: detail.workflow as WorkflowDocument, options: detail.options });
                }
                notify('info', `Queued “${r.name}” again`, 'history-rerun');
              })
            }
            onCancel={(r) => void act('Cancel', () => server.cancel(r.id))}
            onBatch={(id) => {
              // The bar counts the whole batch, so a search or status filter would skew it.
              setQuery('');
              setStatus('');
              setBatch(id);
            }}
            onDelete={(r) => {
              // For good: the run, its pictures and their places on boards (there is no undo).
              if (!window.confirm(`Delete the run “${r.name}” and the pictures it made (boards included)?`)) return;
              void act('Delete', async () => {
                await server.deleteRun(r.id);
                setRuns((old) => old.filter((x) => x.id !== r.id));
              });
            }}
          />
        ))}
      </ul>
      {more && (
        <button type="button" onClick={() => void load(runs.at(-1)?.id)} data-testid="history-more">
          Load more
        </button>
      )}
    </Modal>
  );
}
