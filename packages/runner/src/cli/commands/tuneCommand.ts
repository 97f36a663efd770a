import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeZodIssue, errorPlace, loadDocument, type NodeRegistry, type WorkflowDocument } from '@ptp/graph-core';
import {
  createNodeRegistry,
  DEFAULT_LCB_Z,
  DEFAULT_SELECT_RULE,
  defaultTuneSpace,
  ObjectiveWeightsSchema,
  SELECT_RULES,
  SelectRuleSchema,
  TuneSpaceSchema,
  tunePresets,
  type TuneSpace,
} from '@ptp/nodes';
import { metricNodes } from '../../sweep/EngineCellExecutor.js';
import { splitColumn, SweepSpecError } from '../../sweep/sweepSpec.js';
import { SweepResults } from '../../sweep/SweepResults.js';
import { planTune, runTune, type TuneEvent, type TuneSetup } from '../../tune/runTune.js';
import { tuneMarkdown } from '../../tune/tuneMarkdown.js';
import { tuneReport } from '../../tune/tuneReport.js';
import { paramProblem, setParam } from '../../workflowParams.js';
import { checkOutDir, EXIT, resolveUserPath, UsageError, type Command, type Io } from '../cliSupport.js';
import { readWorkflowText } from '../workflowFile.js';
import {
  checkExecutionValues,
  checkPairs,
  EXECUTION_OPTIONS,
  openExecution,
  parseJson,
  readPairsFile,
  readText,
  stopOnSigint,
} from './cellExecution.js';
import { lackedByCells } from './lackedByCells.js';
import { tuneSummary } from './tuneSummary.js';

const seedList = (raw: string, name: string): number[] => {
  const seeds = raw.split(',').map((s) => Number(s.trim()));
  if (!seeds.length || seeds.some((s) => !Number.isInteger(s) || s < 0))
    throw new UsageError(`${name} takes non-negative integer seeds separated by commas, got "${raw}"`);
  if (new Set(seeds).size !== seeds.length) throw new UsageError(`${name} names a seed twice`);
  return seeds;
};

/** What `ptp tune` accepts; its usage (main.ts) names exactly these (main.test.ts). */
export const TUNE_OPTIONS = {
  pairs: { type: 'string' },
  budget: { type: 'string' },
  out: { type: 'string' },
  'tune-seeds': { type: 'string', default: '1,2,3,4' },
  'test-seeds': { type: 'string', default: '101,102,103' },
  'search-seed': { type: 'string', default: '0' },
  // How the winner is picked among the candidates scored on the most seeds (mean | lcb | min).
  select: { type: 'string', default: DEFAULT_SELECT_RULE },
  'lcb-z': { type: 'string', default: String(DEFAULT_LCB_Z) },
  'first-seeds': { type: 'string', default: '1' },
  weights: { type: 'string' },
  space: { type: 'string' },
  steps: { type: 'string' },
  'schedule-node': { type: 'string', default: 'schedule' },
  'blend-node': { type: 'string' },
  'seed-node': { type: 'string', default: 'capture' },
  'metrics-node': { type: 'string' },
  // Skip the search for one setting for all pairs (on by default: per-pair vs shared tuning).
  'per-pair-only': { type: 'boolean', default: false },
  title: { type: 'string' },
  ...EXECUTION_OPTIONS,
} as const;

function parseTuneArgs(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    options: TUNE_OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('tune takes exactly one workflow file');
  if (!values.out) throw new UsageError('tune needs --out DIR');
  if (!values.pairs) throw new UsageError('tune needs --pairs FILE (the source/target pairs to tune for)');
  if (values.budget === undefined)
    throw new UsageError('tune needs --budget N (the runs per pair to spend on the search, e.g. 32)');
  const budget = Number(values.budget);
  if (!Number.isInteger(budget) || budget < 2 || budget > 10_000)
    throw new UsageError(`--budget takes the runs per pair to spend (2 to 10000), got "${values.budget}"`);
  checkExecutionValues(values);
  const steps = values.steps === undefined ? undefined : Number(values.steps);
  if (steps !== undefined && (!Number.isInteger(steps) || steps < 1 || steps > 1000))
    throw new UsageError(`--steps takes a step count, got "${values.steps}"`);
  const weights = ObjectiveWeightsSchema.safeParse(
    Object.fromEntries(
      (values.weights ?? '')
        .split(',')
        .filter(Boolean)
        .map((kv) => [kv.split('=')[0]!.trim(), Number(kv.split('=')[1])]),
    ),
  );
  if (!weights.success)
    throw new UsageError(
      `--weights takes success=3,iou=1,background=1,untouched=1: ${weights.error.issues.map((i) => `${i.path.join('.') || '(all)'}: ${describeZodIssue(i)}`).join('; ')}`,
    );
  const select = SelectRuleSchema.safeParse(values.select);
  if (!select.success) throw new UsageError(`--select takes ${SELECT_RULES.join(' | ')}, got "${values.select}"`);
  const lcbZ = Number(values['lcb-z']);
  if (!Number.isFinite(lcbZ) || lcbZ < 0 || lcbZ > 10)
    throw new UsageError(`--lcb-z takes the standard errors taken off the mean (0 to 10), got "${values['lcb-z']}"`);
  const firstSeeds = Number(values['first-seeds']);
  if (!Number.isInteger(firstSeeds) || firstSeeds < 1 || firstSeeds > 100)
    throw new UsageError(
      `--first-seeds takes the seeds per candidate at rung 0 (1 to 100), got "${values['first-seeds']}"`,
    );
  return {
    values,
    select: { rule: select.data, z: lcbZ },
    firstSeeds,
    file: resolveUserPath(positionals[0]!),
    outDir: resolveUserPath(values.out),
    budget,
    steps,
    weights: weights.data,
    tuneSeeds: seedList(values['tune-seeds'], '--tune-seeds'),
    testSeeds: seedList(values['test-seeds'], '--test-seeds'),
    searchSeed: seedList(values['search-seed'], '--search-seed')[0]!,
  };
}

/** What the workflow refuses in a --space file: a column's node or param, a range's ends, a choice or fixed value. */
function spaceProblems(space: TuneSpace, doc: WorkflowDocument, registry: NodeRegistry): string[] {
  const values = [
    ...space.dimensions.flatMap((d) =>
      ('values' in d ? d.values : [d.min, d.max]).map((v) => ({ column: d.column, v })),
    ),
    ...Object.entries(space.fixed).map(([column, v]) => ({ column, v })),
  ];
  const problems = values.flatMap(({ column, v }) => {
    const { node, param } = splitColumn(column);
    const problem = paramProblem(doc, registry, node, param, v);
    return problem ? [`${column}: ${problem}`] : [];
  });
  return [...new Set(problems)];
}

/** A sweep the budget, seeds or pairs cannot make is a mistake of the command line. */
const usageOf = (err: unknown): unknown => (err instanceof SweepSpecError ? new UsageError(err.message) : err);

function progress(io: Io) {
  const started = Date.now();
  return (e: TuneEvent) => {
    if (e.type === 'started') return;
    const what =
      e.type === 'skipped'
        ? 'done before'
        : e.result.status === 'ok'
          ? `${(e.result.ms / 1000).toFixed(1)} s`
          : `FAILED: ${e.result.error}`;
    const set = e.cell.axes.map(
      (c) =>
        `${c.slice(c.indexOf('.') + 1)}=${String(e.cell.assignments.find((a) => `${a.node}.${a.param}` === c)?.value)}`,
    );
    io.err(
      `[${e.phase} ${e.done}/${e.total}, ${Math.round((Date.now() - started) / 1000)} s] ${e.cell.pair} ${set.join(' ')} (${what})`,
    );
  };
}

/**
 * `ptp tune <workflow> --pairs pairs.json --budget N --out DIR`: per pair, successive halving over
 * schedule candidates on the tuning seeds, then tuned vs the reference defaults vs CL P2P on the
 * held-back seeds. results.csv (every run, resumable), results.json and results.md.
 */
export const tuneCommand: Command = async (args, io) => {
  const a = parseTuneArgs(args);
  const { values } = a;
  const registry = createNodeRegistry();
  const text = await readWorkflowText(a.file);
  const loaded = text.ok ? loadDocument(text.value, { registry }) : text;
  if (!loaded.ok) {
    for (const e of loaded.errors) io.err(`error ${e.code}: ${e.message}`);
    return EXIT.failed;
  }
  const doc = loaded.value;
  const has = (id: string) => doc.nodes.some((n) => n.id === id);
  for (const [flag, id, type] of [
    ['--schedule-node', values['schedule-node'], 'ptp.injectionSchedule'],
    ['--seed-node', values['seed-node'], 'ptp.captureSource'],
  ] as const) {
    if (has(id)) continue;
    // Said as the workflow's problem when the user named nothing, with the nodes that would do.
    const candidates = doc.nodes.filter((n) => n.type === type).map((n) => n.id);
    const given = args.some((x) => x === flag || x.startsWith(`${flag}=`));
    throw new UsageError(
      `${given ? `${flag}: no node "${id}"` : `no node "${id}" (the default of ${flag})`} in the workflow; ` +
        (candidates.length
          ? `its ${type} nodes: ${candidates.join(', ')} (e.g. ${flag} ${candidates[0]})`
          : `it has no ${type} node to tune`),
    );
  }
  const blend = values['blend-node'] ?? (has('blend') ? 'blend' : undefined);
  if (blend && blend !== 'none' && !has(blend))
    throw new UsageError(`--blend-node: no node "${blend}" in the workflow`);
  // Figures are read from this node only: any other id gave every run no figures and "ok: ... n/a".
  const measured = metricNodes(doc, registry).map((m) => m.node);
  const metricsNode = values['metrics-node'];
  if (metricsNode !== undefined && measured.length && !measured.includes(metricsNode))
    throw new UsageError(
      `--metrics-node: no node "${metricsNode}" with a METRICS output in the workflow; its METRICS nodes: ${measured.join(', ')}`,
    );
  if (a.steps !== undefined) setParam(doc, values['seed-node'], 'steps', a.steps);
  const nodes = { schedule: values['schedule-node'], ...(blend && blend !== 'none' ? { blend } : {}) };
  let space: TuneSpace = defaultTuneSpace(nodes);
  if (values.space) {
    const parsed = TuneSpaceSchema.safeParse(parseJson(await readText(resolveUserPath(values.space)), values.space));
    if (!parsed.success)
      throw new UsageError(
        `${values.space}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${describeZodIssue(i)}`).join('; ')}`,
      );
    space = parsed.data;
    // A column naming a node or param the workflow lacks would fail every run, or silently vary nothing.
    const problems = spaceProblems(space, doc, registry);
    if (problems.length) throw new UsageError(`${values.space}: ${problems.join('; ')}`);
  }
  const pairs = await readPairsFile(values.pairs!, values);
  checkPairs(doc, registry, pairs, values.pairs!);
  const setup: TuneSetup = {
    doc,
    pairs,
    space,
    presets: tunePresets(nodes),
    budget: a.budget,
    tuneSeeds: a.tuneSeeds,
    testSeeds: a.testSeeds,
    seedColumn: `${values['seed-node']}.seed`,
    weights: a.weights,
    searchSeed: a.searchSeed,
    shared: !values['per-pair-only'],
    select: a.select,
    firstSeeds: a.firstSeeds,
    ...(values['metrics-node'] ? { metricsNode: values['metrics-node'] } : {}),
  };
  // A budget or seeds the plan cannot use are refused before the output folder is made.
  try {
    planTune(setup);
  } catch (err) {
    throw usageOf(err);
  }
  // A pack or upload this machine lacks is refused here, as `ptp run` refuses it, and a workflow
  // with no METRICS output: nothing written. Candidates and seeds set only numbers, so the pairs
  // (their prompts and `set`) are what differs.
  const lacked = await lackedByCells({
    values,
    doc,
    registry,
    cells: setup.pairs,
    keepImages: values['save-images'],
    noun: 'pairs',
  });
  if (lacked.length) {
    for (const e of lacked) io.err(`error ${e.code}${errorPlace(e)}: ${e.message}`);
    return EXIT.failed;
  }

  await checkOutDir(a.outDir);
  await mkdir(a.outDir, { recursive: true });
  const paramColumns = [
    ...setup.pairs.flatMap((p) => p.assignments.map((x) => `${x.node}.${x.param}`)),
    ...space.dimensions.map((d) => d.column),
    ...Object.keys(space.fixed),
    ...Object.values(setup.presets).flatMap((p) => Object.keys(p)),
    setup.seedColumn,
  ];
  const results = await SweepResults.open(path.join(a.outDir, 'results.csv'), { paramColumns });
  const execution = await openExecution({ args, values, io, doc, registry, outDir: a.outDir });
  const controller = new AbortController();
  const sigint = stopOnSigint(io, controller, 'stopping: finished runs are kept; run the same command again to resume');
  const started = performance.now();
  const outcome = await runTune(setup, {
    executor: execution.executor,
    results,
    signal: controller.signal,
    onEvent: progress(io),
    ...(execution.concurrency !== undefined ? { concurrency: execution.concurrency } : {}),
  })
    .catch((err: unknown) => {
      throw usageOf(err);
    })
    .finally(async () => {
      sigint.dispose();
      await execution.close();
    });
  const command = ['pnpm ptp tune', ...args.map((x) => (/[^\w./,=:-]/.test(x) ? `'${x}'` : x))].join(' ');
  const report = tuneReport({
    setup,
    outcome,
    workflow: path.relative(process.env.INIT_CWD ?? process.cwd(), a.file),
    command,
    wallSeconds: (performance.now() - started) / 1000,
  });
  await writeFile(path.join(a.outDir, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(path.join(a.outDir, 'results.md'), tuneMarkdown(report, values.title));
  return tuneSummary(io, report, {
    ran: outcome.ran,
    wrote: path.join(a.outDir, 'results.md'),
    resultsCsv: results.file,
  });
};
