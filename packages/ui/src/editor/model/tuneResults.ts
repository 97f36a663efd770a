import { parseCsv } from '@ptp/graph-core';
import { objective, objectiveInputs, TuneFailuresSchema } from '@ptp/nodes';
import { z } from 'zod';
import { failedRuns, type FailedRuns } from './failedRuns';

/**
 * A sweep's or a tune's results as one table the editor can show, plot and load from: rows of
 * schedule settings (`node.param` -> value) with a score (J, tuneObjective.ts) and the figures
 * behind it. Read from `ptp tune`'s results.json, `ptp sweep`'s results.csv, or a Tune node's
 * summary in the last run.
 */
export interface ResultRow {
  readonly label: string;
  readonly params: Readonly<Record<string, number>>;
  /** J (higher is better); null when the row has none. */
  readonly score: number | null;
  readonly figures: Readonly<Record<string, number | null>>;
  /**
   * Why the row has no settings to use: every run of its pair failed, so its "best" was never
   * scored (only the first candidate sampled). Absent on a row that can be used.
   */
  readonly unscored?: string;
}

export interface ResultTable {
  readonly title: string;
  readonly source: 'tune' | 'sweep' | 'tune-node';
  /** Param columns, in order. */
  readonly columns: readonly string[];
  /** Figure columns, in order. */
  readonly figures: readonly string[];
  readonly rows: readonly ResultRow[];
  /** Index of the row with the best score; undefined when no row has settings to use. */
  readonly best: number | undefined;
  /** Lines under the table (held-back comparison, cost). */
  readonly notes: readonly string[];
  /** The runs that failed (a results.json of `ptp tune` with a `failures` section); absent when none did. */
  readonly failures?: FailedRuns;
}

export type ParseResult = { ok: true; table: ResultTable } | { ok: false; code: 'UNREADABLE'; message: string };

const Stat = z.object({ n: z.number(), mean: z.number().nullable(), half: z.number().nullable() }).loose();
const Stats = z.record(z.string(), Stat);
/** The part of `ptp tune`'s results.json (TuneReportSchema in the runner) the editor reads. */
export const TuneFileSchema = z
  .object({
    kind: z.literal('ptp.tune'),
    pairs: z.array(
      z
        .object({
          id: z.string(),
          best: z.object({ params: z.record(z.string(), z.number()), tuneMean: z.number().nullable() }).loose(),
          test: z.record(z.string(), Stats),
        })
        .loose(),
    ),
    overall: z.record(z.string(), Stats),
    shared: z
      .object({ best: z.object({ params: z.record(z.string(), z.number()), tuneMean: z.number().nullable() }).loose() })
      .loose()
      .optional(),
    cost: z.object({ tuneRunsPerPair: z.number(), testRuns: z.number() }).loose(),
    // The runner's own schema; absent in files written before failures were recorded.
    failures: TuneFailuresSchema.optional(),
  })
  .loose();

/** Columns whose value differs between rows first (what the plot and the eye want), constant ones after. */
function varyingFirst(columns: readonly string[], rows: readonly ResultRow[]): string[] {
  // Rows with no settings would make every column look varying.
  const used = rows.filter((r) => !r.unscored);
  const varies = (c: string) => new Set(used.map((r) => r.params[c])).size > 1;
  return [...columns.filter(varies), ...columns.filter((c) => !varies(c))];
}

/** The best-scored row that has settings to use (the first on ties); undefined when none has. */
const bestIndex = (rows: readonly ResultRow[]) =>
  rows.reduce<number | undefined>(
    (b, r, i) => (r.unscored || (b !== undefined && (r.score ?? -Infinity) <= (rows[b]!.score ?? -Infinity)) ? b : i),
    undefined,
  );
const fmt = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v.toFixed(3));

function fromTuneFile(data: z.infer<typeof TuneFileSchema>): ResultTable {
  const settings = Object.keys(data.overall);
  const failures = failedRuns(data.failures, data.shared !== undefined);
  const allFailed = new Set(data.failures?.pairsAllFailed);
  // A row whose runs all failed keeps its label and nothing else: its settings were never scored.
  const unscored = (label: string): ResultRow => ({
    label,
    params: {},
    score: null,
    figures: {},
    unscored: 'every run failed',
  });
  const perPair = data.pairs.map((p): ResultRow =>
    allFailed.has(p.id)
      ? unscored(p.id)
      : {
          label: p.id,
          params: p.best.params,
          score: p.test.tuned?.j?.mean ?? p.best.tuneMean,
          figures: {
            'J (tuning seeds)': p.best.tuneMean,
            ...Object.fromEntries(settings.map((s) => [`J ${s} (held back)`, p.test[s]?.j?.mean ?? null])),
          },
        },
  );
  // One setting tuned for every pair comes first and is the one to load by default: a per-pair
  // winner is best only for its own edit. It is tuned on the pairs with a run that finished, so
  // with none it was never scored either.
  const noneFinished = failures?.all || (data.pairs.length > 0 && data.pairs.every((p) => allFailed.has(p.id)));
  const shared: ResultRow[] = data.shared
    ? [
        noneFinished
          ? unscored('all pairs (one setting)')
          : {
              label: 'all pairs (one setting)',
              params: data.shared.best.params,
              score: data.overall.shared?.j?.mean ?? data.shared.best.tuneMean,
              figures: {
                'J (tuning seeds)': data.shared.best.tuneMean,
                ...Object.fromEntries(settings.map((s) => [`J ${s} (held back)`, data.overall[s]?.j?.mean ?? null])),
              },
            },
      ]
    : [];
  const rows = [...shared, ...perPair];
  return {
    title: 'Tuned schedules (ptp tune)',
    source: 'tune',
    columns: varyingFirst([...new Set(rows.flatMap((r) => Object.keys(r.params)))], rows),
    figures: ['J (tuning seeds)', ...settings.map((s) => `J ${s} (held back)`)],
    rows,
    best: shared.length && !shared[0]!.unscored ? 0 : bestIndex(rows),
    notes: [
      // With every run failed there is nothing held back to compare: the failures say so.
      ...(failures?.all
        ? []
        : [
            `Held back, all pairs: ${settings.map((s) => `${s} ${fmt(data.overall[s]?.j?.mean)} ± ${fmt(data.overall[s]?.j?.half)}`).join(', ')}.`,
          ]),
      `Cost: ${data.cost.tuneRunsPerPair} runs per pair to tune, ${data.cost.testRuns} held-back runs.`,
    ],
    ...(failures ? { failures } : {}),
  };
}

const numberOf = (s: string | undefined): number | null =>
  s === undefined || s === '' ? null : s === 'inf' ? Infinity : Number.isNaN(Number(s)) ? null : Number(s);

/**
 * A sweep's results.csv: cells grouped by their numeric schedule params (pair texts, words and
 * seeds set apart), each group's J and figures averaged over its cells.
 */
function fromSweepCsv(text: string): ResultTable | undefined {
  const [header, ...body] = parseCsv(text).rows.filter((r) => r.length > 1);
  if (!header || header[0] !== 'key') return undefined;
  const at = (row: string[], c: string) => row[header.indexOf(c)];
  const ok = body.filter((r) => at(r, 'status') === 'ok');
  const numeric = (c: string) => ok.some((r) => numberOf(at(r, c)) !== null);
  // A node that reports an edit figure (Edit metrics) is a metrics node: all its columns are
  // figures (psnr, ssim, changedObjects, ...), never settings.
  const metricNodes = new Set(
    header.flatMap(
      (c) =>
        /^([^.:]+)\.(success|iou|backgroundPsnr|untouchedPsnr|keptPsnrMin|editedRight|structureIoU)$/.exec(c)?.[1] ??
        [],
    ),
  );
  const nodeOf = (c: string) => c.slice(0, c.indexOf('.'));
  const metricCols = header.filter((c) => /^[^.:]+\.[^.]+$/.test(c) && metricNodes.has(nodeOf(c)) && numeric(c));
  const isParam = (c: string) =>
    /^[^.:]+\.[^.]+$/.test(c) && !metricNodes.has(nodeOf(c)) && !/\.(seed|text|sourceWords|targetWords)$/.test(c);
  const columns = header.filter((c) => isParam(c) && numeric(c));
  const groups = new Map<string, string[][]>();
  for (const r of ok) {
    const k = columns.map((c) => at(r, c)).join('|');
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const rows = [...groups.values()].map((cells): ResultRow => {
    const scores = cells.flatMap((r) => {
      const f = objectiveInputs(Object.fromEntries(metricCols.map((c) => [c, numberOf(at(r, c))])));
      return f ? [objective(f)] : [];
    });
    const params = Object.fromEntries(columns.map((c) => [c, numberOf(at(cells[0]!, c)) ?? Number.NaN]));
    return {
      label: `${cells.length} cell${cells.length > 1 ? 's' : ''}`,
      params,
      score: mean(scores),
      figures: Object.fromEntries(
        metricCols.map((c) => [
          c,
          mean(cells.map((r) => numberOf(at(r, c))).filter((v): v is number => v !== null && Number.isFinite(v))),
        ]),
      ),
    };
  });
  rows.sort((a, b) => (b.score ?? -Infinity) - (a.score ?? -Infinity));
  return {
    title: 'Sweep (ptp sweep), by setting',
    source: 'sweep',
    columns: varyingFirst(columns, rows),
    figures: metricCols,
    rows,
    best: bestIndex(rows),
    notes: [`${ok.length} finished cells in ${rows.length} settings; J averaged over each setting's pairs and seeds.`],
  };
}

/** Reads a file the user opened: `ptp tune`'s results.json or `ptp sweep`'s results.csv. */
export function parseResultsFile(text: string, name: string): ParseResult {
  if (name.endsWith('.csv') || text.startsWith('key,')) {
    const table = fromSweepCsv(text);
    return table
      ? { ok: true, table }
      : { ok: false, code: 'UNREADABLE', message: `${name} is not a sweep's results.csv (no "key" header)` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: 'UNREADABLE', message: `${name} is neither CSV nor JSON: ${(err as Error).message}` };
  }
  const parsed = TuneFileSchema.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      code: 'UNREADABLE',
      message: `${name} is not a ptp tune results.json (${parsed.error.issues[0]?.message})`,
    };
  return { ok: true, table: fromTuneFile(parsed.data) };
}

/** A Tune node's summary (its METRICS values and context) from the last run; undefined when it is not one. */
export function tableFromTuneSummary(nodeId: string, summary: unknown): ResultTable | undefined {
  const s = summary as Record<string, unknown> | undefined;
  if (!s || typeof s.ranking !== 'string') return undefined;
  let ranking: { params: Record<string, number>; tuneJ: number | null; score?: number | null }[];
  try {
    ranking = z
      .array(
        z.object({
          params: z.record(z.string(), z.number()),
          tuneJ: z.number().nullable(),
          // Older summaries (before selection rules) have no score: ranked by mean J then.
          score: z.number().nullable().optional(),
        }),
      )
      .parse(JSON.parse(s.ranking));
  } catch {
    return undefined;
  }
  const rule = typeof s.select === 'string' ? s.select : undefined;
  const scored = rule !== undefined && ranking.some((r) => r.score !== undefined);
  const rows = ranking.map((r, i): ResultRow => ({
    label: i === 0 ? 'best' : `runner-up ${i}`,
    params: r.params,
    score: r.tuneJ,
    figures: scored
      ? { 'J (tuning seeds)': r.tuneJ, [`score (${rule})`]: r.score ?? null }
      : { 'J (tuning seeds)': r.tuneJ },
  }));
  const n = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : null);
  return {
    title: `Tune node "${nodeId}" (last run)`,
    source: 'tune-node',
    columns: varyingFirst([...new Set(rows.flatMap((r) => Object.keys(r.params)))], rows),
    figures: scored ? ['J (tuning seeds)', `score (${rule})`] : ['J (tuning seeds)'],
    rows,
    // The node ranks by its selection rule, so its winner is row 0 even where a runner-up has a
    // higher mean J (lcb prefers the steadier one).
    best: scored ? 0 : bestIndex(rows),
    notes: [
      `${n('runs') ?? '?'} runs (${String(s.plan ?? '')}); held back: tuned ${fmt(n('tuned.j'))}, reference ${fmt(n('reference.j'))}, CL P2P ${fmt(n('clP2p.j'))}.`,
      ...(rule ? [`Winner picked by ${rule} among the schedules scored on the most tuning seeds.`] : []),
    ],
  };
}
