import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  errorPlace,
  loadDocument,
  type GraphError,
  type RunEvent,
  type RunRecord,
  type WorkflowDocument,
} from '@ptp/graph-core';
import { createNodeRegistry } from '@ptp/nodes';
import { StudioApiError, StudioClient } from '@ptp/graph-core/client';
import { downloadRunOutputs } from '../../client/downloadRunOutputs.js';
import { EXIT, resolveUserPath, UsageError, type Io } from '../cliSupport.js';
import { applySet } from '../applySet.js';
import { progressPrinter } from '../progressPrinter.js';

export interface RemoteRunArgs {
  server: string;
  token?: string | undefined;
  file: string;
  out: string;
  provider?: string | undefined;
  outputs?: string[] | undefined;
  set?: string[] | undefined;
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
    throw new Error(`cannot reach ${server}: ${(err as { cause?: { code?: string } }).cause?.code ?? err.message}`);
  });
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
    status: run.status,
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
 * Ctrl-C cancels the run on the server.
 */
export async function runRemote(args: RemoteRunArgs, io: Io): Promise<number> {
  const file = resolveUserPath(args.file);
  const outDir = resolveUserPath(args.out);
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${err.code ?? err.message}`);
  });
  const loaded = loadDocument(text, { registry: createNodeRegistry() });
  if (!loaded.ok) {
    for (const e of loaded.errors) io.err(`error ${describe(e)}`);
    return EXIT.failed;
  }
  const doc = loaded.value;
  for (const assignment of args.set ?? []) applySet(doc, assignment);

  const client = new StudioClient({ baseUrl: args.server, token: args.token, transports: ['websocket'] });
  const started = Date.now();
  const print = progressPrinter(io);
  let lastStatus = '';
  const onSigint = () => {
    io.err('cancelling the run on the server...');
    if (runId) void client.cancel(runId).catch(() => {});
  };
  let runId: string | undefined;
  process.once('SIGINT', onSigint);
  try {
    await checkReachable(client, args.server);
    const handle = await client.submit(
      {
        workflow: doc,
        options: {
          ...(args.provider ? { provider: args.provider as 'cpu' } : {}),
          ...(args.outputs?.length ? { targets: args.outputs } : {}),
        },
      },
      {
        onEvent: print,
        onStatus: (run) => {
          const line = run.status === 'queued' ? `queued (position ${(run.queuePosition ?? 0) + 1})` : run.status;
          if (line !== lastStatus) io.err(`run ${run.id}: ${line}`);
          lastStatus = line;
        },
      },
    );
    runId = handle.runId;
    const run: RunRecord = await handle.done;
    const written = run.status === 'succeeded' ? await downloadRunOutputs(client, run, outDir) : [];
    for (const w of written) io.err(`wrote ${w.file}`);
    await writeSummary(outDir, { file, doc, server: args.server, run, started, written, events: handle.events });
    if (run.status !== 'succeeded') {
      reportFailure(io, run);
      return EXIT.failed;
    }
    io.out(
      `ok: ${written.length} file(s) in ${outDir} (${((Date.now() - started) / 1000).toFixed(1)} s on ${args.server})`,
    );
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof StudioApiError)) throw err;
    io.err(`error ${describe(err)}`);
    for (const e of err.errors ?? []) io.err(`  ${describe(e)}`);
    return EXIT.failed;
  } finally {
    process.off('SIGINT', onSigint);
    client.close();
  }
}
