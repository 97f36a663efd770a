import { memo, useCallback, useMemo, useState, type CSSProperties } from 'react';
import { Handle, Position, useStore, type Node, type NodeProps, type ReactFlowState } from '@xyflow/react';
import { subgraphIdOf, type CatalogueEntry, type GraphError } from '@ptp/graph-core';
import type { EditorEdge, PtpNodeData } from '../model/editorGraph';
import { inputProblemLabel, type NodeProblems } from '../model/errorMap';
import { paramValue, paramWidgets, shownParams } from '../model/paramWidgets';
import { wordsForPicker } from '../model/promptWords';
import { progressFraction, type NodeRunStatus } from '../model/runStatus';
import { useAsLastRun, useEditor, useFreshness, useRun } from '../hooks/useEditor';
import { summaryLines } from '../model/summaryLines';
import { useServices } from '../services/EditorContext';
import { useRenameNode } from './useRenameNode';
import { MODE_BADGES } from './modeBadges';
import { ParamField } from './ParamField';
import { Reroute } from './Reroute';
import { categoryColor } from './categoryColors';

export type FlowNode = Node<PtpNodeData, 'ptp'>;

const NO_WORDS: readonly string[] = [];

/**
 * Below this zoom nodes draw only their header and sockets: their widgets are too small to use,
 * and a zoomed-out view of hundreds of nodes then repaints a fraction of the text and controls.
 */
export const LOW_DETAIL_ZOOM = 0.3;
const isLowDetail = (s: ReactFlowState) => s.transform[2] < LOW_DETAIL_ZOOM;

function merge(
  a: NodeProblems | undefined,
  b: NodeProblems | undefined,
  pick: (p: NodeProblems) => Record<string, GraphError[]>,
  key: string,
): GraphError[] | undefined {
  const x = a ? pick(a)[key] : undefined;
  const y = b ? pick(b)[key] : undefined;
  return x && y ? [...x, ...y] : (x ?? y);
}

const linkedCache = new WeakMap<readonly EditorEdge[], Map<string, string>>();

/** Per node, the socket names its links use, computed once per edge list (every placeholder reads it). */
function linkedSocketKeys(edges: readonly EditorEdge[]): Map<string, string> {
  let keys = linkedCache.get(edges);
  if (keys) return keys;
  const ins = new Map<string, Set<string>>();
  const outs = new Map<string, Set<string>>();
  const add = (m: Map<string, Set<string>>, id: string, name: string) => {
    let set = m.get(id);
    if (!set) m.set(id, (set = new Set()));
    set.add(name);
  };
  for (const e of edges) {
    add(ins, e.target, e.targetHandle);
    add(outs, e.source, e.sourceHandle);
  }
  keys = new Map();
  for (const id of new Set([...ins.keys(), ...outs.keys()]))
    keys.set(id, `${[...(ins.get(id) ?? [])].join('\n')}\u0001${[...(outs.get(id) ?? [])].join('\n')}`);
  linkedCache.set(edges, keys);
  return keys;
}

/** Socket names an unknown node type uses, read from its links (so they stay attached). */
function useLinkedSockets(id: string, known: boolean): { inputs: string[]; outputs: string[] } {
  const key = useEditor((s) => (known ? '' : (linkedSocketKeys(s.graph.edges).get(id) ?? '')));
  return useMemo(() => {
    const [i = '', o = ''] = key.split('\u0001');
    return { inputs: i ? i.split('\n') : [], outputs: o ? o.split('\n') : [] };
  }, [key]);
}

const NO_EXPOSED: ReadonlyMap<string, string> = new Map();

/** Inside an open block: this node's sockets or params the block exposes (name inside -> name outside). */
function useExposed(id: string, kind: 'inputs' | 'outputs' | 'params'): ReadonlyMap<string, string> {
  return useEditor((s) => s.scope?.exposures[kind].get(id) ?? NO_EXPOSED);
}

function ExposedTag({ name, side }: { name: string; side: 'in' | 'out' | 'param' }) {
  const what =
    side === 'in'
      ? `the block's input "${name}" feeds it from outside`
      : side === 'out'
        ? `the block's output "${name}" shows it outside`
        : `the block's param "${name}": a value set on a block node overrides this one`;
  return (
    <span className="exposed" title={what} data-testid="exposed">
      {side === 'out' ? `${name} ⇢` : `⇠ ${name}`}
    </span>
  );
}

function Sockets({
  id,
  entry,
  problems,
}: {
  id: string;
  entry: CatalogueEntry;
  problems: (input: string) => GraphError[] | undefined;
}) {
  const index = useEditor((s) => s.index);
  const exposedIn = useExposed(id, 'inputs');
  const exposedOut = useExposed(id, 'outputs');
  const inputs = Object.entries(entry.inputs);
  const outputs = Object.entries(entry.outputs);
  const rows = Math.max(inputs.length, outputs.length);
  return (
    <div className="sockets">
      {Array.from({ length: rows }, (_, r) => {
        const input = inputs[r];
        const output = outputs[r];
        const errs = input ? problems(input[0]) : undefined;
        // Only warnings (e.g. muted upstream): said in the warning colour, not as an error.
        const mild = errs?.every((e) => e.severity === 'warning');
        return (
          <div className="socket-row" key={r}>
            {input ? (
              <div
                className={`socket in${errs ? (mild ? ' has-warning' : ' has-error') : ''}`}
                data-testid={`input-${id}-${input[0]}`}
                title={`${input[1].type}${input[1].optional ? ' (optional)' : ''}${input[1].multi ? ' (takes many links)' : ''}${input[1].description ? `: ${input[1].description}` : ''}`}
              >
                <Handle
                  type="target"
                  position={Position.Left}
                  id={input[0]}
                  className={input[1].multi ? 'multi' : undefined}
                  style={{ background: index.colorOf(input[1].type) }}
                />
                <span>
                  {input[1].label}
                  {input[1].optional ? '?' : ''}
                </span>
                {exposedIn.has(input[0]) && <ExposedTag name={exposedIn.get(input[0])!} side="in" />}
                {errs && (
                  <span
                    className={`input-error${mild ? ' warning' : ''}`}
                    data-testid={`input-error-${id}-${input[0]}`}
                    title={[...new Set(errs.map((e) => e.message))].join('\n')}
                  >
                    {inputProblemLabel(errs)}
                  </span>
                )}
              </div>
            ) : (
              <div className="socket in" />
            )}
            {output ? (
              <div className="socket out" title={output[1].type}>
                {exposedOut.has(output[0]) && <ExposedTag name={exposedOut.get(output[0])!} side="out" />}
                <span>{output[1].label}</span>
                <Handle
                  type="source"
                  position={Position.Right}
                  id={output[0]}
                  style={{ background: index.colorOf(output[1].type) }}
                />
              </div>
            ) : (
              <div className="socket out" />
            )}
          </div>
        );
      })}
    </div>
  );
}

function Params({
  id,
  entry,
  params,
  problems,
}: {
  id: string;
  entry: CatalogueEntry;
  params: Record<string, unknown>;
  problems: (param: string) => GraphError[] | undefined;
}) {
  const { store } = useServices();
  const widgets = useMemo(() => paramWidgets(entry), [entry]);
  const wordWidgets = useMemo(
    () => widgets.filter((w) => w.kind === 'words' || w.kind === 'word-values' || w.kind === 'word-windows'),
    [widgets],
  );
  // Recomputed when the graph's meaning changes (never per drag frame), joined into one string so
  // unchanged words keep their arrays and the param fields do not re-render.
  const revision = useEditor((s) => s.revision);
  const index = useEditor((s) => s.index);
  const wordsKey = useMemo(() => {
    if (!wordWidgets.length || revision < 0) return '';
    const graph = store.wordsGraph(); // current as of `revision`; inside a block, with the graph around it
    return wordWidgets
      .map((w) =>
        wordsForPicker(id, 'wordsFrom' in w ? w.wordsFrom : undefined, graph.nodes, graph.edges, index).join('\n'),
      )
      .join('\u0001');
  }, [revision, index, wordWidgets, id, store]);
  const words = useMemo(() => {
    const parts = wordsKey.split('\u0001');
    return new Map(wordWidgets.map((w, i) => [w.name, parts[i] ? parts[i]!.split('\n') : []]));
  }, [wordsKey, wordWidgets]);
  const onChange = useCallback((name: string, value: unknown) => store.setParam(id, name, value), [store, id]);
  const exposed = useExposed(id, 'params');
  const [more, setMore] = useState(false);
  const { shown, hidden } = shownParams(entry, params, (name) => Boolean(problems(name)?.length));
  if (!widgets.length) return null;
  return (
    <div className="params">
      {widgets
        .filter((w) => more || shown.has(w.name))
        .map((w) => (
          <ParamField
            key={w.name}
            nodeId={id}
            widget={w}
            value={paramValue(entry, params, w.name)}
            errors={problems(w.name)}
            words={words.get(w.name) ?? NO_WORDS}
            onChange={onChange}
            {...(exposed.has(w.name) ? { exposedAs: exposed.get(w.name)! } : {})}
          />
        ))}
      {hidden > 0 && (
        <button
          type="button"
          className="nodrag link more-params"
          onClick={() => setMore((m) => !m)}
          data-testid={`more-params-${id}`}
        >
          {more ? 'fewer settings' : `${hidden} more setting${hidden > 1 ? 's' : ''}`}
        </button>
      )}
    </div>
  );
}

/**
 * An output node's images, in a slot of fixed size that is there before the first run too: a
 * node never grows when results arrive, so it cannot cover its neighbours. Live previews of
 * samplers are shown in the results panel, not here, for the same reason.
 */
function Results({ id, nodeType, output }: { id: string; nodeType: string; output: boolean }) {
  const result = useRun((s) => s.results.get(id));
  const summary = useRun((s) => s.summaries[id]);
  const freshness = useFreshness(id, result);
  const stale = freshness !== undefined && freshness !== 'current';
  const showValue = nodeType === 'ptp.showValue' && summary !== undefined;
  // An output node that makes figures, not pictures (Edit metrics, Shape judge) shows them on its face.
  const figures = !showValue && output && summary !== undefined && !result?.images.length && !result?.heatmaps;
  if (!output && !result?.images.length && !showValue) return null;
  return (
    <div className={`node-results${stale ? ' stale' : ''}`} data-testid={`node-results-${id}`}>
      {result?.heatmaps ? (
        <div className="node-maps-hint">
          maps of {result.heatmaps.maps.map((m) => m.word).join(', ')}: shown in the results panel
        </div>
      ) : result && result.images.length > 0 ? (
        <div className={`node-images${result.images.length > 2 ? ' many' : ''}`}>
          {result.images.slice(0, 4).map((img, i) => (
            <img
              key={img.url ?? i}
              src={img.url}
              alt={img.name}
              title={img.name}
              data-testid={`node-image-${id}`}
              data-index={i}
            />
          ))}
          {result.images.length > 4 && <span className="more">+{result.images.length - 4}</span>}
        </div>
      ) : showValue ? (
        <pre className="node-summary nowheel">{JSON.stringify(summary, null, 1).slice(0, 600)}</pre>
      ) : figures ? (
        <table className="node-figures nowheel" data-testid={`node-figures-${id}`}>
          <tbody>
            {summaryLines(summary).map(([k, v]) => (
              <tr key={k}>
                <th>{k}</th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <div className="node-images empty">no result yet: press Run</div>
      )}
    </div>
  );
}

/**
 * The node's own errors, plus the problems naming an input or param this node type does not show
 * (they still need a home).
 */
function nodeErrorsOf(
  entry: CatalogueEntry | undefined,
  problems: NodeProblems | undefined,
  runProblems: NodeProblems | undefined,
): GraphError[] {
  const nodeErrors = [
    ...(problems?.node ?? []),
    ...(runProblems?.node ?? []),
    ...Object.values(problems?.outputs ?? {}).flat(),
  ];
  if (entry) {
    for (const p of [problems, runProblems]) {
      for (const [k, errs] of Object.entries(p?.inputs ?? {})) if (!(k in entry.inputs)) nodeErrors.push(...errs);
      for (const [k, errs] of Object.entries(p?.params ?? {}))
        if (!(k in ((entry.params.properties ?? {}) as object))) nodeErrors.push(...errs);
    }
  }
  return nodeErrors;
}

const formatDuration = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

function NodeHeader(props: {
  id: string;
  data: PtpNodeData;
  entry: CatalogueEntry | undefined;
  status: NodeRunStatus | undefined;
  hasError: boolean;
  nodeErrors: GraphError[];
}) {
  const { id, data, entry, status, hasError, nodeErrors } = props;
  const { store } = useServices();
  const rename = useRenameNode();
  const state = status?.state ?? 'idle';
  const title = data.label ?? entry?.title ?? data.nodeType;
  return (
    <header style={{ borderTopColor: categoryColor(entry?.category) }}>
      <button
        type="button"
        className="collapse nodrag"
        title={data.collapsed ? 'expand' : 'collapse'}
        onClick={() => store.setNodeUi(id, { collapsed: !data.collapsed })}
      >
        {data.collapsed ? '▸' : '▾'}
      </button>
      <span
        className="title"
        title={entry?.description ? `${title}: ${entry.description}` : title}
        onDoubleClick={() => void rename({ id, data })}
      >
        {title}
      </span>
      <span className="node-id">{id}</span>
      {subgraphIdOf(data.nodeType) !== undefined && (
        <button
          type="button"
          className="badge block nodrag"
          title="edit the block's inside here: changes apply to every node of this block"
          data-testid={`open-block-${id}`}
          onClick={() => store.openBlock(id)}
        >
          edit ✎
        </button>
      )}
      {subgraphIdOf(data.nodeType) !== undefined && (
        <button
          type="button"
          className="badge block nodrag"
          title="a block: its nodes run as if unfolded; click to unfold it"
          data-testid={`unfold-${id}`}
          onClick={() => store.unfold(id)}
        >
          unfold ⤢
        </button>
      )}
      {data.pinned && (
        <span className="badge pinned" data-testid={`pinned-${id}`} title="pinned: it does not move (node menu: Unpin)">
          pinned
        </span>
      )}
      {data.mode && (
        <span
          className={`badge ${MODE_BADGES[data.mode].word}`}
          data-testid={`${MODE_BADGES[data.mode].word}-${id}`}
          title={MODE_BADGES[data.mode].title}
        >
          {MODE_BADGES[data.mode].word}
        </span>
      )}
      {state === 'cached' && (
        <span className="badge cached" data-testid={`cached-${id}`} title="outputs reused from the cache">
          cached
        </span>
      )}
      {state === 'done' && status?.durationMs !== undefined && (
        <span className="badge done">{formatDuration(status.durationMs)}</span>
      )}
      {hasError && (
        <span className="badge error" title={nodeErrors.map((e) => e.message).join('\n')}>
          !
        </span>
      )}
    </header>
  );
}

function ProgressBar({ id, progress }: { id: string; progress: number }) {
  return (
    <div
      className="progress"
      data-testid={`progress-${id}`}
      role="progressbar"
      aria-valuenow={Math.round(progress * 100)}
      aria-valuemin={0}
      aria-valuemax={100}
    >
      <div style={{ width: `${progress * 100}%` }} />
    </div>
  );
}

/** An unknown node type: handles for the sockets its links use (so they stay attached), its params as text. */
function PlaceholderBody({
  data,
  linked,
  lowDetail,
}: {
  data: PtpNodeData;
  linked: { inputs: string[]; outputs: string[] };
  lowDetail: boolean;
}) {
  return (
    <div className="placeholder-body">
      <div className="sockets">
        {linked.inputs.map((name) => (
          <div className="socket-row" key={`in-${name}`}>
            <div className="socket in">
              <Handle type="target" position={Position.Left} id={name} isConnectable={false} />
              <span>{name}</span>
            </div>
          </div>
        ))}
        {linked.outputs.map((name) => (
          <div className="socket-row" key={`out-${name}`}>
            <div className="socket in" />
            <div className="socket out">
              <span>{name}</span>
              <Handle type="source" position={Position.Right} id={name} isConnectable={false} />
            </div>
          </div>
        ))}
      </div>
      {!lowDetail && (
        <p className="hint">
          Unknown node type “{data.nodeType}” v{data.typeVersion}: kept as a placeholder, cannot run.
        </p>
      )}
      {!data.collapsed && !lowDetail && Object.keys(data.params).length > 0 && (
        <pre className="node-summary nowheel">{JSON.stringify(data.params, null, 1).slice(0, 400)}</pre>
      )}
    </div>
  );
}

function NodeErrors({ id, errors }: { id: string; errors: GraphError[] }) {
  return (
    <ul className="node-errors" data-testid={`node-error-${id}`}>
      {errors.map((e, i) => (
        <li key={i} className={e.severity} data-code={e.code} title={e.message}>
          {e.message}
        </li>
      ))}
    </ul>
  );
}

/**
 * A node on the canvas: typed handles coloured by socket type, the param widgets, validation and
 * run errors where they belong, a progress bar while it executes, a marker when its outputs came
 * from the cache, and its images. Unknown node types render as placeholders that keep their links.
 */
export const PtpNode = memo(function PtpNode({ id, data, selected }: NodeProps<FlowNode>) {
  const entry = useEditor((s) => s.index.byType.get(data.nodeType));
  const problems = useEditor((s) => s.problems.byNode.get(id));
  const runProblems = useRun((s) => s.problems.byNode.get(id));
  const ran = useRun((s) => s.view.nodes[id]);
  // An edit since the run (here or upstream) leaves its timing, "cached" and failure saying nothing of the node now.
  const status = useAsLastRun(id, ran !== undefined) ? ran : undefined;
  const linked = useLinkedSockets(id, Boolean(entry));
  const lowDetail = useStore(isLowDetail);
  const inputProblems = useCallback(
    (name: string) => merge(problems, runProblems, (p) => p.inputs, name),
    [problems, runProblems],
  );
  const paramProblems = useCallback(
    (name: string) => merge(problems, runProblems, (p) => p.params, name),
    [problems, runProblems],
  );
  const nodeErrors = nodeErrorsOf(entry, problems, runProblems);
  const hasError =
    nodeErrors.some((e) => e.severity !== 'warning') ||
    Boolean(
      problems &&
      [...Object.values(problems.inputs), ...Object.values(problems.params)]
        .flat()
        .some((e) => e.severity !== 'warning'),
    ) ||
    status?.state === 'error';
  const progress = progressFraction(status);
  const state = status?.state ?? 'idle';
  // Downstream of a muted node: it does not run either, so it looks muted too.
  const silenced = Boolean(
    problems &&
    Object.values(problems.inputs)
      .flat()
      .some((e) => e.code === 'MUTED_INPUT'),
  );
  if (entry?.passThrough)
    return <Reroute id={id} data={data} selected={Boolean(selected)} hasError={hasError || silenced} />;
  return (
    <div
      className={`ptp-node${selected ? ' selected' : ''}${hasError ? ' error' : ''}${entry ? '' : ' placeholder'}${data.mode ? ` ${MODE_BADGES[data.mode].word}` : ''}${silenced ? ' silenced' : ''} run-${state}`}
      data-testid={`node-${id}`}
      data-node-type={data.nodeType}
      data-run-state={state}
      data-has-error={hasError ? 'true' : 'false'}
      data-mode={data.mode ?? (silenced ? 'silenced' : 'normal')}
      data-color={data.color}
      style={data.color ? ({ '--node-color': data.color } as CSSProperties) : undefined}
      data-detail={lowDetail ? 'low' : 'full'}
    >
      <NodeHeader id={id} data={data} entry={entry} status={status} hasError={hasError} nodeErrors={nodeErrors} />
      {progress !== undefined && <ProgressBar id={id} progress={progress} />}
      {entry ? (
        <>
          <Sockets id={id} entry={entry} problems={inputProblems} />
          {!data.collapsed && !lowDetail && (
            <Params id={id} entry={entry} params={data.params} problems={paramProblems} />
          )}
        </>
      ) : (
        <PlaceholderBody data={data} linked={linked} lowDetail={lowDetail} />
      )}
      {!lowDetail && <Results id={id} nodeType={data.nodeType} output={entry?.output ?? false} />}
      {nodeErrors.length > 0 && !lowDetail && <NodeErrors id={id} errors={nodeErrors} />}
    </div>
  );
});
