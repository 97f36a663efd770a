import type { GraphError, RunEvent, RunRecord, WorkflowDocument } from '@ptp/graph-core';
import type { Runner } from '../../runtime/Runner';
import type { RunHandle, StudioClient } from '@ptp/graph-core/client';
import { buildErrorMap, EMPTY_ERROR_MAP, type ErrorMap } from '../model/errorMap.js';
import { resultsFromRun, resultsFromServerOutputs, type NodeResult } from '../model/runResults.js';
import { canvasNodeIds, eventOnCanvas, resultsOnCanvas } from '../model/canvasNodeIds.js';
import { applyRunEvent, failRun, IDLE_RUN, isRunActive, startRun, type RunView } from '../model/runStatus.js';
import { nodeInputKeys } from '../model/nodeInputKeys.js';

/** Where a run goes: the studio server, or the page (WebGPU when it has an adapter, or WASM on the CPU). */
export type RunTarget = 'server' | 'browser' | 'wasm';
export const RUN_TARGETS: readonly RunTarget[] = ['server', 'browser', 'wasm'];

export interface RunState {
  view: RunView;
  /** The latest result of each node, kept across runs (a partial run leaves the others shown). */
  results: ReadonlyMap<string, NodeResult>;
  /** Latest progress preview per executing node (object URL). */
  previews: Readonly<Record<string, string>>;
  /** Errors of the last run, by node and input. */
  problems: ErrorMap;
  /** Small JSON summaries from `node_executed` (show value, metrics). */
  summaries: Readonly<Record<string, unknown>>;
  /** Counts runs started; a result whose `runSerial` differs comes from an earlier run. */
  runSerial: number;
  /** nodeInputKeys of the last run's canvas nodes: a node whose key differs now was edited since. */
  ranKeys: ReadonlyMap<string, string>;
}

/**
 * Runs the open graph in the browser or on the server, chosen per run, and folds the events both
 * send (the same RunEvent schema) into per-node status, results and errors for the canvas.
 */
export class RunController {
  #state: RunState = {
    view: IDLE_RUN,
    results: new Map(),
    previews: {},
    problems: EMPTY_ERROR_MAP,
    summaries: {},
    runSerial: 0,
    ranKeys: new Map(),
  };
  readonly #listeners = new Set<() => void>();
  #abort: AbortController | undefined;
  #cancelServer: (() => Promise<unknown>) | undefined;
  readonly #urls = new Set<string>();
  /** The running document's node ids for the canvas (a block's inner nodes show on the block). */
  #onCanvas: (id: string) => string = (id) => id;

  constructor(
    private readonly ports: { browser?: (provider?: 'auto' | 'wasm') => Promise<Runner>; server?: StudioClient },
  ) {}

  getState = (): RunState => this.#state;
  subscribe = (l: () => void): (() => void) => {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  };

  get hasServer(): boolean {
    return Boolean(this.ports.server);
  }

  #set(patch: Partial<RunState>): void {
    this.#state = { ...this.#state, ...patch };
    if (patch.view) this.#state.problems = buildErrorMap(this.#state.view.errors);
    for (const l of [...this.#listeners]) l();
  }

  #onEvent = (raw: RunEvent): void => {
    const event = eventOnCanvas(raw, this.#onCanvas);
    // "success" shows with the run's pictures, not before them beside the previous run's (the
    // server's outputs are fetched after its last event).
    if (event.type === 'success') {
      this.#heldEnd = event;
      return;
    }
    const view = applyRunEvent(this.#state.view, event);
    if (view === this.#state.view) return;
    const patch: Partial<RunState> = { view };
    // In-browser progress events carry their preview; the server sends them as separate frames.
    if (event.type === 'progress' && event.preview)
      patch.previews = this.#previewsWith(event.nodeId, this.#url(event.preview.data, event.preview.mime));
    if (event.type === 'node_cached' && event.summaries)
      patch.summaries = { ...this.#state.summaries, ...event.summaries };
    if (event.type === 'node_executed') {
      if (event.summary !== undefined) patch.summaries = { ...this.#state.summaries, [event.nodeId]: event.summary };
      if (this.#state.previews[event.nodeId]) patch.previews = this.#previewsWith(event.nodeId, undefined);
    }
    this.#set(patch);
  };

  #onPreview = (nodeId: string, mime: string, data: Uint8Array): void => {
    this.#set({ previews: this.#previewsWith(this.#onCanvas(nodeId), this.#url(data, mime)) });
  };

  /** The preview map with one node's preview replaced (or removed); the old object URL is freed. */
  #previewsWith(nodeId: string, url: string | undefined): Record<string, string> {
    const { [nodeId]: old, ...rest } = this.#state.previews;
    if (old) this.#revoke(old);
    return url ? { ...rest, [nodeId]: url } : rest;
  }

  #revoke(url: string): void {
    if (this.#urls.delete(url)) URL.revokeObjectURL(url);
  }

  #url(bytes: Uint8Array, mime: string): string {
    const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: mime }));
    this.#urls.add(url);
    return url;
  }

  /** The run's `success` event, applied when its results are in (#mergeResults) or as the run ends. */
  #heldEnd: RunEvent | undefined;

  #releaseEnd(patch: Partial<RunState> = {}): void {
    const end = this.#heldEnd;
    this.#heldEnd = undefined;
    if (end) patch = { ...patch, view: applyRunEvent(this.#state.view, end) };
    if (Object.keys(patch).length) this.#set(patch);
  }

  #mergeResults(flat: Map<string, NodeResult>): void {
    const fresh = resultsOnCanvas(flat, this.#onCanvas);
    for (const r of fresh.values())
      for (const img of r.images) if (!img.url && img.bytes) img.url = this.#url(img.bytes, img.mime);
    const results = new Map(this.#state.results);
    for (const [id, r] of fresh) {
      const key = this.#state.ranKeys.get(id);
      if (key !== undefined) r.inputsKey = key;
      for (const old of results.get(id)?.images ?? []) if (old.url) this.#revoke(old.url);
      results.set(id, r);
    }
    this.#releaseEnd({ results });
  }

  /** Starts a run; resolves when it has finished (whatever its outcome). One run at a time. */
  async run(
    doc: WorkflowDocument,
    target: RunTarget,
    options: {
      targets?: string[];
      /** The nodes the canvas shows and their flattened-id prefix (inside an open block); default: doc's. */
      canvas?: { nodes: readonly string[]; prefix: string };
      /** On the server: ahead of the runs waiting there (queue front). */
      front?: boolean;
    } = {},
  ): Promise<RunView> {
    const where = target === 'server' ? 'server' : 'browser';
    return this.#start(doc, where, options.canvas, () =>
      target === 'server'
        ? this.#runOnServer(doc, options.targets, options.front)
        : this.#runInBrowser(doc, options.targets, target === 'wasm' ? 'wasm' : 'auto'),
    );
  }

  /**
   * Follows server run `runId` (the page was reloaded while it ran) as if this page had started it:
   * progress, then its results on the canvas, marked against `doc`, the graph it runs.
   */
  async attach(
    runId: string,
    doc: WorkflowDocument,
    canvas?: { nodes: readonly string[]; prefix: string },
  ): Promise<RunView> {
    const client = this.ports.server;
    if (!client) return this.#state.view;
    return this.#start(doc, 'server', canvas, async () =>
      this.#followOnServer(
        await client.follow(runId, {
          onEvent: this.#onEvent,
          onPreview: (p) => this.#onPreview(p.nodeId, p.mime, p.data),
        }),
      ),
    );
  }

  /** One run at a time: starts the view, runs `go`, and ends it whatever happens. */
  async #start(
    doc: WorkflowDocument,
    where: 'server' | 'browser',
    onCanvas: { nodes: readonly string[]; prefix: string } | undefined,
    go: () => Promise<void>,
  ): Promise<RunView> {
    if (isRunActive(this.#state.view)) return this.#state.view;
    for (const url of Object.values(this.#state.previews)) this.#revoke(url);
    const canvas = new Set(onCanvas?.nodes ?? doc.nodes.map((n) => n.id));
    this.#onCanvas = canvasNodeIds(canvas, onCanvas?.prefix ?? '');
    this.#set({
      view: startRun(where, performance.now()),
      previews: {},
      runSerial: this.#state.runSerial + 1,
      ranKeys: nodeInputKeys(doc, canvas, this.#onCanvas),
    });
    this.#abort = new AbortController();
    this.#heldEnd = undefined;
    try {
      await go();
    } catch (err) {
      const e = err as Error & { code?: string; errors?: RunView['errors'] };
      // A success whose results could not be fetched ends as that error.
      this.#heldEnd = undefined;
      if (isRunActive(this.#state.view)) {
        const failed = failRun(this.#state.view, e.code ?? 'RUN_FAILED', e.message);
        this.#set({ view: e.errors?.length ? { ...failed, errors: e.errors } : failed });
      }
    } finally {
      this.#releaseEnd();
      this.#abort = undefined;
      this.#cancelServer = undefined;
    }
    return this.#state.view;
  }

  async #runInBrowser(doc: WorkflowDocument, targets: string[] | undefined, provider: 'auto' | 'wasm'): Promise<void> {
    if (!this.ports.browser)
      throw Object.assign(new Error('this build has no in-browser runner'), { code: 'NO_BROWSER_RUNNER' });
    const signal = this.#abort!.signal;
    const runner = await this.ports.browser(provider);
    const result = await runner.run(doc, { ...(targets ? { targets } : {}), signal, onEvent: this.#onEvent });
    if (result.status === 'success') this.#mergeResults(resultsFromRun(result, this.#state.runSerial));
    else if (isRunActive(this.#state.view)) {
      // Refused before the engine started (e.g. the worker could not load): no terminal event came.
      const errors = result.errors.map((e) => ({ severity: 'error', ...e }) as GraphError);
      this.#set({
        view:
          result.status === 'interrupted'
            ? { ...this.#state.view, phase: 'interrupted' }
            : {
                ...failRun(this.#state.view, errors[0]?.code ?? 'RUN_FAILED', errors[0]?.message ?? 'run failed'),
                ...(errors.length ? { errors } : {}),
              },
      });
    }
  }

  async #runOnServer(doc: WorkflowDocument, targets: string[] | undefined, front?: boolean): Promise<void> {
    const client = this.ports.server;
    if (!client)
      throw Object.assign(new Error('no studio server: open the editor from `pnpm ptp serve` to run there'), {
        code: 'NO_SERVER',
      });
    const handle = await client.submit(
      {
        workflow: doc,
        options: targets ? { targets } : {},
        clientRequestId: `editor-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
        ...(front ? { front: true } : {}),
      },
      { onEvent: this.#onEvent, onPreview: (p) => this.#onPreview(p.nodeId, p.mime, p.data) },
    );
    await this.#followOnServer(handle);
  }

  /** Waits for a server run to end, cancellable, and takes its results. */
  async #followOnServer(handle: RunHandle): Promise<void> {
    const client = this.ports.server!;
    this.#cancelServer = () => handle.cancel();
    if (this.#abort?.signal.aborted) await handle.cancel();
    const final = await handle.done;
    void handle.unfollow().catch(() => {});
    if (final.status === 'succeeded')
      this.#mergeResults(
        await resultsFromServerOutputs(
          final.outputs,
          (name) => client.outputUrl(final.id, name),
          this.#state.runSerial,
        ),
      );
    else if (isRunActive(this.#state.view)) {
      // The queue ended the run without a terminal event (e.g. cancelled while queued).
      const err = final.error;
      this.#set({
        view:
          final.status === 'cancelled' || final.status === 'interrupted'
            ? { ...this.#state.view, phase: 'interrupted' }
            : failRun(this.#state.view, err?.code ?? 'RUN_FAILED', err?.message ?? `run ${final.status}`),
      });
    }
  }

  /**
   * Shows what a finished server run made as the results of its graph, just opened (History,
   * Gallery): the pictures and maps it wrote, current until the graph is edited.
   */
  async showServerRun(run: RunRecord, doc: WorkflowDocument): Promise<void> {
    const client = this.ports.server;
    if (!client || isRunActive(this.#state.view) || !run.outputs.length) return;
    const runSerial = this.#state.runSerial + 1;
    const flat = await resultsFromServerOutputs(run.outputs, (name) => client.outputUrl(run.id, name), runSerial);
    // Another run, or another graph, may have started meanwhile.
    if (isRunActive(this.#state.view) || this.#state.results.size) return;
    const canvas = new Set(doc.nodes.map((n) => n.id));
    this.#onCanvas = canvasNodeIds(canvas, '');
    this.#set({ runSerial, ranKeys: nodeInputKeys(doc, canvas, this.#onCanvas) });
    this.#mergeResults(flat);
  }

  /** Asks the running graph to stop; the run ends with `interrupted`. */
  cancel(): void {
    this.#abort?.abort();
    void this.#cancelServer?.().catch(() => {});
  }

  /**
   * The graph changed: the last run's errors describe a graph that no longer exists (validation
   * shows what still applies), so they stop marking nodes. Results stay, marked by their run.
   */
  forgetErrors(): void {
    if (isRunActive(this.#state.view) || this.#state.view.errors.length === 0) return;
    this.#set({ view: { ...this.#state.view, errors: [] } });
  }

  /** Forgets results of nodes that no longer exist. */
  prune(nodeIds: ReadonlySet<string>): void {
    if ([...this.#state.results.keys()].every((id) => nodeIds.has(id))) return;
    this.#set({ results: new Map([...this.#state.results].filter(([id]) => nodeIds.has(id))) });
  }

  clear(): void {
    for (const url of this.#urls) URL.revokeObjectURL(url);
    this.#urls.clear();
    this.#set({ view: IDLE_RUN, results: new Map(), previews: {}, summaries: {}, runSerial: this.#state.runSerial });
  }
}
