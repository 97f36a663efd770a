import { useMemo, useState } from 'react';
import { useEditor, useRun } from '../hooks/useEditor';
import { planApplySchedule } from '../model/applySchedule';
import { parseResultsFile, tableFromTuneSummary, type ResultTable } from '../model/tuneResults';
import { useServices } from '../services/EditorContext';
import { FailedRunsNotice } from './FailedRunsNotice';
import { Modal } from './Modal';
import { MAX_RESULTS_FILE_BYTES, tooBig } from '../model/fileLimits';

const short = (column: string) => column.slice(column.lastIndexOf('.') + 1);
const cell = (v: number | null | undefined) =>
  v === null || v === undefined || Number.isNaN(v) ? 'n/a' : v === Infinity ? '∞' : Number(v.toFixed(3)).toString();

const W = 360;
const H = 180;
const PAD = 32;

/** Score (J) against one param column, one dot per row, the best ringed. */
export function ResultsPlot({ table, x }: { table: ResultTable; x: string }) {
  const pts = table.rows.flatMap((r, i) =>
    r.score !== null && Number.isFinite(r.params[x]) ? [{ i, x: r.params[x]!, y: r.score }] : [],
  );
  if (!pts.length) return <p className="hint">nothing to plot</p>;
  const [x0, x1] = [Math.min(...pts.map((p) => p.x)), Math.max(...pts.map((p) => p.x))];
  const [y0, y1] = [Math.min(...pts.map((p) => p.y)), Math.max(...pts.map((p) => p.y))];
  const sx = (v: number) => PAD + ((v - x0) / (x1 - x0 || 1)) * (W - 2 * PAD);
  const sy = (v: number) => H - PAD - ((v - y0) / (y1 - y0 || 1)) * (H - 2 * PAD);
  return (
    <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} data-testid="results-plot" role="img">
      <line x1={PAD} y1={H - PAD} x2={W - PAD} y2={H - PAD} stroke="currentColor" opacity={0.4} />
      <line x1={PAD} y1={PAD} x2={PAD} y2={H - PAD} stroke="currentColor" opacity={0.4} />
      <text x={W / 2} y={H - 6} textAnchor="middle" fontSize={11} fill="currentColor">
        {short(x)} ({cell(x0)} to {cell(x1)})
      </text>
      <text x={4} y={PAD - 8} fontSize={11} fill="currentColor">
        J {cell(y0)} to {cell(y1)}
      </text>
      {pts.map((p) => (
        <circle
          key={p.i}
          cx={sx(p.x)}
          cy={sy(p.y)}
          r={p.i === table.best ? 6 : 3.5}
          fill={p.i === table.best ? 'none' : 'currentColor'}
          stroke="currentColor"
          opacity={p.i === table.best ? 1 : 0.6}
        >
          <title>{`${table.rows[p.i]!.label}: ${short(x)} ${p.x}, J ${cell(p.y)}`}</title>
        </circle>
      ))}
    </svg>
  );
}

/**
 * A sweep's or tune's results: from the last run's Tune nodes, or a results.json (`ptp tune`) /
 * results.csv (`ptp sweep`) opened here. A table sorted as the tool ranked it, J against a chosen
 * param, and "Use best schedule" (or Use on any row), which sets the row's settings on the
 * graph's Injection schedule and Local blend nodes. A tune's failed runs are said above the
 * figures, and a row every run of which failed offers nothing to use.
 */
export function TuneResultsDialog({ onClose }: { onClose(): void }) {
  const { store, notify } = useServices();
  const nodes = useEditor((s) => s.graph.nodes);
  const summaries = useRun((s) => s.summaries);
  const [opened, setOpened] = useState<ResultTable>();
  const [error, setError] = useState<string>();
  const fromRun = useMemo(
    () =>
      nodes
        .filter((n) => n.data.nodeType === 'ptp.tune')
        .flatMap((n) => tableFromTuneSummary(n.id, summaries[n.id]) ?? []),
    [nodes, summaries],
  );
  const table = opened ?? fromRun[0];
  const [x, setX] = useState<string>();
  const xColumn = x && table?.columns.includes(x) ? x : table?.columns[0];

  const use = (row: number) => {
    if (!table || table.rows[row]!.unscored) return;
    const refs = nodes.map((n) => ({ id: n.id, type: n.data.nodeType }));
    const plan = planApplySchedule(table.rows[row]!.params, refs);
    // One undo step per node, not per param.
    const byNode = new Map<string, Record<string, unknown>>();
    for (const a of plan.assignments) byNode.set(a.nodeId, { ...byNode.get(a.nodeId), [a.param]: a.value });
    for (const [nodeId, values] of byNode) store.setParams(nodeId, values);
    const where = [...new Set(plan.assignments.map((a) => a.nodeId))].join(', ');
    notify(
      plan.assignments.length ? 'info' : 'error',
      plan.assignments.length
        ? `Loaded the settings of ${table.rows[row]!.label} into ${where}${plan.unplaced.length ? ` (no node for ${plan.unplaced.join(', ')})` : ''}`
        : 'No Injection schedule or Local blend node in the graph to load the settings into',
      'tune-results-applied',
    );
  };

  return (
    <Modal
      className="tune-results"
      testId="tune-results"
      label="Sweep and tune results"
      onClose={onClose}
      title={table?.title ?? 'Sweep and tune results'}
    >
      <label className="hint">
        Open results.json (ptp tune) or results.csv (ptp sweep):{' '}
        <input
          type="file"
          accept=".json,.csv,application/json,text/csv"
          data-testid="tune-results-file"
          onChange={async (e) => {
            const f = e.target.files?.[0];
            if (!f) return;
            const big = tooBig(f, MAX_RESULTS_FILE_BYTES);
            if (big) return setError(big);
            const r = parseResultsFile(await f.text(), f.name);
            setError(r.ok ? undefined : r.message);
            if (r.ok) setOpened(r.table);
          }}
        />
      </label>
      {error && <p className="error">{error}</p>}
      {!table && !error && (
        <p className="hint" data-testid="tune-results-empty">
          Nothing to show yet. Run a graph with a Tune schedule node (the template “Tune the schedule for one edit”), or
          open the results.json of <code>ptp tune</code> or the results.csv of <code>ptp sweep</code>.
        </p>
      )}
      {table && (
        <>
          {table.failures && <FailedRunsNotice failures={table.failures} />}
          {table.notes.map((n) => (
            <p key={n} className="hint">
              {n}
            </p>
          ))}
          {/* With no settings anywhere (every run failed) there is nothing to plot or load. */}
          {table.best !== undefined && (
            <div className="tune-results-plot">
              <ResultsPlot table={table} x={xColumn!} />
              <label>
                x:{' '}
                <select value={xColumn} onChange={(e) => setX(e.target.value)} data-testid="tune-results-x">
                  {table.columns.map((c) => (
                    <option key={c} value={c}>
                      {short(c)}
                    </option>
                  ))}
                </select>
              </label>
              <button
                type="button"
                className="primary"
                onClick={() => use(table.best!)}
                data-testid="use-best-schedule"
              >
                Use best schedule
              </button>
            </div>
          )}
          <div className="tune-results-table">
            <table data-testid="tune-results-table">
              <thead>
                <tr>
                  <th>row</th>
                  {table.columns.map((c) => (
                    <th key={c}>{short(c)}</th>
                  ))}
                  <th>J</th>
                  {table.figures.map((f) => (
                    <th key={f}>{f}</th>
                  ))}
                  <th />
                </tr>
              </thead>
              <tbody>
                {table.rows.map((r, i) => (
                  <tr
                    key={`${r.label}-${i}`}
                    className={i === table.best ? 'best' : r.unscored ? 'unscored' : undefined}
                  >
                    <td>{r.label}</td>
                    {table.columns.map((c) => (
                      <td key={c}>{cell(r.params[c])}</td>
                    ))}
                    <td>{cell(r.score)}</td>
                    {table.figures.map((f) => (
                      <td key={f}>{cell(r.figures[f])}</td>
                    ))}
                    <td>
                      {r.unscored ? (
                        <span className="hint">{r.unscored}</span>
                      ) : (
                        <button type="button" onClick={() => use(i)}>
                          Use
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Modal>
  );
}
