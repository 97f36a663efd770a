import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseResultsFile, tableFromTuneSummary } from './tuneResults';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../../..');
const fixtures = path.join(here, 'fixtures');

const CSV = [
  'key,index,pair,status,ms,error,tag:kind,source.text,schedule.cross,blend.k,capture.seed,metrics.iou,metrics.success,metrics.backgroundPsnr,metrics.editColour',
  'a,0,p1,ok,10,,colour,"a red, circle",0.2,0.3,1,0.5,1,40,blue',
  'b,1,p1,ok,10,,colour,"a red, circle",0.8,0.3,1,0.9,1,44,blue',
  'c,2,p2,ok,10,,colour,a blue square,0.8,0.3,1,0.7,1,inf,red',
  'd,3,p1,ok,10,,colour,"a red, circle",0.8,1,1,1,0,inf,red',
  'e,4,p1,error,10,boom,colour,"a red, circle",0.2,1,1,,,,',
].join('\n');

describe('results tables', () => {
  it('groups a sweep by its schedule params, averages J over pairs, and ranks the settings', () => {
    const r = parseResultsFile(CSV, 'results.csv');
    if (!r.ok) throw new Error(r.message);
    const t = r.table;
    // Texts, words and seeds are not settings; failed cells are left out.
    expect(t.columns).toEqual(['schedule.cross', 'blend.k']);
    expect(t.rows).toHaveLength(3);
    // cross 0.8, k 0.3 (two pairs, both edited) beats cross 0.2 and the undone k = 1.
    expect(t.rows[t.best!]!.params).toEqual({ 'schedule.cross': 0.8, 'blend.k': 0.3 });
    expect(t.rows[t.best!]!.label).toBe('2 cells');
    expect(t.rows.at(-1)!.params['blend.k']).toBe(1);
    expect(t.rows[t.best!]!.figures['metrics.iou']).toBeCloseTo(0.8);
  });

  it('has no best row when every cell of a sweep failed (nothing to load)', () => {
    const r = parseResultsFile(
      CSV.split('\n')
        .filter((l, i) => i === 0 || l.includes(',error,'))
        .join('\n'),
      'x.csv',
    );
    if (!r.ok) throw new Error(r.message);
    expect(r.table.rows).toEqual([]);
    expect(r.table.best).toBeUndefined();
  });

  it("groups the study's k sweep by k alone: every Edit metrics column is a figure, not a setting", () => {
    const text = readFileSync(path.join(repoRoot, 'docs/study/scenes/k/results.csv'), 'utf8');
    const r = parseResultsFile(text, 'results.csv');
    if (!r.ok) throw new Error(r.message);
    expect(r.table.columns).toEqual(['blend.k']);
    const ks = [...new Set(r.table.rows.map((row) => row.params['blend.k']))];
    expect(r.table.rows).toHaveLength(ks.length);
    expect(ks.length).toBeLessThanOrEqual(6);
    expect(r.table.figures).toEqual(expect.arrayContaining(['metrics.psnr', 'metrics.ssim', 'metrics.untouchedPsnr']));
    expect(r.table.figures).not.toContain('metrics.expected');
    // Each setting averages all its pairs and seeds.
    const cells = r.table.rows.reduce((n, row) => n + Number(row.label.split(' ')[0]), 0);
    expect(r.table.notes[0]).toBe(
      `${cells} finished cells in ${ks.length} settings; J averaged over each setting's pairs and seeds.`,
    );
  });

  it("reads ptp tune's results.json: one row per pair with the tuned settings and held-back J", () => {
    const text = readFileSync(path.join(repoRoot, 'docs/study/tune/results.json'), 'utf8');
    const r = parseResultsFile(text, 'results.json');
    if (!r.ok) throw new Error(r.message);
    const report = JSON.parse(text) as { pairs: unknown[]; shared: { best: { params: Record<string, number> } } };
    // The setting tuned for all pairs first (and the default to load), then each pair's winner.
    expect(r.table.rows).toHaveLength(report.pairs.length + 1);
    expect(r.table.best).toBe(0);
    expect(r.table.rows[0]!.params).toEqual(report.shared.best.params);
    expect(r.table.columns).toContain('schedule.cross');
    // The V window is the same for every candidate: it goes last, after the knobs that vary.
    expect(r.table.columns.at(-1)).toBe('schedule.vWindow');
    expect(r.table.figures).toContain('J reference (held back)');
    expect(r.table.notes[0]).toMatch(/^Held back, all pairs: tuned /);
    // Written before failures were recorded: read as before, every row usable, nothing said failed.
    expect(report).not.toHaveProperty('failures');
    expect(r.table.failures).toBeUndefined();
    expect(r.table.rows.filter((row) => row.unscored)).toEqual([]);
  });

  // Written by `ptp tune docs/study/edit.json --budget 4 --tune-seeds 1,2 --test-seeds 9 --steps 2`
  // with a pair "bad" whose blend word is not in its prompt (every run of it fails, as in
  // tuneCommand.test.ts): beside red-blue-circle-white, and alone.
  const fixture = (name: string) => readFileSync(path.join(fixtures, `${name}.results.json`), 'utf8');

  it('marks a pair every run of which failed: no settings, no figures, never the best; says N of M failed', () => {
    const r = parseResultsFile(fixture('tune-one-pair-failed'), 'results.json');
    if (!r.ok) throw new Error(r.message);
    const t = r.table;
    const bad = t.rows.find((row) => row.label === 'bad')!;
    // Its "best" in the file is only the first candidate sampled: it is not offered.
    expect(bad).toEqual({ label: 'bad', params: {}, score: null, figures: {}, unscored: 'every run failed' });
    // The setting for all pairs was tuned on the pair that finished: still the one to load.
    expect(t.best).toBe(0);
    expect(t.rows[0]!.unscored).toBeUndefined();
    expect(t.rows[0]!.params['schedule.cross']).toBe(0.8);
    expect(t.rows.find((row) => row.label === 'red-blue-circle-white')!.unscored).toBeUndefined();
    expect(t.failures).toEqual({
      all: false,
      summary:
        '6 of 12 runs failed: the figures are from the other 6. Every run of bad failed: no figures and no settings for it (the setting for all pairs is tuned on the others). The errors are in results.csv beside results.json; the same ptp tune command again retries the failed runs.',
      errors: [
        {
          code: 'INVALID_PARAM',
          node: 'blend',
          where: 'param sourceWords',
          message: '"hexagon" not in the prompt "a red circle on a white background"',
          runs: 6,
          pairs: ['bad'],
        },
      ],
    });
  });

  it('offers nothing to use when every run failed, not even the setting for all pairs', () => {
    const r = parseResultsFile(fixture('tune-every-run-failed'), 'results.json');
    if (!r.ok) throw new Error(r.message);
    const t = r.table;
    expect(t.rows.map((row) => [row.label, row.unscored])).toEqual([
      ['all pairs (one setting)', 'every run failed'],
      ['bad', 'every run failed'],
    ]);
    expect(t.best).toBeUndefined();
    expect(t.columns).toEqual([]);
    expect(t.failures?.all).toBe(true);
    expect(t.notes).toEqual(['Cost: 4 runs per pair to tune, 2 held-back runs.']);
    expect(t.failures?.summary).toMatch(/^Every run failed \(6\): there are no figures and no settings to use\./);
  });

  it("refuses a failures section that is not the runner's", () => {
    const bent = { ...JSON.parse(fixture('tune-one-pair-failed')), failures: { runs: 'twelve' } };
    expect(parseResultsFile(JSON.stringify(bent), 'results.json')).toMatchObject({ ok: false, code: 'UNREADABLE' });
  });

  it('refuses files that are neither, with a code', () => {
    expect(parseResultsFile('{"kind":"x"}', 'x.json')).toMatchObject({ ok: false, code: 'UNREADABLE' });
    expect(parseResultsFile('nope', 'x.csv')).toMatchObject({ ok: false, code: 'UNREADABLE' });
  });

  it("reads a Tune node's summary ranking", () => {
    const t = tableFromTuneSummary('tune', {
      runs: 16,
      plan: '8x1 -> 4x2 -> 2x2',
      'tuned.j': 0.9,
      ranking: JSON.stringify([
        { params: { 'schedule.cross': 0.4, 'blend.k': 0.2 }, tuneJ: 0.91 },
        { params: { 'schedule.cross': 0.8, 'blend.k': 0.3 }, tuneJ: 0.88 },
      ]),
    })!;
    expect(t.best).toBe(0);
    expect(t.rows[0]!.params['schedule.cross']).toBe(0.4);
    expect(t.notes[0]).toContain('tuned 0.900');
    expect(tableFromTuneSummary('x', { iou: 1 })).toBeUndefined();
  });

  it("keeps the node's winner first under lcb, even below a runner-up's mean J", () => {
    const t = tableFromTuneSummary('tune', {
      runs: 16,
      plan: '8x1 -> 4x2 -> 2x4',
      select: 'lcb (z 1)',
      ranking: JSON.stringify([
        { params: { 'schedule.cross': 0.4 }, tuneJ: 0.9, score: 0.88 },
        { params: { 'schedule.cross': 0.8 }, tuneJ: 0.93, score: 0.84 },
      ]),
    })!;
    expect(t.best).toBe(0);
    expect(t.figures).toEqual(['J (tuning seeds)', 'score (lcb (z 1))']);
    expect(t.rows[1]!.figures['score (lcb (z 1))']).toBe(0.84);
    expect(t.notes.at(-1)).toContain('lcb (z 1)');
  });
});
