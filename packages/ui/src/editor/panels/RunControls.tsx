import { useEffect, useState } from 'react';
import { describeActivity, isRunActive } from '../model/runStatus';
import { useEditor, useRun } from '../hooks/useEditor';
import { useServerQueue } from '../hooks/useServerQueue';
import { useServices } from '../services/EditorContext';
import { RUN_TARGETS, type RunTarget } from '../services/RunController';
import { probeWebGpuAdapter, type AdapterInfo } from '../services/webgpuAdapter';
import type { EditorActions } from '../services/useEditorActions';
import { ServerButton } from './ServerButton';

function Elapsed({ since }: { since: number | undefined }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 250);
    return () => clearInterval(t);
  }, []);
  return since === undefined ? null : <span>{((performance.now() - since) / 1000).toFixed(1)} s</span>;
}

const TARGET_LABELS: Record<RunTarget, string> = {
  server: 'Server',
  browser: 'Browser (WebGPU)',
  wasm: 'Browser (WASM, CPU)',
};

/** Says when the browser's WebGPU is a software one, and offers what is faster there. */
function AdapterHint({ target, onTarget }: Pick<RunControlsProps, 'target' | 'onTarget'>) {
  const [adapter, setAdapter] = useState<AdapterInfo>();
  useEffect(() => {
    if (target !== 'browser' || adapter) return;
    let live = true;
    void probeWebGpuAdapter().then((a) => live && setAdapter(a));
    return () => {
      live = false;
    };
  }, [target, adapter]);
  if (target !== 'browser' || !adapter || (adapter.available && !adapter.software && adapter.shaderF16)) return null;
  const what = !adapter.available
    ? 'No WebGPU here: runs on WASM.'
    : `${adapter.software ? 'Software WebGPU: slow here' : 'WebGPU'}${
        adapter.shaderF16 ? '.' : '; no float16 packs (tiny-scenes).'
      }`;
  return (
    <span
      className="adapter-hint"
      data-testid="adapter-hint"
      title={`${adapter.name}${adapter.shaderF16 ? '' : ': no shader-f16, which onnxruntime-web needs for float16 weights'}`}
    >
      {what}{' '}
      <button type="button" className="link" onClick={() => onTarget('wasm')} data-testid="use-wasm">
        Use WASM
      </button>
    </span>
  );
}

/** What the running graph does now: loading, compiling, sampling step n/N with the time left. */
function Activity() {
  const { store } = useServices();
  const view = useRun((s) => s.view);
  const index = useEditor((s) => s.index);
  const activity = describeActivity(view, (id) => {
    const data = store.getState().graph.nodes.find((n) => n.id === id)?.data;
    if (!data) return undefined;
    return { type: data.nodeType, title: data.label || (index.byType.get(data.nodeType)?.title ?? data.nodeType) };
  });
  const paused = useServerQueue()?.paused === true && activity?.phase === 'queued';
  if (!activity) return null;
  return (
    <span className="activity" data-testid="run-activity" data-activity={activity.phase}>
      {activity.phase}
      {activity.detail ? `: ${activity.detail}` : ''}
      {paused && (
        <span className="error" data-testid="run-queue-paused">
          {' '}
          · the server's queue is paused (History: Resume queue)
        </span>
      )}
    </span>
  );
}

export interface RunControlsProps {
  actions: EditorActions;
  target: RunTarget;
  onTarget(t: RunTarget): void;
  onBatch(): void;
  browserRunner: boolean;
  /** Run on change (ComfyUI's auto queue): on, and how to turn it on or off. */
  autoRun: boolean;
  onAutoRun(on: boolean): void;
}

/** Where to run, Run or Cancel, run on change, and the run's phase and time. */
export function RunControls({
  actions,
  target,
  onTarget,
  onBatch,
  browserRunner,
  autoRun,
  onAutoRun,
}: RunControlsProps) {
  const { server } = useServices();
  const view = useRun((s) => s.view);
  const serial = useRun((s) => s.runSerial);
  const running = isRunActive(view);
  return (
    <div className="group run">
      <select
        value={target}
        onChange={(e) => onTarget(e.target.value as RunTarget)}
        data-testid="run-target"
        aria-label="where to run"
      >
        {RUN_TARGETS.map((t) => (
          <option key={t} value={t} disabled={t === 'server' ? !server : !browserRunner}>
            {TARGET_LABELS[t]}
          </option>
        ))}
      </select>
      <AdapterHint target={target} onTarget={onTarget} />
      {running ? (
        <>
          <button type="button" className="cancel" onClick={actions.cancel} data-testid="cancel">
            Cancel
          </button>
          {server && target === 'server' && (
            <button
              type="button"
              title="queue the graph as it is now on the server, behind this run (Ctrl+Enter); History follows it"
              onClick={() => void actions.queue()}
              data-testid="queue"
            >
              Queue
            </button>
          )}
        </>
      ) : (
        <>
          <button
            type="button"
            className="primary"
            title={
              target === 'server'
                ? 'run on the server, Ctrl+Enter (Shift+click: ahead of the runs waiting there)'
                : 'run (Ctrl+Enter)'
            }
            onClick={(e) => void actions.run(target, undefined, { front: target === 'server' && e.shiftKey })}
            data-testid="run"
          >
            Run
          </button>
          {target === 'server' && (
            <ServerButton
              server={Boolean(server)}
              onClick={() => void actions.run(target, undefined, { front: true })}
              title="run ahead of every run waiting on the server (ComfyUI's Queue Front)"
              testId="run-front"
            >
              Run next
            </ServerButton>
          )}
        </>
      )}
      <label
        className={`auto-run${autoRun ? ' on' : ''}`}
        title="run on change (ComfyUI's auto queue): the graph runs again a moment after each edit that could change its result; the cache keeps each run to what the edit reaches"
      >
        <input type="checkbox" checked={autoRun} onChange={(e) => onAutoRun(e.target.checked)} data-testid="auto-run" />
        Auto
      </label>
      <ServerButton
        server={Boolean(server)}
        onClick={onBatch}
        title="queue this workflow many times on the server: seeds per run, rows of prompts or params"
        testId="open-batch"
      >
        Batch…
      </ServerButton>
      <span className={`run-status ${view.phase}`} data-testid="run-status" data-phase={view.phase} data-run={serial}>
        {view.phase === 'idle' || running ? '' : view.phase}
        {running && <Activity />}
        {running && <Elapsed since={view.startedAt} />}
        {view.phase === 'success' && view.durationMs !== undefined && ` in ${(view.durationMs / 1000).toFixed(1)} s`}
      </span>
    </div>
  );
}
