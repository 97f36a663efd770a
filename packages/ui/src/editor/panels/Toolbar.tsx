import { useEffect, useRef, useState } from 'react';
import { useReactFlow } from '@xyflow/react';
import type { GraphError } from '@ptp/graph-core';
import type { EditorNode, NodeMode } from '../model/editorGraph';
import type { CatalogueIndex } from '../model/catalogueIndex';
import { paramLabel } from '../model/paramWidgets';
import { fieldMessage, problemsOf } from '../model/errorMap';
import { useEditor, useRun } from '../hooks/useEditor';
import { useServerQueue } from '../hooks/useServerQueue';
import { useServices } from '../services/EditorContext';
import type { RunTarget } from '../services/RunController';
import type { EditorActions } from '../services/useEditorActions';
import { BlockButtons } from './BlockButtons';
import { TuneResultsButton } from './TuneResultsButton';
import { RunControls } from './RunControls';
import { ServerButton } from './ServerButton';

type ToolbarProps = {
  actions: EditorActions;
  target: RunTarget;
  onTarget(t: RunTarget): void;
  onTemplates(): void;
  onLibrary(): void;
  onHistory(): void;
  onGallery(): void;
  onModels(): void;
  onBatch(): void;
  onKeys(): void;
  browserRunner: boolean;
  autoRun: boolean;
  onAutoRun(on: boolean): void;
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
      <button type="button" onClick={props.onKeys} title="keyboard shortcuts (?)" data-testid="open-keys">
        ?
      </button>
    </header>
  );
}

/** New, templates, the server library, import and export. */
function FileButtons({ actions, onTemplates, onLibrary, onHistory, onGallery, onModels }: ToolbarProps) {
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
      <ServerButton
        server={Boolean(server)}
        onClick={onHistory}
        title="the server's queue and every run it kept"
        testId="open-history"
      >
        History
        <QueueBadge />
      </ServerButton>
      <ServerButton
        server={Boolean(server)}
        onClick={onGallery}
        title="every picture the server made, and boards to keep them in"
        testId="open-gallery"
      >
        Gallery
      </ServerButton>
      <ServerButton
        server={Boolean(server)}
        onClick={onModels}
        title="the model packs the server sees; import and remove"
        testId="open-models"
      >
        Models
      </ServerButton>
      <TuneResultsButton />
    </div>
  );
}

const MODE_BUTTONS: readonly { mode: NodeMode; label: string; title: string }[] = [
  {
    mode: 'bypass',
    label: 'Bypass',
    title:
      'bypass the selected nodes, or bring them back (Ctrl+B): a bypassed node does not run, its outputs pass on its inputs of the same type',
  },
  {
    mode: 'mute',
    label: 'Mute',
    title:
      'mute the selected nodes, or bring them back (Ctrl+M): a muted node does not run, nor does what needs its outputs',
  },
];

function HistoryButtons({ actions }: { actions: EditorActions }) {
  const { store } = useServices();
  const rf = useReactFlow();
  const canUndo = useEditor((s) => s.canUndo);
  const canRedo = useEditor((s) => s.canRedo);
  const selected = useEditor((s) => s.graph.nodes.some((n) => n.selected));
  const inBlock = useEditor((s) => s.scope !== undefined);
  const arrange = () => {
    store.arrange();
    requestAnimationFrame(() => void rf.fitView({ padding: 0.05, maxZoom: 1, duration: 0 }));
  };
  return (
    <div className="group">
      <button type="button" onClick={actions.undo} disabled={!canUndo} title="Ctrl+Z" data-testid="undo">
        Undo
      </button>
      <button type="button" onClick={actions.redo} disabled={!canRedo} title="Ctrl+Shift+Z" data-testid="redo">
        Redo
      </button>
      <button type="button" onClick={arrange} title="lay the graph out in compact columns" data-testid="arrange">
        Arrange
      </button>
      <button
        type="button"
        onClick={() => store.groupSelection()}
        disabled={!selected || inBlock}
        title={inBlock ? 'frames are not kept inside blocks' : 'frame the selected nodes in a group (Ctrl+G)'}
        data-testid="group"
      >
        Group
      </button>
      {MODE_BUTTONS.map(({ mode, label, title }) => (
        <button
          key={mode}
          type="button"
          onClick={() => store.toggleMode(mode)}
          disabled={!selected}
          title={title}
          data-testid={mode}
        >
          {label}
        </button>
      ))}
      <BlockButtons />
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
        title={name}
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

/** Beside History: how many runs wait on the server, and whether its queue is paused (as ComfyUI's queue size). */
function QueueBadge() {
  const queue = useServerQueue();
  if (!queue || (!queue.total && !queue.paused)) return null;
  return (
    <span className={`queue-badge${queue.paused ? ' paused' : ''}`} data-testid="queue-badge">
      {queue.total}
      {queue.paused ? ' · paused' : ''}
    </span>
  );
}

const NO_ERRORS: readonly GraphError[] = [];

/**
 * The problem count (or, with none, the last run's errors while they hold); clicked, the list of
 * them, each selecting (and showing) its node.
 */
function ProblemCount() {
  const { store } = useServices();
  const problems = useEditor((s) => s.problems);
  const nodes = useEditor((s) => s.graph.nodes);
  const index = useEditor((s) => s.index);
  const rf = useReactFlow();
  const [open, setOpen] = useState(false);
  const wrap = useRef<HTMLSpanElement>(null);
  // The last run's errors while they still hold (an edit forgets them): "ready to run" beside a
  // failed run read as a contradiction, so the failure is counted and listed here instead.
  const runErrors = useRun((s) => (s.view.phase === 'error' ? s.view.errors : NO_ERRORS));
  const failed = problems.errorCount === 0 && runErrors.length > 0;
  const list = failed
    ? runErrors
    : [...problems.graph, ...[...problems.byNode.values()].flatMap(problemsOf)].filter((e) => e.severity !== 'warning');
  useEffect(() => {
    if (!list.length) setOpen(false);
  }, [list.length]);
  // Closed as a menu is: Escape, or a press anywhere else.
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    const onDown = (e: PointerEvent) => !wrap.current?.contains(e.target as Node) && setOpen(false);
    window.addEventListener('keydown', onKey);
    window.addEventListener('pointerdown', onDown, true);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('pointerdown', onDown, true);
    };
  }, [open]);
  const show = (nodeId: string | undefined) => {
    const n = nodeId && nodes.find((x) => x.id === nodeId);
    if (!n) return;
    store.selectOnly([n.id]);
    const w = n.measured?.width ?? 240;
    const h = n.measured?.height ?? 160;
    void rf.setCenter(n.position.x + w / 2, n.position.y + h / 2, { zoom: Math.max(rf.getZoom(), 0.9), duration: 0 });
    setOpen(false);
  };
  const label = problems.errorCount
    ? `${problems.errorCount} problem${problems.errorCount > 1 ? 's' : ''}`
    : failed
      ? `last run: ${runErrors.length} error${runErrors.length > 1 ? 's' : ''}`
      : nodes.length
        ? 'ready to run'
        : 'empty canvas';
  return (
    <span className="problems-wrap" ref={wrap}>
      <button
        type="button"
        className={`problems${list.length ? ' bad' : ''}`}
        data-testid="problem-count"
        data-count={problems.errorCount}
        data-run-errors={failed ? runErrors.length : 0}
        disabled={!list.length}
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        {label}
      </button>
      {open && (
        <ul className="problem-list" data-testid="problem-list" role="menu">
          {list.map((e, i) => (
            <li key={i} role="menuitem">
              <button
                type="button"
                onClick={() => show(e.nodeId)}
                data-testid="problem-item"
                data-node={e.nodeId ?? ''}
              >
                <strong>{titleOf(e.nodeId, nodes, index)}</strong>
                {e.param ? ` · ${paramLabel(e.param)}` : e.input ? ` · ${e.input}` : ''}: {fieldMessage(e.message)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </span>
  );
}

/** The node's name as its header shows it (its label, else its type's title). */
function titleOf(nodeId: string | undefined, nodes: readonly EditorNode[], index: CatalogueIndex): string {
  if (!nodeId) return 'Graph';
  const n = nodes.find((x) => x.id === nodeId);
  if (!n) return nodeId;
  return n.data.label ?? index.byType.get(n.data.nodeType)?.title ?? nodeId;
}
