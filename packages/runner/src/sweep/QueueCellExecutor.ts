import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  errorPlace,
  isFinalRunStatus,
  type NodeRegistry,
  type RunRecord,
  type RunRequestOptions,
  type WorkflowDocument,
} from '@ptp/graph-core';
import type { BullRunQueue } from '../queue/bull/BullRunQueue.js';
import { prepareRun } from '../queue/prepareRun.js';
import type { PreparedRun } from '../queue/RunQueue.js';
import { cellDocument, cellTargets } from './EngineCellExecutor.js';
import type { CellExecutor } from './runSweep.js';
import { columnOf, type SweepCell } from './sweepSpec.js';
import type { CellResult } from './SweepResults.js';

export interface QueueCellExecutorOptions {
  doc: WorkflowDocument;
  registry: NodeRegistry;
  queue: BullRunQueue;
  /** Names this sweep in the queue (e.g. its output folder): the same sweep run again finds its cells' runs. */
  sweepId: string;
  provider?: RunRequestOptions['provider'];
  /** Also fetch the output nodes' images into this folder (`<cell key>-<name>`). */
  imagesDir?: string;
  /** How often runs in flight are looked up, besides the live notices (which a Redis restart can drop). */
  pollMs?: number;
}

const NO_LIMITS = { maxSteps: Infinity, maxImageSize: Infinity, maxBatch: Infinity };
const RETRYABLE = new Set(['failed', 'cancelled', 'interrupted']);

/**
 * Runs sweep cells as queue jobs, spread over whatever `ptp worker`s serve the queue. A cell is
 * the workflow with its params set and the METRICS nodes as targets; its result is built from
 * the run's record and the METRICS values the worker stored, the same numbers EngineCellExecutor
 * gives. Each cell's run carries a clientRequestId derived from the sweep and the cell's exact
 * graph, so a sweep run again (after a crash or Ctrl-C) picks up the runs already queued or done
 * instead of computing them twice; a cell whose earlier run failed gets a new one.
 */
export class QueueCellExecutor implements CellExecutor {
  readonly #o: QueueCellExecutorOptions;
  readonly #metricNodes: { node: string; outputs: string[] }[];
  readonly #targets: string[];
  readonly #waiting = new Map<string, { settle: (run: RunRecord | undefined) => void; signal: AbortSignal }>();
  /** One abort listener per signal (not one per cell in flight). */
  readonly #hooked = new WeakSet<AbortSignal>();
  readonly #unsubscribe: () => void;
  readonly #sweepKey: string;
  #poll: NodeJS.Timeout | undefined;

  constructor(options: QueueCellExecutorOptions) {
    this.#o = options;
    const { doc, registry } = options;
    ({ metricNodes: this.#metricNodes, targets: this.#targets } = cellTargets(doc, registry, !!options.imagesDir));
    this.#sweepKey = createHash('sha256').update(options.sweepId).digest('hex').slice(0, 16);
    this.#unsubscribe = options.queue.subscribe((notice) => {
      if (notice.kind === 'status' && isFinalRunStatus(notice.run.status))
        this.#waiting.get(notice.run.id)?.settle(notice.run);
    });
  }

  async run(cell: SweepCell, signal: AbortSignal): Promise<CellResult | 'interrupted'> {
    const doc = cellDocument(this.#o.doc, cell);
    const options: RunRequestOptions = {
      targets: this.#targets,
      ...(this.#o.provider ? { provider: this.#o.provider } : {}),
    };
    const base = {
      key: cell.key,
      index: cell.index,
      pair: cell.pair,
      tags: cell.tags,
      params: Object.fromEntries(cell.assignments.map((a) => [columnOf(a), a.value])),
    };
    const prepared = prepareRun({ workflow: doc as never, options }, this.#o.registry, NO_LIMITS);
    if (!prepared.ok)
      return {
        ...base,
        ms: 0,
        status: 'error',
        metrics: {},
        error: `${prepared.error.code}${errorPlace(prepared.error)}: ${prepared.error.message}`,
      };
    const graphKey = createHash('sha256')
      .update(JSON.stringify([prepared.value.workflow, options]))
      .digest('hex')
      .slice(0, 32);

    const submitted = await this.#submit(prepared.value, graphKey, signal);
    if (submitted === 'interrupted') return 'interrupted';
    if ('error' in submitted) return { ...base, ms: 0, status: 'error', metrics: {}, error: submitted.error };
    const { run } = submitted;
    const final = await this.#waitFinal(run.id, signal);
    if (!final) return 'interrupted';
    const ms = final.startedAt && final.finishedAt ? Date.parse(final.finishedAt) - Date.parse(final.startedAt) : 0;
    if (final.status !== 'succeeded') {
      const e = final.error;
      return {
        ...base,
        ms,
        status: 'error',
        metrics: {},
        error: `${e?.code ?? final.status.toUpperCase()}${e ? errorPlace(e) : ''}: ${e?.message ?? final.status}`,
      };
    }
    const metrics = await this.#readMetrics(run.id);
    if (this.#o.imagesDir) await this.#saveImages(cell, final);
    return { ...base, ms, status: 'ok', metrics };
  }

  /**
   * Submits the cell's run under a clientRequestId that names the sweep, the exact graph and a
   * generation: an earlier run of the same cell is found again; a failed one moves to the next
   * generation. Waits while the queue is full.
   */
  async #submit(
    prepared: PreparedRun,
    graphKey: string,
    signal: AbortSignal,
  ): Promise<{ run: RunRecord } | { error: string } | 'interrupted'> {
    for (let generation = 0; ; generation++) {
      if (signal.aborted) return 'interrupted';
      const submitted = await this.#o.queue.submit({
        ...prepared,
        clientRequestId: `sweep:${this.#sweepKey}:${graphKey}:${generation}`,
      });
      if (!submitted.ok) {
        if (submitted.error.code !== 'QUEUE_FULL')
          return { error: `${submitted.error.code}: ${submitted.error.message}` };
        await sleep(1000, signal); // the queue is full: wait for room
        generation--;
        continue;
      }
      // An earlier run of this exact cell: reuse it unless it failed (a failed cell is run again)
      // or its numbers have expired from Redis.
      const earlier = submitted.value.duplicate ? submitted.value.run : undefined;
      if (earlier && RETRYABLE.has(earlier.status)) continue;
      if (earlier?.status === 'succeeded' && !(await this.#o.queue.store.readMetrics(earlier.id)).length) continue;
      return { run: submitted.value.run };
    }
  }

  /** The values (and context) of every METRICS output the run stored, as `<node>[.<output>].<name>`. */
  async #readMetrics(runId: string): Promise<CellResult['metrics']> {
    const metrics: CellResult['metrics'] = {};
    const stored = await this.#o.queue.store.readMetrics(runId);
    for (const { node, outputs } of this.#metricNodes) {
      for (const output of outputs) {
        const value = stored.find((m) => m.nodeId === node && m.output === output)?.value;
        if (!value) continue;
        const prefix = outputs.length > 1 && output !== 'metrics' ? `${node}.${output}` : node;
        for (const [k, v] of Object.entries(value.values)) metrics[`${prefix}.${k}`] = v;
        for (const [k, v] of Object.entries(value.context ?? {}))
          metrics[`${prefix}.${k}`] = typeof v === 'number' ? v : String(v);
      }
    }
    return metrics;
  }

  close(): void {
    this.#unsubscribe();
    clearInterval(this.#poll);
    this.#poll = undefined;
  }

  /** The run once final (live notice or lookup), or undefined when `signal` aborted first (the run stays queued). */
  #waitFinal(runId: string, signal: AbortSignal): Promise<RunRecord | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    if (!this.#hooked.has(signal)) {
      this.#hooked.add(signal);
      signal.addEventListener(
        'abort',
        () => {
          for (const waiter of [...this.#waiting.values()]) if (waiter.signal === signal) waiter.settle(undefined);
        },
        { once: true },
      );
    }
    return new Promise((resolve) => {
      const settle = (run: RunRecord | undefined) => {
        this.#waiting.delete(runId);
        if (!this.#waiting.size) {
          clearInterval(this.#poll);
          this.#poll = undefined;
        }
        resolve(run);
      };
      this.#waiting.set(runId, { settle, signal });
      this.#poll ??= setInterval(() => void this.#lookUp(), this.#o.pollMs ?? 1000);
      void this.#lookUp([runId]);
    });
  }

  async #lookUp(ids: string[] = [...this.#waiting.keys()]): Promise<void> {
    try {
      for (const run of await this.#o.queue.store.getMany(ids))
        if (isFinalRunStatus(run.status)) this.#waiting.get(run.id)?.settle(run);
    } catch {
      // Redis is away: the next tick tries again.
    }
  }

  async #saveImages(cell: SweepCell, run: RunRecord): Promise<void> {
    const dir = this.#o.imagesDir!;
    await mkdir(dir, { recursive: true });
    for (const output of run.outputs) {
      const file = await this.#o.queue.readOutput(run.id, output.name);
      if (file) await writeFile(path.join(dir, `${cell.key}-${path.basename(output.name)}`), file.data);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
