// The tiny-scenes part of docs/study.md (issue 15): recomputed from docs/study/scenes/*/results.csv
// (scripts/study-scenes.sh) and the hand-written docs/study/scenes/findings.md.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { formatMeanCi, meanCi } from '../packages/runner/src/sweep/meanCi.js';
import { digitsFor, paired, readCsv, table, value, type Metric, type Row } from './studyTables.js';

const METRICS: Metric[] = [
  { col: 'metrics.success', name: 'edit success' },
  { col: 'metrics.iou', name: 'structure IoU' },
  { col: 'metrics.untouchedPsnr', name: 'untouched PSNR (dB)' },
  { col: 'metrics.backgroundPsnr', name: 'background PSNR (dB)' },
];
const CYCLE: Metric[] = [
  ...METRICS.slice(0, 3),
  { col: 'cycle.psnr', name: 'cycle PSNR (dB)' },
  { col: 'cycle.ssim', name: 'cycle SSIM' },
];

const GRID_OTHER = ['schedule.self', 'schedule.selfResolutionDivisor'];
const where = (rows: Row[], cond: Record<string, string>) =>
  rows.filter((r) => Object.entries(cond).every(([k, v]) => r[k] === v));

interface Pair {
  id: string;
  source: string;
  target: string;
  set: Record<string, unknown>;
  tags: Record<string, string>;
}

function pairsList(pairs: Pair[]): string {
  const kinds = [...new Set(pairs.map((p) => p.tags.kind!))];
  return kinds
    .map((kind) => {
      const of = pairs.filter((p) => p.tags.kind === kind);
      const line = (p: Pair) => {
        const extra =
          kind === 'reweight'
            ? ` (weights ${JSON.stringify(p.set['schedule.equalizer'])}, judged against "${String(p.set['metrics.expected'])}")`
            : p.tags.contrast && p.tags.contrast !== 'same'
              ? ` (${p.tags.contrast})`
              : '';
        return `  - \`${p.id}\`: "${p.source}"${p.target === p.source ? '' : ` -> "${p.target}"`}${extra}`;
      };
      return `- **${kind}** (${of.length}):\n${of.map(line).join('\n')}`;
    })
    .join('\n');
}

function chainTable(rows: Row[]): string {
  const turns = ['turn1', 'turn2', 'turn3', 'oneStep'];
  const cols = [
    ['success', 'success'],
    ['untouchedPsnr', 'untouched PSNR (dB)'],
    ['backgroundPsnr', 'background PSNR (dB)'],
    ['iou', 'structure IoU'],
  ] as const;
  const ok = rows.filter((r) => r.status === 'ok');
  const cell = (prefix: string, turn: string, col: string) =>
    formatMeanCi(meanCi(ok.map((r) => value(r, `chain.${prefix}${turn}.${col}`))), digitsFor(col));
  const head = ['turn', 'V injection', ...cols.map(([, n]) => n)];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const t of turns)
    for (const [prefix, v] of [
      ['', 'turns 1-2'],
      ['noV.', 'off'],
    ] as const)
      lines.push(
        `| ${t === 'oneStep' ? 'one step' : t} | ${v} | ${cols.map(([c]) => cell(prefix, t, c)).join(' | ')} |`,
      );
  // Each run holds both chains: with V injection minus without, paired within the run.
  const diff = (a: string, b: string, col: string) =>
    formatMeanCi(
      meanCi(ok.map((r) => (value(r, `chain.${a}.${col}`) ?? NaN) - (value(r, `chain.${b}.${col}`) ?? NaN))),
      digitsFor(col),
    );
  lines.push(
    '',
    `Paired within each run, V injection on turns 1-2 minus off: ${['turn1', 'turn2', 'turn3']
      .map((t) => `${t} IoU ${diff(t, `noV.${t}`, 'iou')}, untouched PSNR ${diff(t, `noV.${t}`, 'untouchedPsnr')} dB`)
      .join('; ')}.`,
    '',
    `The chain (without V) after turn 3 minus the one-step edit: IoU ${diff('noV.turn3', 'noV.oneStep', 'iou')}, untouched PSNR ${diff('noV.turn3', 'noV.oneStep', 'untouchedPsnr')} dB, success ${diff('noV.turn3', 'noV.oneStep', 'success')}.`,
  );
  return lines.join('\n');
}

function tuneTable(file: string): string {
  if (!existsSync(file)) return '_Not run yet: `bash scripts/study-scenes.sh` step 6._';
  type Stat = { n: number; mean: number | null; half: number | null };
  const r = JSON.parse(readFileSync(file, 'utf8')) as {
    command: string;
    budget: number;
    testSeeds: number[];
    overall: Record<string, Record<string, Stat>>;
    tunedMinus: Record<string, Stat>;
    cost: { tuneRunsPerPair: number; tuneCellSeconds: number };
  };
  const ci = (s: Stat | undefined) =>
    s?.mean === null || s?.mean === undefined
      ? 'n/a'
      : `${Math.abs(s.mean) >= 10 ? s.mean.toFixed(1) : s.mean.toFixed(3)}${s.half === null ? '' : ` ± ${s.half.toFixed(3)}`}`;
  const settings = [
    ['tuned', 'tuned per pair'],
    ['shared', 'tuned for all pairs'],
    ['reference', 'reference defaults'],
    ['clP2p', 'CL P2P'],
  ].filter(([k]) => r.overall[k!]);
  const figs = ['j', 'success', 'iou', 'untouchedPsnr'] as const;
  return `\`${r.command}\`: ${r.cost.tuneRunsPerPair} runs per pair to tune (${Math.round(r.cost.tuneCellSeconds)} s of cell time in all), then every setting on held-back seeds ${r.testSeeds.join(', ')}.

| setting | J | edit success | structure IoU | untouched PSNR (dB) |
| --- | --- | --- | --- | --- |
${settings.map(([k, n]) => `| ${n} | ${figs.map((f) => ci(r.overall[k!]![f])).join(' | ')} |`).join('\n')}

Tuned per pair minus, in J (paired by pair and held-back seed): ${settings
    .slice(1)
    .map(([k, n]) => `${n} ${ci(r.tunedMinus[k!])}`)
    .join('; ')}. Per-pair winners: \`docs/study/scenes/tune/results.md\`.`;
}

export function scenesSections(dir: string): string {
  const s = path.join(dir, 'scenes');
  const csv = (rel: string) => {
    const f = path.join(s, rel, 'results.csv');
    return existsSync(f) ? readCsv(f) : undefined;
  };
  const pairs = JSON.parse(readFileSync(path.join(s, 'pairs.json'), 'utf8')) as Pair[];
  const k = csv('k');
  const grid = csv('grid');
  const cl = csv('presets/cl-p2p');
  const ref = csv('presets/reference');
  const vbeta = csv('vbeta');
  const chain = csv('chain');
  const blendV = csv('blend-v');
  const notes = existsSync(path.join(s, 'findings.md')) ? readFileSync(path.join(s, 'findings.md'), 'utf8').trim() : '';
  const missing = (what: string) => `_Not swept yet (${what}): run \`bash scripts/study-scenes.sh\`._`;
  const seeds = [...new Set((k ?? []).map((r) => r['capture.seed']))].join(', ');
  const divisor1 = grid ? where(grid, { 'schedule.selfResolutionDivisor': '1' }) : [];
  const divisor4 = grid ? where(grid, { 'schedule.selfResolutionDivisor': '4' }) : [];
  const colourOnly = (rows: Row[]) => rows.filter((r) => r['tag:kind'] === 'colour');
  return `## The study on tiny-scenes

The default pack, tiny-scenes (64 px, 1-3 objects on five kinds of background, 16x16 latents), through
the edit graph \`docs/study/scenes/edit.json\` (20 steps, guidance 7.5, CPU). ${pairs.length} pairs of five kinds
(\`docs/study/scenes/pairs.json\`), seeds ${seeds || '7, 8, 9'}; dark = blue, purple; light = yellow, orange:

${pairsList(pairs)}

Metrics per run (Edit metrics on tiny-scenes, packages/nodes/src/metrics/scenesEditMetrics.ts): **edit success**
(the judge sees every changed object with the target's colour and shape, a changed size word's size, a changed
background's kind; a reweight is judged against its expected caption), **structure IoU** of the source and edit
foregrounds, **untouched PSNR** (the lowest PSNR over the objects the edit does not change), **background PSNR**
outside every object (not measured when the background is the edit). Cells are means ± 95 % t intervals over
pairs x seeds; "paired" differences match runs of the same pair and seed (identical pictures count as 60 dB there).
Regenerate: \`bash scripts/study-scenes.sh\` (resumable; about 75 min on 2 cores from scratch), then
\`pnpm exec tsx scripts/studyReport.ts\`.

${notes}

### S1. Local blend k (reference windows: cross 0.8, self 0.4, divisor 4)

${k ? table(k, ['blend.k'], METRICS, true) : missing('k')}

${
  k
    ? `Paired, k 0.6 - k 0: untouched PSNR ${paired(where(k, { 'blend.k': '0.6' }), where(k, { 'blend.k': '0' }), 'metrics.untouchedPsnr')} dB, success ${paired(where(k, { 'blend.k': '0.6' }), where(k, { 'blend.k': '0' }), 'metrics.success')}.

By kind:

${table(k, ['tag:kind', 'blend.k'], METRICS.slice(0, 3))}`
    : ''
}

### S1b. Local blend with V injection (window 0.8)

${
  blendV
    ? `${table(blendV, ['blend.k', 'schedule.vBeta'], METRICS, true)}

Paired, V beta 1 - beta 0 at k 0.6: untouched PSNR ${paired(where(blendV, { 'blend.k': '0.6', 'schedule.vBeta': '1' }), where(blendV, { 'blend.k': '0.6', 'schedule.vBeta': '0' }), 'metrics.untouchedPsnr')} dB, success ${paired(where(blendV, { 'blend.k': '0.6', 'schedule.vBeta': '1' }), where(blendV, { 'blend.k': '0.6', 'schedule.vBeta': '0' }), 'metrics.success')}.

Colour swaps only (the issue's "the other objects at >= 30 dB"):

${table(colourOnly(blendV), ['blend.k', 'schedule.vBeta'], METRICS.slice(0, 3), true)}

By kind:

${table(blendV, ['tag:kind', 'blend.k', 'schedule.vBeta'], METRICS.slice(0, 3))}`
    : missing('blend-v')
}

### S2. The paper's grid: cross window x self window x self-attention divisor (k 0.3)

${
  grid
    ? `![grid](study/scenes/grid/plot.svg)

By cross window:

${table(grid, ['schedule.cross'], METRICS, true)}

By self window and divisor (1 replaces self-attention in the 16x16, 8x8 and 4x4 layers, the reference's 4 only in 4x4):

${table(grid, ['schedule.selfResolutionDivisor', 'schedule.self'], METRICS, true)}

Paired, divisor 1: self 1.0 - self 0.2: IoU ${paired(where(divisor1, { 'schedule.self': '1' }), where(divisor1, { 'schedule.self': '0.2' }), 'metrics.iou', ['schedule.cross'])}, untouched PSNR ${paired(where(divisor1, { 'schedule.self': '1' }), where(divisor1, { 'schedule.self': '0.2' }), 'metrics.untouchedPsnr', ['schedule.cross'])} dB, success ${paired(where(divisor1, { 'schedule.self': '1' }), where(divisor1, { 'schedule.self': '0.2' }), 'metrics.success', ['schedule.cross'])}.
Paired, divisor 4: self 1.0 - self 0.2: IoU ${paired(where(divisor4, { 'schedule.self': '1' }), where(divisor4, { 'schedule.self': '0.2' }), 'metrics.iou', ['schedule.cross'])}, success ${paired(where(divisor4, { 'schedule.self': '1' }), where(divisor4, { 'schedule.self': '0.2' }), 'metrics.success', ['schedule.cross'])}.
Paired, cross 0.2 - cross 0.8 (all self settings): success ${paired(where(grid, { 'schedule.cross': '0.2' }), where(grid, { 'schedule.cross': '0.8' }), 'metrics.success', GRID_OTHER)}, untouched PSNR ${paired(where(grid, { 'schedule.cross': '0.2' }), where(grid, { 'schedule.cross': '0.8' }), 'metrics.untouchedPsnr', GRID_OTHER)} dB, IoU ${paired(where(grid, { 'schedule.cross': '0.2' }), where(grid, { 'schedule.cross': '0.8' }), 'metrics.iou', GRID_OTHER)}.

cross x self, divisor 1:

${table(divisor1, ['schedule.cross', 'schedule.self'], METRICS.slice(0, 3))}

By edit kind and cross window:

${table(grid, ['tag:kind', 'schedule.cross'], METRICS.slice(0, 3))}

Colour swaps, dark <-> light, by cross window:

${table(colourOnly(grid), ['tag:contrast', 'schedule.cross'], METRICS.slice(0, 3))}`
    : missing('grid')
}

### S3. CL P2P against the reference defaults

CL P2P: cross 0.2, self 0.8, no localisation (k 0). Reference: cross 0.8, self 0.4, k 0.3 (divisor 4 both).

${
  cl && ref
    ? `${table([...cl.map((r) => ({ ...r, setting: 'CL P2P' })), ...ref.map((r) => ({ ...r, setting: 'reference' }))], ['setting'], METRICS, true)}

Paired, CL P2P - reference: success ${paired(cl, ref, 'metrics.success')}, IoU ${paired(cl, ref, 'metrics.iou')}, untouched PSNR ${paired(cl, ref, 'metrics.untouchedPsnr')} dB.

By kind:

${table([...cl.map((r) => ({ ...r, setting: 'CL P2P' })), ...ref.map((r) => ({ ...r, setting: 'reference' }))], ['tag:kind', 'setting'], METRICS.slice(0, 3))}`
    : missing('presets')
}

### S4. V injection (beta x window) over A -> B -> A

The colour pairs: A edited to B with V injection, B inverted (Direct Inversion) and edited back with the
mirrored schedule; cycle PSNR of A' against A (\`docs/study/scenes/cycle.json\`).

${
  vbeta
    ? `${table(vbeta, ['schedule.vBeta', 'schedule.vWindow'], CYCLE, true)}

Paired, beta 1 - beta 0: ${['0.4', '0.8']
        .map(
          (w) =>
            `window ${w}: cycle PSNR ${paired(where(vbeta, { 'schedule.vBeta': '1', 'schedule.vWindow': w }), where(vbeta, { 'schedule.vBeta': '0', 'schedule.vWindow': w }), 'cycle.psnr')} dB, untouched PSNR ${paired(where(vbeta, { 'schedule.vBeta': '1', 'schedule.vWindow': w }), where(vbeta, { 'schedule.vBeta': '0', 'schedule.vWindow': w }), 'metrics.untouchedPsnr')} dB, success ${paired(where(vbeta, { 'schedule.vBeta': '1', 'schedule.vWindow': w }), where(vbeta, { 'schedule.vBeta': '0', 'schedule.vWindow': w }), 'metrics.success')}`,
        )
        .join('; ')}.

Dark <-> light:

${table(vbeta, ['tag:contrast', 'schedule.vBeta'], [CYCLE[0]!, CYCLE[3]!])}`
    : missing('vbeta')
}

### S5. Multi-turn chains

\`docs/study/scenes/chain.json\` over \`docs/study/scenes/chains.json\`: a generated three-object scene, then
turn 1 recolours object 2, turn 2 changes object 3's shape, turn 3 swaps the background, each result decoded,
re-encoded and inverted (Direct Inversion) before the next turn; object 1 is never edited. Turns 1-2 with V
injection (beta 0.5) or without; turn 3 and the one-step edit (all three changes at once) without. Figures
against the original picture, means ± 95 % over chains x seeds.

${chain ? chainTable(chain) : missing('chain')}

### S6. Tuned settings per pair (\`ptp tune\`)

${tuneTable(path.join(s, 'tune', 'results.json'))}
`;
}
