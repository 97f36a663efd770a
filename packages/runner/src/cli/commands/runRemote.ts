import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  chunkRuns,
  errorPlace,
  type BatchRun,
  type GraphError,
  type RunEvent,
  type RunRecord,
  type WorkflowDocument,
} from '@ptp/graph-core';
import { StudioApiError, StudioClient, type RunHandle, type RunHandlers } from '@ptp/graph-core/client';
import { downloadRunOutputs } from '../../client/downloadRunOutputs.js';
import { EXIT, type Io } from '../cliSupport.js';
import { describeServerFailure } from '../serverErrors.js';
import { progressPrinter } from '../progressPrinter.js';
import { clearBeforeFirstWrite } from './clearPreviousRun.js';
import { batchRunDir, finishRuns, type BatchReportRun } from './batchReport.js';

export interface RemoteRunArgs {
  server: string;
  token?: string | undefined;
  /** The workflow file (for summaries) and its loaded document, `--set` applied. */
  file: string;
  doc: WorkflowDocument;
  outDir: string;
  provider?: string | undefined;
  outputs?: string[] | undefined;
  /** `--front`: ahead of the runs waiting on the server (a batch keeps its own order). */
  front?: boolean | undefined;
  /** `--count/--rows`: the batch's runs (planBatch), each into its own folder. */
  batch?: readonly BatchRun[] | undefined;
}

function describe(e: {
  code: string;
  message: string;
  nodeId?: string | undefined;
  input?: string | undefined;
  param?: string | undefined;
}): string {
  return `${e.code}${errorPlace(e)}: ${e.message}`;
}

/** Fails early, with the reason, when the server does not answer. */
async function checkReachable(client: StudioClient, server: string): Promise<void> {
  await client.health().catch((err: Error) => {
    if (err instanceof StudioApiError) throw err;
    throw new Error(describeServerFailure(err, server, false).join('\n'));
  });
}

function queuedLine(place: number, paused = false): string {
  return `queued (position ${place + 1}${paused ? ', the queue is paused' : ''})`;
}

/**
 * While the run waits, its place is said again whenever it changes (a run ahead of it started, was
 * cancelled or jumped the queue), as History shows it; stops listening once the run has left the queue.
 */
async function followPlace(
  client: StudioClient,
  handle: RunHandle,
  report: (runId: string, line: string) => void,
): Promise<void> {
  if (handle.run.status !== 'queued') return;
  let stop: (() => void) | undefined;
  const leave = () => {
    stop?.();
    stop = undefined;
  };
  stop = await client.watchQueue({
    onStatus: () => {},
    onOrder: (order) => {
      // The record follows the run's own status messages: an order sent before it started says nothing now.
      if (handle.run.status !== 'queued') return leave();
      const place = order.waiting.indexOf(handle.runId);
      if (place >= 0) report(handle.runId, queuedLine(place, order.paused));
    },
  });
  void handle.done.finally(leave);
  // It may have started while the watch was being set up.
  if (handle.run.status !== 'queued') leave();
}

/** A server run's status in a local run's words: success, error, interrupted (or cancelled). */
function localStatus(status: RunRecord['status']): string {
  return status === 'succeeded' ? 'success' : status === 'failed' ? 'error' : status;
}

/** summary.json: the run's status, timings per node, outputs and errors. */
async function writeSummary(
  outDir: string,
  o: {
    file: string;
    doc: WorkflowDocument;
    server: string;
    run: RunRecord;
    started: number;
    written: { file: string; name: string }[];
    events: readonly RunEvent[];
  },
): Promise<void> {
  const { file, doc, run, started, written } = o;
  const durations = Object.fromEntries(
    o.events.flatMap((e) => (e.type === 'node_executed' ? [[e.nodeId, Math.round(e.durationMs)]] : [])),
  );
  const summary = {
    workflow: { file, name: doc.metadata.name },
    server: o.server,
    runId: run.id,
    // The local run's words (summary.json reads the same wherever the run ran); the server's beside them.
    status: localStatus(run.status),
    serverStatus: run.status,
    startedAt: new Date(started).toISOString(),
    totalMs: Date.now() - started,
    nodes: doc.nodes.map((n) => ({ id: n.id, type: n.type, params: n.params, ms: durations[n.id] ?? null })),
    outputs: written.map((w) => w.name),
    errors: run.error?.errors ?? (run.error ? [run.error] : []),
  };
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
}

/** The run's errors (or its status when it has none) on stderr. */
function reportFailure(io: Io, run: RunRecord): void {
  const errors: (GraphError | NonNullable<RunRecord['error']>)[] = run.error?.errors?.length
    ? run.error.errors
    : run.error
      ? [run.error]
      : [];
  for (const e of errors) io.err(`${run.status} ${describe(e)}`);
  if (!errors.length) io.err(`run ${run.id} ${run.status}`);
}

/**
 * `ptp run --server URL [--token T] workflow.json --out DIR`: the same run, executed by a studio
 * server. Progress streams over socket.io; outputs are downloaded into DIR with a summary.json.
 * A batch (`--count/--rows`) is queued whole first, so the server's workers share it, then followed
 * in order into DIR/001, ... with batch.json. Ctrl-C cancels the runs on the server.
 */
export async function runRemote(args: RemoteRunArgs, io: Io): Promise<number> {
  const { file, outDir } = args;
  const runs = args.batch ?? [{ document: args.doc, label: '', row: 0 }];
  const client = new StudioClient({ baseUrl: args.server, token: args.token, transports: ['websocket'] });
  const started = Date.now();
  const print = progressPrinter(io);
  const runIds: string[] = [];
  // History groups a batch's runs by this id (and can cancel what is left of it).
  const batchId = args.batch ? `cli-${started.toString(36)}-${Math.random().toString(36).slice(2, 8)}` : '';
  let stopping = false;
  const cancelEach = (ids: readonly string[]) => {
    for (const id of ids) void client.cancel(id).catch(() => {});
  };
  const onSigint = () => {
    stopping = true;
    io.err(`cancelling ${batchId ? `batch ${batchId}` : 'the run'} on the server...`);
    if (batchId) void client.cancelBatch(batchId).catch(() => cancelEach(runIds));
    else cancelEach(runIds);
  };
  process.once('SIGINT', onSigint);
  try {
    await checkReachable(client, args.server);
    const handles: (RunHandle | undefined)[] = [];
    const requests = runs.map((r, i) => ({
      workflow: r.document,
      options: {
        ...(args.provider ? { provider: args.provider as 'cpu' } : {}),
        ...(args.outputs?.length ? { targets: args.outputs } : {}),
      },
      ...(args.batch ? { batch: { id: batchId, index: i, size: runs.length } } : {}),
      ...(args.front ? { front: true } : {}),
    }));
    const say = (i: number) => {
      let last = '';
      const r = runs[i]!;
      const tag = args.batch ? ` (${i + 1}/${runs.length}${r.label ? `, ${r.label}` : ''})` : '';
      return (runId: string, line: string) => {
        if (line !== last) io.err(`run ${runId}${tag}: ${line}`);
        last = line;
      };
    };
    const handlers = (report: ReturnType<typeof say>): RunHandlers => ({
      // A batch's progress bars would interleave: its runs report their status only.
      ...(args.batch ? {} : { onEvent: print }),
      onStatus: (run) => report(run.id, run.status === 'queued' ? queuedLine(run.queuePosition ?? 0) : run.status),
    });
    if (!args.batch) {
      const report = say(0);
      const handle = await client.submit(requests[0]!, handlers(report));
      runIds.push(handle.runId);
      handles[0] = handle;
      if (stopping) cancelEach([handle.runId]);
      else await followPlace(client, handle, report);
    } else {
      io.err(`batch ${batchId}: queueing ${runs.length} runs${args.front ? ' at the front' : ''}`);
      // All checked before any is queued, in as few calls as the body limit allows. At the front,
      // a later call goes ahead of an earlier one: send the groups from the end.
      const groups = chunkRuns(requests);
      if (args.front) groups.reverse();
      const queued: RunRecord[] = [];
      for (const group of groups) {
        // Ctrl-C while the batch is being queued: nothing more is queued.
        if (stopping) break;
        const result = await client.submitBatch({ runs: group });
        runIds.push(...result.runs.map((r) => r.id));
        for (const run of result.runs) queued[run.batch!.index] = run;
      }
      // Queued while the batch was being cancelled: the server's cancel may have missed them.
      if (stopping) cancelEach(runIds);
      for (const [i, run] of queued.entries()) if (run) handles[i] = await client.follow(run.id, handlers(say(i)));
    }
    const report: BatchReportRun[] = [];
    const beforeWrite = clearBeforeFirstWrite(outDir, io);
    for (const [i, handle] of handles.entries()) {
      if (!handle) continue; // not queued: Ctrl-C came first
      const dir = args.batch ? batchRunDir(outDir, i) : outDir;
      const run: RunRecord = await handle.done;
      await beforeWrite();
      const written = run.status === 'succeeded' ? await downloadRunOutputs(client, run, dir) : [];
      for (const w of written) io.err(`wrote ${w.file}`);
      const doc = runs[i]!.document;
      await writeSummary(dir, { file, doc, server: args.server, run, started, written, events: handle.events });
      if (run.status !== 'succeeded') reportFailure(io, run);
      report.push({
        label: runs[i]!.label,
        dir: path.relative(outDir, dir) || '.',
        status: localStatus(run.status),
        outputs: written.map((w) => w.name),
      });
    }
    if (args.batch) await beforeWrite();
    return await finishRuns(io, {
      batch: Boolean(args.batch),
      outDir,
      workflow: { file, name: args.doc.metadata.name },
      runs: report,
      planned: runs.length,
      took: `${((Date.now() - started) / 1000).toFixed(1)} s on ${args.server}`,
    });
  } catch (err) {
    if (!(err instanceof StudioApiError)) throw err;
    for (const text of describeServerFailure(err, args.server, Boolean(args.token))) io.err(text);
    return EXIT.failed;
  } finally {
    process.off('SIGINT', onSigint);
    client.close();
  }
}
