import { useMemo, useState } from 'react';
import {
  BATCH_LIMITS,
  batchRowsFromCsv,
  chunkRuns,
  planBatch,
  SEED_MODES,
  validateBatch,
  type SeedMode,
} from '@ptp/graph-core';
import { startingRows } from '../model/batchRows';
import { useServices } from '../services/EditorContext';
import { Modal } from './Modal';

const SEED_LABELS: Record<SeedMode, string> = {
  increment: 'seed + 1 per run',
  random: 'a random seed per run',
  fixed: "the graph's seeds",
};

/**
 * Queues the open workflow many times on the server (ComfyUI's batch count, InvokeAI's iterations
 * and batch lists): runs per row with their seeds stepped, drawn or kept, and optional rows of
 * params (CSV with `node.param` columns, e.g. each run's prompts). Every run is planned and
 * validated before the first is queued; History and Gallery show them as they finish.
 */
export function BatchDialog({ onClose, onQueued }: { onClose(): void; onQueued(): void }) {
  const { store, server, notify } = useServices();
  const doc = useMemo(() => store.document(), [store]);
  const [count, setCount] = useState(4);
  const [seeds, setSeeds] = useState<SeedMode>('increment');
  const [rowsText, setRowsText] = useState('');
  const [queued, setQueued] = useState<{ done: number; error?: string } | undefined>();

  const plan = useMemo(() => {
    const entryOf = (t: string) => store.getState().index.byType.get(t);
    const rows = batchRowsFromCsv(rowsText, doc, entryOf);
    if (!rows.ok) return { problems: rows.errors };
    const planned = planBatch(doc, { count, seeds, rows: rows.value }, entryOf);
    if (!planned.ok) return { problems: planned.errors };
    // Each run is checked as a run would be; the node and param lead each message here.
    // Against the server's limits (they come with its catalogue), as the server will check them.
    const limits = store.getState().index.catalogue.limits;
    const problems = validateBatch(planned.value, store.registry, 5, limits ? { limits } : {}).map((e) => {
      const where = e.nodeId ? `${e.nodeId}${e.param || e.input ? ` (${e.param ?? e.input})` : ''}: ` : '';
      return { ...e, message: `${e.run}: ${where}${e.message}` };
    });
    return { runs: planned.value, problems };
  }, [store, doc, count, seeds, rowsText]);

  const runs = useMemo(() => plan.runs ?? [], [plan]);
  // A graph with no seed (an edit of a picture is deterministic) makes the same run again and again.
  const repeats = useMemo(() => runs.length - new Set(runs.map((r) => JSON.stringify(r.document.nodes))).size, [runs]);
  const ready = Boolean(server) && runs.length > 0 && plan.problems.length === 0 && !queued;
  const queue = async () => {
    if (!server) return;
    const batch = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    setQueued({ done: 0 });
    // One key per run: a retried batch never queues a run twice.
    const requests = runs.map((run, i) => ({
      workflow: run.document,
      clientRequestId: `batch-${batch}-${i}`,
      batch: { id: batch, index: i, size: runs.length },
    }));
    // As few calls as the server's body limit allows (one for most batches): each is all or nothing.
    let done = 0;
    for (const group of chunkRuns(requests)) {
      try {
        await server.submitBatch({ runs: group });
        done += group.length;
        setQueued({ done });
      } catch (err) {
        // All or nothing across the calls too: the runs already queued are taken back.
        const undone =
          done > 0
            ? await server.cancelBatch(batch).then(
                () => true,
                () => false,
              )
            : true;
        setQueued({ done: 0, error: (err as Error).message });
        notify(
          'error',
          `Batch not queued: ${(err as Error).message}${undone ? '' : ` (${done} runs were queued before it failed; cancel them in History)`}`,
          'batch-failed',
        );
        return;
      }
    }
    notify('success', `Queued ${runs.length} runs: History follows them, Gallery shows their pictures`, 'batch-queued');
    onQueued();
  };

  return (
    <Modal
      className="batch"
      testId="batch"
      label="Batch"
      onClose={onClose}
      title={<>Batch: queue “{doc.metadata.name}” many times</>}
    >
      <p className="hint" data-testid="batch-where">
        The runs go to the studio server's queue, whichever runner Run uses: they go on when this page closes.
      </p>
      <div className="batch-settings">
        <label>
          Runs per row
          <input
            type="number"
            min={1}
            max={BATCH_LIMITS.runs}
            value={count}
            onChange={(e) =>
              setCount(Math.max(1, Math.min(BATCH_LIMITS.runs, Math.floor(Number(e.target.value) || 1))))
            }
            data-testid="batch-count"
          />
        </label>
        <label>
          Seeds
          <select value={seeds} onChange={(e) => setSeeds(e.target.value as SeedMode)} data-testid="batch-seeds">
            {SEED_MODES.map((m) => (
              <option key={m} value={m}>
                {SEED_LABELS[m]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label className="batch-rows">
        <span>
          Rows (optional): CSV with <code>node.param</code> columns, one row per setting; an empty cell keeps the
          graph's value; a list (Local blend's words) is words separated by spaces.{' '}
          <button
            type="button"
            className="link"
            onClick={() => setRowsText(startingRows(doc))}
            data-testid="batch-prompts"
          >
            start from the prompts
          </button>
        </span>
        <textarea
          rows={6}
          value={rowsText}
          onChange={(e) => setRowsText(e.target.value)}
          placeholder={startingRows(doc) || 'node.param,node.param'}
          spellCheck={false}
          data-testid="batch-rows"
        />
      </label>
      {plan.problems.length > 0 ? (
        <ul className="batch-problems" data-testid="batch-problems">
          {plan.problems.map((p, i) => (
            <li key={i} className="error">
              {p.message}
            </li>
          ))}
        </ul>
      ) : (
        <p className="hint" data-testid="batch-summary" data-runs={runs.length}>
          {runs.length} run{runs.length === 1 ? '' : 's'}:{' '}
          {runs
            .slice(0, 4)
            .map((r) => r.label || 'as the graph')
            .join(', ')}
          {runs.length > 4 ? `, … ${runs[runs.length - 1]!.label}` : ''}
        </p>
      )}
      {repeats > 0 && plan.problems.length === 0 && (
        <p className="warning" data-testid="batch-repeats">
          {repeats} of these runs repeat another exactly (nothing varies between them: this graph has no seed), so they
          would make the same pictures again.
        </p>
      )}
      <footer>
        {queued && (
          <span className={queued.error ? 'error' : 'hint'} data-testid="batch-progress">
            queued {queued.done} of {runs.length}
            {queued.error ? `: ${queued.error}` : ''}
          </span>
        )}
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="primary"
          disabled={!ready}
          onClick={() => void queue()}
          data-testid="batch-queue"
        >
          Queue {runs.length} run{runs.length === 1 ? '' : 's'}
        </button>
      </footer>
    </Modal>
  );
}
