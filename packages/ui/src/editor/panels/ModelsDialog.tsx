import { useCallback, useEffect, useState } from 'react';
import type { ImportJob, ModelManagerResponse, PackDetails } from '@ptp/graph-core';
import { useServices } from '../services/EditorContext';
import { Modal } from './Modal';
import { packIdFrom } from '../model/packIdFrom';

const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(bytes < 10 * 1024 ** 2 ? 1 : 0)} MB`;

function PackRow({ pack, onUse, onRemove }: { pack: PackDetails; onUse(): void; onRemove(): void }) {
  return (
    <tr data-testid={`pack-${pack.id}`}>
      <td>
        <strong>{pack.id}</strong>
        {pack.name !== pack.id && <span className="muted"> ({pack.name})</span>}
      </td>
      <td>{pack.defaultImageSize} px</td>
      <td>{pack.scheduler.replace(/Scheduler$/, '')}</td>
      <td title="layers the controls reach / self + cross attention layers">
        {pack.layers.controlled} / {pack.layers.self + pack.layers.cross}
      </td>
      <td>{mb(pack.sizeBytes)}</td>
      <td className="actions">
        <button type="button" onClick={onUse} data-testid="pack-use">
          Use in graph
        </button>
        {pack.removable && (
          <button type="button" onClick={onRemove} data-testid="pack-remove">
            Remove
          </button>
        )}
      </td>
    </tr>
  );
}

function ImportProgress({ job }: { job: ImportJob }) {
  return (
    <div className={`import-job ${job.state}`} data-testid={`import-${job.packId}`} data-state={job.state}>
      <span>
        {job.packId} from {job.source.replace(/^\d+:/, '')}: {job.state}
        {job.error ? ` (${job.error.message})` : ''}
      </span>
      <progress max={1} value={job.progress} />
    </div>
  );
}

/**
 * The model manager: the packs the server sees with what their manifests say, import of an export
 * folder from the server's configured roots (with progress), removal of imported packs, and
 * "use in graph" (sets every Load model node of the open graph to the pack).
 */
export function ModelsDialog({ onClose }: { onClose(): void }) {
  const { server, store, notify } = useServices();
  const [state, setState] = useState<ModelManagerResponse>();
  const [source, setSource] = useState('');
  const [id, setId] = useState('');
  const [error, setError] = useState<string>();

  const refresh = useCallback(async () => {
    if (!server) return;
    try {
      const next = await server.modelManager();
      setState(next);
      store.setPacks(next.packs.map((p) => p.id));
      setSource((s) => s || next.exports[0]?.source || '');
    } catch (err) {
      setError((err as Error).message);
    }
  }, [server, store]);

  useEffect(() => void refresh(), [refresh]);
  // While an import runs, poll its progress (imports take seconds to minutes).
  const running = state?.imports.some((j) => j.state === 'running');
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => void refresh(), 300);
    return () => clearInterval(t);
  }, [running, refresh]);

  if (!server) return null;
  // The id offered when none is typed: the export's name as a pack id ("My Export" -> my-export).
  const exportName = state?.exports.find((x) => x.source === source)?.name ?? '';
  const suggested = packIdFrom(exportName);
  const packId = id.trim() || suggested;
  // A finished import whose pack has since been removed is history, not news.
  const imports = (state?.imports ?? []).filter(
    (j) => j.state !== 'done' || state?.packs.some((p) => p.id === j.packId),
  );
  const useInGraph = (packId: string) => {
    const loaders = store.getState().graph.nodes.filter((n) => n.data.nodeType === 'ptp.loadModel');
    for (const n of loaders) store.setParam(n.id, 'pack', packId);
    notify('info', `${loaders.length} Load model node(s) now use “${packId}”`, 'pack-used');
  };
  const startImport = async () => {
    try {
      setError(undefined);
      await server.startImport({ source, id: packId });
      await refresh();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Modal className="models" testId="models" onClose={onClose} title="Models">
      {error && (
        <p className="error" data-testid="models-error">
          {error}
        </p>
      )}
      {!state && <p className="hint">loading…</p>}
      {state && (
        <table className="packs">
          <thead>
            <tr>
              <th>pack</th>
              <th>size</th>
              <th>scheduler</th>
              <th>controlled layers</th>
              <th>on disk</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {state.packs.map((p) => (
              <PackRow
                key={p.id}
                pack={p}
                onUse={() => useInGraph(p.id)}
                onRemove={() => {
                  // Its files go from disk: asked first, as deleting a run or a board is.
                  const using = store
                    .getState()
                    .graph.nodes.some((n) => n.data.nodeType === 'ptp.loadModel' && n.data.params.pack === p.id);
                  const question = `Remove the pack “${p.id}” and its files from the server?${using ? ' The open graph uses it.' : ''}`;
                  if (!window.confirm(question)) return;
                  void server.removePack(p.id).then(refresh, (err: Error) => setError(err.message));
                }}
              />
            ))}
          </tbody>
        </table>
      )}
      {state && (
        <section className="import">
          <h3>Import an export</h3>
          {state.exports.length === 0 ? (
            <p className="hint">
              No exports under the server's import folders (an optimum-layout ONNX export has a model_index.json; see{' '}
              <code>ptp serve --import-root</code>).
            </p>
          ) : (
            <div className="import-form">
              <select value={source} onChange={(e) => setSource(e.target.value)} data-testid="import-source">
                {state.exports.map((x) => (
                  <option key={x.source} value={x.source}>
                    {x.name}
                  </option>
                ))}
              </select>
              <input
                placeholder={suggested ? `pack id (${suggested})` : 'pack id, e.g. my-model'}
                value={id}
                onChange={(e) => setId(e.target.value)}
                data-testid="import-id"
              />
              <button
                type="button"
                disabled={!source || !packId}
                onClick={() => void startImport()}
                data-testid="import-start"
              >
                Import
              </button>
            </div>
          )}
          {imports.map((j) => (
            <ImportProgress key={j.id} job={j} />
          ))}
        </section>
      )}
    </Modal>
  );
}
