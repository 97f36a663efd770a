import { DEFAULT_LCB_Z } from '@ptp/nodes';
import { formatMeanCi } from '../sweep/meanCi.js';
import type { SettingStats, Stat, TuneReport } from './tuneReport.js';

const SETTING_NAMES: Record<string, string> = {
  tuned: 'tuned per pair',
  shared: 'tuned for all pairs',
  reference: 'reference defaults',
  clP2p: 'CL P2P',
};
const nameOf = (s: string) => SETTING_NAMES[s] ?? s;
const fmt = (s: Stat | undefined, digits = 3) =>
  s ? formatMeanCi({ ...s, mean: s.mean ?? Number.NaN, half: s.half ?? Number.NaN }, digits) : 'n/a';
const row = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
const short = (column: string) => column.slice(column.indexOf('.') + 1);

function figuresHeader(untouched: boolean): string[] {
  return [
    'n',
    'J',
    'edit success',
    'structure IoU',
    'background PSNR (dB)',
    ...(untouched ? ['untouched PSNR (dB)'] : []),
  ];
}

function figuresRow(s: SettingStats, untouched: boolean): string[] {
  return [
    String(s.j.n),
    fmt(s.j),
    fmt(s.success),
    fmt(s.iou),
    fmt(s.backgroundPsnr, 1),
    ...(untouched ? [fmt(s.untouchedPsnr, 1)] : []),
  ];
}

/** How the winners were picked, in words. */
export function selectionText(select: TuneReport['select']): string {
  if (!select) return 'the best mean J of the last rung';
  const pool = 'among the candidates scored on the most tuning seeds';
  if (select.rule === 'mean') return `the highest mean J ${pool} (\`--select mean\`)`;
  if (select.rule === 'min') return `the highest J on its worst seed ${pool} (\`--select min\`)`;
  const z = select.z ?? DEFAULT_LCB_Z;
  return `the highest mean J minus ${z} standard error${z === 1 ? '' : 's'} ${pool} (\`--select lcb --lcb-z ${z}\`)`;
}

/** What failed, said above the figures: they are means over the runs that did not. */
function failureLines(r: TuneReport): string[] {
  const f = r.failures;
  if (!f?.failed) return [];
  const head =
    f.failed === f.runs
      ? `**Every run failed (${f.runs}): there are no figures.**`
      : `**${f.failed} of ${f.runs} runs failed: the figures are from the other ${f.runs - f.failed}.**` +
        (f.pairsAllFailed.length
          ? ` Every run of ${f.pairsAllFailed.map((p) => `\`${p}\``).join(', ')} failed: no figures for ${f.pairsAllFailed.length > 1 ? 'them' : 'it'}.`
          : '');
  return [
    '',
    `${head} The errors are in results.csv, and the same command again retries the failed runs:`,
    '',
    ...f.errors.map((e) => `- ${e.runs} run${e.runs > 1 ? 's' : ''} (${e.pairs.join(', ')}): \`${e.error}\``),
    '',
  ];
}

/** results.md of `ptp tune`: how it was run, what it cost, tuned vs presets on the held-back seeds. */
export function tuneMarkdown(r: TuneReport, title = 'Tuned schedules'): string {
  const settings = Object.keys(r.overall);
  const untouched = Object.values(r.overall).some((s) => s.untouchedPsnr.n + s.untouchedPsnr.infinite > 0);
  const columns = r.space.dimensions.map((d) => d.column);
  const failedPairs = new Set(r.failures?.pairsAllFailed);
  const rungs = r.plan.rungs.map((x) => `${x.candidates} x ${x.seeds} seed${x.seeds > 1 ? 's' : ''}`).join(' -> ');
  const out = [
    `# ${title}`,
    '',
    `\`${r.command}\``,
    '',
    `Workflow \`${r.workflow}\`, ${r.pairs.length} pairs.${r.status === 'complete' ? '' : ' **Interrupted: run the same command again to finish.**'}`,
    ...failureLines(r),
    `Search: successive halving per pair over ${r.candidates.length} candidates (the presets and quasi-random`,
    `points of the space, search seed ${r.searchSeed}): ${rungs}; tuning seeds ${r.tuneSeeds.join(', ')}.`,
    `Winner: ${selectionText(r.select)}; ties go to the reference defaults.`,
    `Held-back seeds (never seen by the search): ${r.testSeeds.join(', ')}.`,
    '',
    `Objective: ${r.objective.formula}; weights success ${r.objective.weights.success}, IoU ${r.objective.weights.iou},`,
    `background ${r.objective.weights.background}, untouched ${r.objective.weights.untouched}.`,
    '',
    `Cost: ${r.cost.tuneRunsPerPair} runs per pair to tune (${r.cost.tuneRuns} in all${r.shared?.extraRuns ? `, ${r.shared.extraRuns} of them for one setting for all pairs` : ''}, ${r.cost.tuneCellSeconds.toFixed(0)} s of cell time),`,
    `${r.cost.testRuns} held-back runs${r.cost.testFigures && r.cost.testFigures !== r.cost.testRuns ? ` for ${r.cost.testFigures} pair x setting x seed figures (equal settings share runs)` : ''} (${r.cost.testCellSeconds.toFixed(0)} s); this invocation computed ${r.cost.ranNow}`,
    `cells and reused ${r.cost.reused} in ${r.cost.wallSeconds} s.`,
    '',
    '## On held-back seeds, all pairs (mean ± 95 % CI over pairs x seeds)',
    '',
    row(['setting', ...figuresHeader(untouched)]),
    row(['---', ...figuresHeader(untouched).map(() => '---')]),
    ...settings.map((s) => row([nameOf(s), ...figuresRow(r.overall[s]!, untouched)])),
    '',
    ...(r.shared
      ? [
          `One setting for all pairs (same plan, J averaged over the pairs; ${r.shared.extraRuns} runs beyond the per-pair searches'): ${
            // With every run failed its "best" is only the order the candidates were sampled in.
            r.shared.best.tuneMean === null
              ? 'none, no run of its search was scored'
              : columns.map((c) => `${short(c)} ${r.shared!.best.params[c]}`).join(', ')
          }.`,
          '',
        ]
      : []),
    '### Tuned per pair minus each other setting, paired by pair and seed',
    '',
    row(['against', 'n', 'J difference']),
    row(['---', '---', '---']),
    ...Object.entries(r.tunedMinus).map(([p, s]) => row([nameOf(p), s.n, fmt(s)])),
    '',
    '## Per pair: the tuned schedule and J',
    '',
    row([
      'pair',
      ...columns.map(short),
      'J (tuning seeds)',
      ...(r.select ? ['selection score'] : []),
      ...settings.map((s) => `J ${nameOf(s)} (held back)`),
    ]),
    row(['---', ...columns.map(() => '---'), '---', ...(r.select ? ['---'] : []), ...settings.map(() => '---')]),
    ...r.pairs.map((p) =>
      row([
        p.id,
        // Its "best" was never scored: only the order the candidates were sampled in.
        ...columns.map((c) => (failedPairs.has(p.id) ? 'n/a' : String(p.best.params[c] ?? ''))),
        p.best.tuneMean === null ? 'n/a' : p.best.tuneMean.toFixed(3),
        ...(r.select ? [p.best.selectScore == null ? 'n/a' : p.best.selectScore.toFixed(3)] : []),
        ...settings.map((s) => fmt(p.test[s]?.j)),
      ]),
    ),
    '',
    '## Per pair and setting, held-back seeds',
    '',
    row(['pair', 'setting', ...figuresHeader(untouched)]),
    row(['---', '---', ...figuresHeader(untouched).map(() => '---')]),
    ...r.pairs.flatMap((p) => settings.map((s) => row([p.id, nameOf(s), ...figuresRow(p.test[s]!, untouched)]))),
    '',
  ];
  return out.join('\n');
}
