// Assembles docs/study.md from the sweeps scripts/study.sh ran (docs/study/*/results.csv) and the
// hand-written findings (docs/study/findings.md, docs/study/scenes/findings.md). Tables are recomputed from the CSVs, so the
// document always matches the data next to it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { scenesSections } from './studyScenesReport.js';
import { fmt, mean, readCsv, table, type Row } from './studyTables.js';

const root = path.resolve(import.meta.dirname, '..');
const dir = path.join(root, 'docs', 'study');

const EDIT = [
  { col: 'metrics.iou', name: 'structure IoU' },
  { col: 'metrics.success', name: 'edit success' },
  { col: 'metrics.backgroundPsnr', name: 'background PSNR (dB)' },
];
const CYCLE = [
  ...EDIT,
  { col: 'cycle.psnr', name: 'cycle PSNR (dB)' },
  { col: 'cycle.ssim', name: 'cycle SSIM' },
  { col: 'cycle.latentMae', name: 'cycle latent MAE' },
];

function section(name: string, rel: string): Row[] {
  const file = path.join(dir, rel, 'results.csv');
  if (!existsSync(file)) throw new Error(`${file} is missing: run bash scripts/study.sh (${name})`);
  return readCsv(file);
}

const grid = section('grid', 'grid');
const cl = section('CL P2P', 'presets/cl-p2p');
const ref = section('reference', 'presets/reference');
const vbeta = section('V injection', 'vbeta');
const cycleCols = CYCLE.filter((m) => vbeta[0] && m.col in vbeta[0]);
const findings = existsSync(path.join(dir, 'findings.md'))
  ? readFileSync(path.join(dir, 'findings.md'), 'utf8').trim()
  : '_No findings written yet._';
const pairs = JSON.parse(readFileSync(path.join(dir, 'pairs.json'), 'utf8')) as {
  id: string;
  source: string;
  target: string;
  tags: Record<string, string>;
}[];

/** Section 4 from `ptp tune`'s results.json files (docs/study/tune*, one per budget), when there are any. */
function tuneSection(): string {
  type Stat = { n: number; mean: number | null; half: number | null };
  type Report = {
    command: string;
    budget: number;
    plan: { rungs: { candidates: number; seeds: number }[] };
    select?: { rule: string; z: number };
    testSeeds: number[];
    overall: Record<string, { j: Stat; success: Stat; iou: Stat; backgroundPsnr: Stat }>;
    tunedMinus: Record<string, Stat>;
    cost: { tuneRunsPerPair: number; tuneCellSeconds: number };
  };
  const ci = (s: Stat | undefined) =>
    s?.mean === null || s?.mean === undefined ? 'n/a' : `${fmt(s.mean)}${s.half === null ? '' : ` ± ${fmt(s.half)}`}`;
  const runs = ['tune-budget-12', 'tune', 'tune-budget-64']
    .map((d) => path.join(dir, d, 'results.json'))
    .filter((f) => existsSync(f))
    .map((f) => JSON.parse(readFileSync(f, 'utf8')) as Report)
    .sort((a, b) => a.budget - b.budget);
  if (!runs.length) return '';
  const r0 = runs[0]!;
  const selectRule = (r: Report) =>
    !r.select || r.select.rule === 'mean'
      ? 'mean J (plain successive halving)'
      : r.select.rule === 'lcb'
        ? `mean J minus ${r.select.z} standard error${r.select.z === 1 ? '' : 's'} (lcb)`
        : 'its worst seed (min)';
  const settings: [string, string][] = [
    ['tuned', 'tuned per pair'],
    ...(runs.every((r) => r.overall.shared) ? [['shared', 'tuned for all'] as [string, string]] : []),
    ['reference', 'reference'],
    ['clP2p', 'CL P2P'],
  ];
  const diffs = settings.slice(1);
  return `## 4. Tuned settings per pair (\`ptp tune\`)

Per pair, successive halving over the schedule (cross, self, self-attention divisor 1/2/4, k, V beta
over 80 % of steps) on tuning seeds 1-4, maximising J = (3 success + IoU + P(background PSNR)) / 5
with P(x) = clamp((x - 20 dB) / 30 dB, 0, 1); "tuned for all" is one setting searched the same way on J
averaged over the six pairs (whether settings should adapt to the edit). The winner is picked among the
schedules scored on the most seeds by ${selectRule(r0)} (\`--select\`, docs/algorithms.md section 10). The winners, the reference
defaults and CL P2P are then run on ${r0.testSeeds.length} held-back seeds (${r0.testSeeds.join(', ')}) the search never saw. Means ± 95 % t intervals over
pairs x held-back seeds (n = ${r0.overall.tuned?.j.n}); "per pair - X" pairs each run tuned per pair with X on the same pair and seed.

| budget (runs per pair) | rungs | ${settings.map(([, n]) => `J ${n}`).join(' | ')} | IoU tuned per pair | IoU reference | ${diffs.map(([, n]) => `per pair - ${n}`).join(' | ')} | cell time |
| --- | --- | ${settings.map(() => '---').join(' | ')} | --- | --- | ${diffs.map(() => '---').join(' | ')} | --- |
${runs
  .map(
    (r) =>
      `| ${r.cost.tuneRunsPerPair} | ${r.plan.rungs.map((x) => `${x.candidates}x${x.seeds}`).join(' > ')} | ${settings.map(([k]) => ci(r.overall[k]?.j)).join(' | ')} | ${ci(r.overall.tuned?.iou)} | ${ci(r.overall.reference?.iou)} | ${diffs.map(([k]) => ci(r.tunedMinus[k])).join(' | ')} | ${Math.round(r.cost.tuneCellSeconds)} s |`,
  )
  .join('\n')}

Per-pair winners and figures: \`docs/study/tune*/results.md\` (picked by mean J instead: \`results-mean.md\` beside, the same winners on these pairs); regenerate with \`${r0.command}\` (and the other budgets).
`;
}

const doc = `# The study: Prompt-to-Prompt settings measured

Two worlds: **tiny-scenes** (the default pack: multi-object scenes, where local blend and the self window
act; first) and **tiny-shapes** (one shape on a flat background, 32 px; the first study, kept below).

${scenesSections(dir)}
# tiny-shapes

Regenerate everything below with \`bash scripts/study.sh\` (resumable; \`STUDY_FRESH=1\` recomputes),
which runs \`pnpm ptp sweep\` over \`docs/study/edit.json\` and \`docs/study/cycle.json\`, \`pnpm ptp tune\`
(section 4) and then this report (\`scripts/studyReport.ts\`). Pack: \`tiny-shapes\` (trained by \`models/train_shapes.py\`),
20 DDIM steps, guidance 7.5, seed 7, CPU. Metrics (packages/nodes/src/metrics): **structure IoU**
between the source and edit foreground masks; **edit success** = the judge recognises the target's
colour and shape; **background PSNR** outside the dilated union of both masks; **cycle** = A -> B ->
A' with Direct Inversion of B and the mirrored schedule, PSNR/SSIM of A' against A and the latent
mean absolute error.

Pairs (${pairs.length}; dark = blue, purple; light = yellow, orange):
${pairs.map((p) => `- \`${p.id}\`: "${p.source}" -> "${p.target}" (${Object.values(p.tags).join(', ')})`).join('\n')}

## Findings

${findings}

## 1. The paper's grid: local blend k x cross window x self window

${grid.filter((r) => r.status === 'ok').length} cells (${new Set(grid.map((r) => r.pair)).size} pairs x 36 settings).

![grid](study/grid/plot.svg)

### By k
${table(grid, ['blend.k'], EDIT)}

### By cross-attention window
${table(grid, ['schedule.cross'], EDIT)}

### By self-attention window
${table(grid, ['schedule.self'], EDIT)}

### cross x self (means over k and pairs)
${table(grid, ['schedule.cross', 'schedule.self'], EDIT)}

### Colour vs shape swaps, by self window
${table(grid, ['tag:kind', 'schedule.self'], EDIT)}

### Dark <-> light pairs, by cross window
${table(grid, ['tag:contrast', 'schedule.cross'], EDIT)}

## 2. CL P2P against the reference defaults

CL P2P: cross 0.2, self 0.8, no localisation (k 0). Reference: cross 0.8, self 0.4, k 0.3.

| setting | ${EDIT.map((m) => m.name).join(' | ')} |
| --- | ${EDIT.map(() => '---').join(' | ')} |
${[
  ['CL P2P', cl],
  ['reference', ref],
]
  .map(([n, rows]) => `| ${n as string} | ${EDIT.map((m) => fmt(mean(rows as Row[], m.col).value)).join(' | ')} |`)
  .join('\n')}

### Per pair
${table([...cl.map((r) => ({ ...r, setting: 'CL P2P' })), ...ref.map((r) => ({ ...r, setting: 'reference' }))], ['pair', 'setting'], EDIT)}

## 3. V injection (beta) and cycle error A -> B -> A

Reference windows (cross 0.8, self 0.4), V injection over the first 80% of steps with weight beta.

![vbeta](study/vbeta/plot.svg)

${table(vbeta, ['schedule.vBeta'], cycleCols)}

### Dark <-> light pairs
${table(vbeta, ['tag:contrast', 'schedule.vBeta'], cycleCols)}

${tuneSection()}
Raw data: \`docs/study/*/results.csv\` (one row per cell) and \`results.md\` beside each.
`;
writeFileSync(path.join(root, 'docs', 'study.md'), doc);
console.log(`wrote docs/study.md (${grid.length + cl.length + ref.length + vbeta.length} cells)`);
