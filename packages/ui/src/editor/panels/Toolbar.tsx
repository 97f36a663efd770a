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

type ToolbarProps = {
  actions: EditorActions;
  target: RunTarget;
  onTarget(t: RunTarget): void;
  onTemplates(): void;
  onLibrary(): void;
  browserRunner: boolean;
};

export function Toolbar(props: ToolbarProps) {
  return (
    <header className="toolbar" data-testid="toolbar">
      <span className="brand">PtP Studio</span>
      <FileButtons {...props} />
      <HistoryButtons actions={props.actions} />
      <WorkflowName />
      <RunControls {...props} />
      <ProblemCount />
    </header>
  );
}

/** New, templates, the server library, import and export. */
function FileButtons({ actions, onTemplates, onLibrary }: ToolbarProps) {
  const { server } = useServices();
  const library = useEditor((s) => s.library);
  const file = useRef<HTMLInputElement>(null);
  return (
    <div className="group">
      <button type="button" onClick={actions.newWorkflow} data-testid="new">
        New
      </button>
      <button type="button" onClick={onTemplates} data-testid="open-templates">
        Templates
      </button>
      <button
        type="button"
        onClick={onLibrary}
        disabled={!server}
        title={server ? 'open from the server library' : 'needs the studio server'}
        data-testid="open-library"
      >
        Open…
      </button>
      <button
        type="button"
        onClick={() => void actions.save()}
        disabled={!server}
        title="save to the server library (Ctrl+S)"
        data-testid="save"
      >
        Save
      </button>
      <button
        type="button"
        onClick={() => void actions.save(true)}
        disabled={!server || !library}
        data-testid="save-as"
      >
        Save as new
      </button>
      <button
        type="button"
        onClick={() => file.current?.click()}
        title="open a workflow JSON or a studio PNG"
        data-testid="import"
      >
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
  );
}

function HistoryButtons({ actions }: { actions: EditorActions }) {
  const canUndo = useEditor((s) => s.canUndo);
  const canRedo = useEditor((s) => s.canRedo);
  return (
    <div className="group">
      <button type="button" onClick={actions.undo} disabled={!canUndo} title="Ctrl+Z" data-testid="undo">
        Undo
      </button>
      <button type="button" onClick={actions.redo} disabled={!canRedo} title="Ctrl+Shift+Z" data-testid="redo">
        Redo
      </button>
    </div>
  );
}

/** The workflow's name, editable, and whether it is saved. */
function WorkflowName() {
  const { store } = useServices();
  const name = useEditor((s) => s.graph.metadata.name);
  const dirty = useEditor((s) => s.dirty);
  const library = useEditor((s) => s.library);
  return (
    <>
      <input
        className="workflow-name"
        value={name}
        onChange={(e) => store.setMetadata({ name: e.target.value })}
        data-testid="workflow-name"
        aria-label="workflow name"
      />
      <span
        className={`dirty${dirty ? ' on' : ''}`}
        data-testid="dirty"
        data-dirty={dirty ? 'true' : 'false'}
        title={dirty ? 'unsaved changes' : 'saved'}
      >
        {dirty ? '● unsaved' : library ? `saved v${library.version}` : ''}
      </span>
    </>
  );
}

/** Where to run, Run or Cancel, and the run's phase and time. */
function RunControls({ actions, target, onTarget, browserRunner }: ToolbarProps) {
  const { server } = useServices();
  const view = useRun((s) => s.view);
  const running = isRunActive(view);
  return (
    <div className="group run">
      <select
        value={target}
        onChange={(e) => onTarget(e.target.value as RunTarget)}
        data-testid="run-target"
        aria-label="where to run"
      >
        <option value="browser" disabled={!browserRunner}>
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
  );
}

function ProblemCount() {
  const problems = useEditor((s) => s.problems);
  const graphProblems = problems.graph.filter((e) => e.severity !== 'warning');
  return (
    <span
      className={`problems${problems.errorCount ? ' bad' : ''}`}
      data-testid="problem-count"
      data-count={problems.errorCount}
      title={[...graphProblems.map((e) => e.message), problems.errorCount ? 'see the marked nodes' : ''].join('\n')}
    >
      {problems.errorCount ? `${problems.errorCount} problem${problems.errorCount > 1 ? 's' : ''}` : 'valid'}
      {graphProblems.length > 0 && `: ${graphProblems[0]!.message}`}
    </span>
  );
}
