import { describeZodIssue } from '@ptp/graph-core';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { NodeRegistry, WorkflowDocument } from '@ptp/graph-core';
import { PROVIDERS, type Provider } from '../../backends/providers.js';
import { openQueueSweep } from '../../sweep/openQueueSweep.js';
import type { CellExecutor } from '../../sweep/runSweep.js';
import { PairsFileSchema, readPairs, type SweepPair } from '../../sweep/sweepSpec.js';
import { EngineCellExecutor } from '../../sweep/EngineCellExecutor.js';
import { defaultUploadsDir, nodeRunResources } from '../../uploads/nodeRunResources.js';
import { paramProblem } from '../../workflowParams.js';
import { cannotRead, resolveUserPath, UsageError, type Io } from '../cliSupport.js';
import { localBackend } from '../localSetup.js';

/**
 * What `ptp sweep` and `ptp tune` share: where their cells run (a local engine, or jobs on the
 * workers of --redis), the options that say so, the pairs file and Ctrl-C handling.
 */
export const EXECUTION_OPTIONS = {
  provider: { type: 'string', default: 'cpu' },
  packs: { type: 'string', multiple: true },
  uploads: { type: 'string', multiple: true },
  'save-images': { type: 'boolean', default: false },
  // Scale-out: one job per cell on the workers serving this Redis (ptp worker).
  redis: { type: 'string' },
  'redis-prefix': { type: 'string' },
  'in-flight': { type: 'string', default: '64' },
  'source-node': { type: 'string', default: 'source' },
  'target-node': { type: 'string', default: 'target' },
} as const;

export interface ExecutionValues {
  provider: string;
  packs?: string[];
  uploads?: string[];
  'save-images': boolean;
  redis?: string;
  'redis-prefix'?: string;
  'in-flight': string;
}

/** Usage errors in the execution options, found before anything opens. */
export function checkExecutionValues(values: ExecutionValues): void {
  if (!(PROVIDERS as readonly string[]).includes(values.provider))
    throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}`);
  // With --redis the workers load the packs (ptp worker --packs): said rather than ignored, as `ptp run`
  // says --packs with --server.
  if (values.redis !== undefined && values.packs)
    throw new UsageError(
      '--packs is for cells run here; with --redis the workers load their own packs (ptp worker --packs): leave out --packs or --redis',
    );
  const inFlight = Number(values['in-flight']);
  if (!Number.isInteger(inFlight) || inFlight < 1)
    throw new UsageError(`--in-flight takes a positive count, got "${values['in-flight']}"`);
}

/** Where the cells run: jobs on the workers of --redis, or an engine with a local backend. */
export interface Execution {
  executor: CellExecutor;
  concurrency?: number;
  close(): Promise<void>;
}

export async function openExecution(o: {
  args: string[];
  values: ExecutionValues;
  io: Io;
  doc: WorkflowDocument;
  registry: NodeRegistry;
  outDir: string;
}): Promise<Execution> {
  const { values, doc, registry, outDir } = o;
  checkExecutionValues(values);
  const uploads = nodeRunResources((values.uploads ?? [defaultUploadsDir()]).map(resolveUserPath));
  const imagesDir = values['save-images'] ? path.join(outDir, 'images') : undefined;
  // With --redis the provider is only asked for when given (else any worker's own will do).
  const providerGiven = o.args.some((a) => a === '--provider' || a.startsWith('--provider='));
  const remote = values.redis
    ? await openQueueSweep({
        url: values.redis,
        prefix: values['redis-prefix'],
        inFlight: Number(values['in-flight']),
        doc,
        registry,
        outDir,
        uploads: uploads.uploads!,
        ...(providerGiven ? { provider: values.provider as Provider } : {}),
        ...(imagesDir ? { imagesDir } : {}),
        log: (m) => o.io.err(`[queue] ${m}`),
      })
    : undefined;
  const backend = remote ? undefined : localBackend(values, o.io);
  const executor =
    remote?.executor ??
    new EngineCellExecutor(doc, registry, backend!, { resources: uploads, ...(imagesDir ? { imagesDir } : {}) });
  return {
    executor,
    ...(remote ? { concurrency: remote.concurrency } : {}),
    close: async () => {
      await backend?.release();
      await remote?.close();
    },
  };
}

/** The --pairs file as sweep cells' assignments to the source and target prompt nodes. */
export async function readPairsFile(
  file: string,
  values: { 'source-node': string; 'target-node': string },
): Promise<SweepPair[]> {
  const json = parseJson(await readText(resolveUserPath(file)), file);
  // The branch the file is written in, so that errors name the field (a union only says "Invalid input").
  const parsed = PairsFileSchema.options[Array.isArray(json) ? 0 : 1].safeParse(json);
  if (!parsed.success)
    throw new UsageError(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${describeZodIssue(i)}`).join('; ')}`,
    );
  return readPairs(parsed.data, { source: values['source-node'], target: values['target-node'] });
}

/**
 * Refuses, as a usage error before anything is written, a pair that sets a node the workflow
 * lacks or a param its node lacks: the first would fail every cell of the pair only once the
 * output folder was written, the second would silently change nothing (as --grid checks its axes).
 */
export function checkPairs(
  doc: WorkflowDocument,
  registry: NodeRegistry,
  pairs: readonly SweepPair[],
  file: string,
): void {
  for (const pair of pairs)
    for (const a of pair.assignments) {
      const problem = paramProblem(doc, registry, a.node, a.param);
      if (problem) throw new UsageError(`--pairs ${file}, pair "${pair.id}": ${problem} (from ${a.node}.${a.param})`);
    }
}

/**
 * The first Ctrl-C aborts `controller` (finished cells are kept), a second quits at once.
 * Returns how many came so far and a function that stops listening.
 */
export function stopOnSigint(io: Io, controller: AbortController, message: string) {
  let sigints = 0;
  const onSigint = () => {
    if (++sigints > 1) process.exit(130);
    io.err(`\n${message}`);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { count: () => sigints, dispose: () => process.off('SIGINT', onSigint) };
}

export async function readText(file: string): Promise<string> {
  return readFile(file, 'utf8').catch((err: unknown) => {
    throw cannotRead(file, err);
  });
}

export function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${name} is not JSON: ${(err as Error).message}`);
  }
}
