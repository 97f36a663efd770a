import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '@ptp/graph-core';
import { mergeResults, SweepResults, type CellResult } from './SweepResults.js';

const result = (
  i: number,
  metrics: CellResult['metrics'] = { 'm.iou': 0.5 + i / 10 },
  status: CellResult['status'] = 'ok',
): CellResult => ({
  key: `k${i}`,
  index: i,
  pair: 'p, "quoted"',
  tags: { kind: 'colour' },
  params: { 'schedule.cross': i / 10, 'source.text': 'a red circle' },
  status,
  ms: 12,
  metrics,
});

describe('results.csv', () => {
  it('appends rows, reopens them with params and metrics apart, keeps inf and text with commas and quotes', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ptp-res-')), 'results.csv');
    const params = ['schedule.cross', 'source.text'];
    const a = await SweepResults.open(file, { paramColumns: params });
    await a.append(result(0, { 'm.iou': 1, 'm.psnr': Infinity, 'm.colour': 'red' }));
    await a.append(result(1, { 'm.iou': 0.25, 'm.psnr': 31.5, 'm.colour': 'blue' }));
    const b = await SweepResults.open(file, { paramColumns: params });
    expect(b.results).toEqual(a.results);
    expect(b.get('k0')!.metrics).toEqual({ 'm.iou': 1, 'm.psnr': Infinity, 'm.colour': 'red' });
    expect(b.get('k0')!.params).toEqual({ 'schedule.cross': 0, 'source.text': 'a red circle' });
    expect(b.done('k1')).toBe(true);
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe(
      'key,index,pair,status,ms,error,tag:kind,schedule.cross,source.text,m.iou,m.psnr,m.colour',
    );
  });

  it('widens the header for new metrics, drops a row cut short by a crash, and reruns failed cells', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ptp-res-')), 'results.csv');
    const a = await SweepResults.open(file);
    await a.append(result(0));
    await a.append(result(1, { 'm.iou': 0.1, 'm.ssim': 0.9 }));
    expect(parseCsv(readFileSync(file, 'utf8')).rows[0]).toContain('m.ssim');
    appendFileSync(file, 'k2,2,p,ok,1'); // a write cut short
    const b = await SweepResults.open(file);
    expect(b.results.map((r) => r.key)).toEqual(['k0', 'k1']);
    expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
    await b.append(result(2, {}, 'error'));
    expect(b.done('k2')).toBe(false);
    await b.append(result(2));
    const c = await SweepResults.open(file);
    expect(c.results.map((r) => [r.key, r.status])).toEqual([
      ['k0', 'ok'],
      ['k1', 'ok'],
      ['k2', 'ok'],
    ]);
  });

  it('merges results from several runners by key, later ones winning', () => {
    const merged = mergeResults([result(1, {}, 'error'), result(0)], [result(1), result(2)]);
    expect(merged.map((r) => [r.key, r.status])).toEqual([
      ['k0', 'ok'],
      ['k1', 'ok'],
      ['k2', 'ok'],
    ]);
  });
});
