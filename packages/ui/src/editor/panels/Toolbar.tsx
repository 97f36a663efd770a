import { useEffect, useRef, useState } from 'react';
import { isRunActive } from '../model/runStatus';
import { useEditor, useRun } from '../hooks/useEditor';
import { useServices } from '../services/EditorContext';
import type { RunTarget } from '../services/RunController';
import type { EditorActions } from '../services/useEditorActions';

function Elapsed({ since }: { since: number | undefined }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 250);
    return () => clearInterval(t);
  }, []);
  return since === undefined ? null : <span>{((performance.now() - since) / 1000).toFixed(1)} s</span>;
}

export function Toolbar(props: { actions: EditorActions; target: RunTarget; onTarget(t: RunTarget): void; onTemplates(): void; onLibrary(): void; browserRunner: boolean }) {
  const { actions, target } = props;
  const { server } = useServices();
  const name = useEditor((s) => s.graph.metadata.name);
  const dirty = useEditor((s) => s.dirty);
  const canUndo = useEditor((s) => s.canUndo);
  const canRedo = useEditor((s) => s.canRedo);
  const problems = useEditor((s) => s.problems);
  const library = useEditor((s) => s.library);
  const view = useRun((s) => s.view);
  const { store } = useServices();
  const running = isRunActive(view);
  const file = useRef<HTMLInputElement>(null);
  const graphProblems = problems.graph.filter((e) => e.severity !== 'warning');
  return (
    <header className="toolbar" data-testid="toolbar">
      <span className="brand">PtP Studio</span>
      <div className="group">
        <button type="button" onClick={actions.newWorkflow} data-testid="new">
          New
        </button>
        <button type="button" onClick={props.onTemplates} data-testid="open-templates">
          Templates
        </button>
        <button type="button" onClick={props.onLibrary} disabled={!server} title={server ? 'open from the server library' : 'needs the studio server'} data-testid="open-library">
          Open…
        </button>
        <button type="button" onClick={() => void actions.save()} disabled={!server} title="save to the server library (Ctrl+S)" data-testid="save">
          Save
        </button>
        <button type="button" onClick={() => void actions.save(true)} disabled={!server || !library} data-testid="save-as">
          Save as new
        </button>
        <button type="button" onClick={() => file.current?.click()} title="open a workflow JSON or a studio PNG" data-testid="import">
          Import
        </button>
        <input
          ref={file}
          type="file"
          accept=".json,application/json,.png,image/png"
          hidden
          data-testid="import-file"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void actions.openFile(f);
            e.target.value = '';
          }}
        />
        <button type="button" onClick={actions.exportJson} data-testid="export">
          Export
        </button>
      </div>
      <div className="group">
        <button type="button" onClick={actions.undo} disabled={!canUndo} title="Ctrl+Z" data-testid="undo">
          Undo
        </button>
        <button type="button" onClick={actions.redo} disabled={!canRedo} title="Ctrl+Shift+Z" data-testid="redo">
          Redo
        </button>
      </div>
      <input className="workflow-name" value={name} onChange={(e) => store.setMetadata({ name: e.target.value })} data-testid="workflow-name" aria-label="workflow name" />
      <span className={`dirty${dirty ? ' on' : ''}`} data-testid="dirty" data-dirty={dirty ? 'true' : 'false'} title={dirty ? 'unsaved changes' : 'saved'}>
        {dirty ? '● unsaved' : library ? `saved v${library.version}` : ''}
      </span>
      <div className="group run">
        <select value={target} onChange={(e) => props.onTarget(e.target.value as RunTarget)} data-testid="run-target" aria-label="where to run">
          <option value="browser" disabled={!props.browserRunner}>
            Browser (WebGPU)
          </option>
          <option value="server" disabled={!server}>
            Server
          </option>
        </select>
        {running ? (
          <button type="button" className="cancel" onClick={actions.cancel} data-testid="cancel">
            Cancel
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => void actions.run(target)} data-testid="run">
            Run
          </button>
        )}
        <span className={`run-status ${view.phase}`} data-testid="run-status" data-phase={view.phase}>
          {view.phase === 'idle' ? '' : view.phase}
          {running && <Elapsed since={view.startedAt} />}
          {view.phase === 'success' && view.durationMs !== undefined && ` in ${(view.durationMs / 1000).toFixed(1)} s`}
        </span>
      </div>
      <span className={`problems${problems.errorCount ? ' bad' : ''}`} data-testid="problem-count" data-count={problems.errorCount} title={[...graphProblems.map((e) => e.message), problems.errorCount ? 'see the marked nodes' : ''].join('\n')}>
        {problems.errorCount ? `${problems.errorCount} problem${problems.errorCount > 1 ? 's' : ''}` : 'valid'}
        {graphProblems.length > 0 && `: ${graphProblems[0]!.message}`}
      </span>
    </header>
  );
}
