import type { GraphError, RunEvent } from '@ptp/graph-core';

export type NodeRunState = 'pending' | 'cached' | 'executing' | 'done' | 'error';

export interface NodeRunStatus {
  state: NodeRunState;
  /** The latest progress of an executing node. */
  progress?: { value: number; max: number };
  /** The first progress event of this execution (event time, ms), for the time-left estimate. */
  progressStart?: { value: number; time: number };
  /** Time of the latest progress event. */
  progressTime?: number;
  /** When the node started executing (event time, ms). */
  startedTime?: number;
  durationMs?: number;
}

export type RunPhase = 'idle' | 'starting' | 'running' | 'success' | 'error' | 'interrupted';

/** What the editor shows about the current (or last) run, folded from its RunEvents. */
export interface RunView {
  phase: RunPhase;
  runId?: string;
  /** Where it runs: the page's Web Worker or the studio server. */
  target?: 'browser' | 'server';
  nodes: Readonly<Record<string, NodeRunStatus>>;
  /** Errors of the run (a failing node, or every validation problem when the run was refused). */
  errors: GraphError[];
  durationMs?: number;
  /** The last event seen, to drop replays and out-of-order duplicates. */
  lastSeq: number;
  /** Wall-clock start (performance.now()) for the toolbar timer. */
  startedAt?: number;
}

export const IDLE_RUN: RunView = { phase: 'idle', nodes: {}, errors: [], lastSeq: -1 };

export function startRun(target: 'browser' | 'server', now: number): RunView {
  return { phase: 'starting', target, nodes: {}, errors: [], lastSeq: -1, startedAt: now };
}

const setNode = (view: RunView, id: string, status: NodeRunStatus): RunView => ({
  ...view,
  nodes: { ...view.nodes, [id]: status },
});

/** One event applied to the view; events at or below the last seq are ignored (socket replays). */
export function applyRunEvent(view: RunView, event: RunEvent): RunView {
  if (event.seq <= view.lastSeq) return view;
  let v: RunView = { ...view, lastSeq: event.seq, runId: event.runId };
  switch (event.type) {
    case 'run_started': {
      const nodes: Record<string, NodeRunStatus> = {};
      for (const id of event.nodes) nodes[id] = { state: 'pending' };
      for (const id of event.cached) nodes[id] = { state: 'cached' };
      return { ...v, phase: 'running', nodes, errors: [] };
    }
    case 'node_cached':
      for (const id of event.nodeIds) v = setNode(v, id, { state: 'cached' });
      return v;
    case 'node_executing':
      return setNode(v, event.nodeId, { state: 'executing', startedTime: event.time });
    case 'progress': {
      const before = v.nodes[event.nodeId];
      return setNode(v, event.nodeId, {
        state: 'executing',
        progress: { value: event.value, max: event.max },
        progressStart: before?.progressStart ?? { value: event.value, time: event.time },
        progressTime: event.time,
        ...(before?.startedTime !== undefined ? { startedTime: before.startedTime } : {}),
      });
    }
    case 'node_executed':
      return setNode(v, event.nodeId, { state: 'done', durationMs: event.durationMs });
    case 'error': {
      const errors: GraphError[] = event.errors?.length
        ? event.errors
        : [
            {
              code: event.code as GraphError['code'],
              message: event.message,
              severity: 'error',
              ...(event.nodeId !== undefined ? { nodeId: event.nodeId } : {}),
              ...(event.input !== undefined ? { input: event.input } : {}),
              ...(event.param !== undefined ? { param: event.param } : {}),
            },
          ];
      if (event.nodeId !== undefined) v = setNode(v, event.nodeId, { state: 'error' });
      return { ...v, phase: 'error', errors };
    }
    case 'success':
      return { ...v, phase: 'success', durationMs: event.durationMs };
    case 'interrupted': {
      // A node left executing was stopped mid-way: it is not done.
      const nodes = Object.fromEntries(
        Object.entries(v.nodes).map(([id, s]) => [id, s.state === 'executing' ? { state: 'pending' as const } : s]),
      );
      return { ...v, phase: 'interrupted', nodes };
    }
  }
}

/** A failure before any event (server unreachable, worker crashed) as a run error. */
export function failRun(view: RunView, code: string, message: string): RunView {
  return { ...view, phase: 'error', errors: [{ code: code as GraphError['code'], message, severity: 'error' }] };
}

export const isRunActive = (v: RunView): boolean => v.phase === 'starting' || v.phase === 'running';

/** Progress of a node as a fraction in [0, 1], or undefined when not executing. */
export function progressFraction(s: NodeRunStatus | undefined): number | undefined {
  if (s?.state !== 'executing') return undefined;
  if (!s.progress || s.progress.max <= 0) return 0;
  return Math.min(1, Math.max(0, s.progress.value / s.progress.max));
}

/**
 * Seconds left for a node from the pace of its progress so far (first progress event to the
 * latest); undefined until two steps have been seen.
 */
export function secondsLeft(s: NodeRunStatus | undefined): number | undefined {
  const p = s?.progress;
  const start = s?.progressStart;
  if (!p || !start || s.progressTime === undefined || p.value <= start.value) return undefined;
  const perStep = (s.progressTime - start.time) / (p.value - start.value);
  return Math.max(0, ((p.max - p.value) * perStep) / 1000);
}

/** Node types whose first step also builds their sessions (the wait a user sees as "compiling"). */
const SAMPLERS = new Set([
  'ptp.captureSource',
  'ptp.editSampler',
  'ptp.textToImage',
  'ptp.invert',
  'ptp.cycle',
  'ptp.editChain',
  'ptp.tune',
]);

/**
 * What the run is doing now, in words for the toolbar: loading the model, compiling (a sampler
 * before its first step), sampling with the sampler, step n/N and the time left, or the node that runs.
 */
export function describeActivity(
  view: RunView,
  nodeInfo: (id: string) => { type: string; title: string } | undefined,
): { phase: string; detail?: string; nodeId?: string } | undefined {
  if (view.phase === 'starting') return { phase: view.target === 'server' ? 'queued' : 'starting' };
  if (view.phase !== 'running') return undefined;
  const executing = Object.entries(view.nodes).find(([, s]) => s.state === 'executing');
  if (!executing) return { phase: 'running' };
  const [nodeId, status] = executing;
  const info = nodeInfo(nodeId);
  if (info?.type === 'ptp.loadModel') return { phase: 'loading', detail: 'the model', nodeId };
  const p = status.progress;
  if (p && p.max > 0 && p.value > 0) {
    const left = secondsLeft(status);
    const eta = left === undefined ? '' : ` · ~${left < 10 ? left.toFixed(1) : Math.round(left)} s left`;
    // Named, as a graph can have several samplers one after another (capture, then edit).
    return { phase: 'sampling', detail: `${info?.title ?? nodeId}, step ${p.value}/${p.max}${eta}`, nodeId };
  }
  if (info && SAMPLERS.has(info.type)) return { phase: 'compiling', detail: info.title, nodeId };
  return { phase: 'running', detail: info?.title ?? nodeId, nodeId };
}
