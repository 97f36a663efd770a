import { describe, expect, it } from 'vitest';
import { formatMeanCi, meanCi, tQuantile975 } from './meanCi.js';

describe('meanCi', () => {
  it('is mean +- t * s / sqrt(n) with the t quantile for n - 1 degrees of freedom', () => {
    // 1..5: mean 3, s = sqrt(2.5), t(4) = 2.776.
    const m = meanCi([1, 2, 3, 4, 5]);
    expect(m.mean).toBe(3);
    expect(m.half).toBeCloseTo((2.776 * Math.sqrt(2.5)) / Math.sqrt(5), 6);
  });

  it('leaves out identical (Infinity) and missing values and counts them', () => {
    const m = meanCi([40, 42, Infinity, null, Number.NaN]);
    expect(m).toMatchObject({ n: 2, mean: 41, infinite: 1, missing: 2 });
    // s = sqrt(2), so the half-width is t(1) = 12.706.
    expect(formatMeanCi(m)).toBe('41.0 ± 12.7 (+1 identical)');
  });

  it('has no interval for one value and no mean for none', () => {
    expect(formatMeanCi(meanCi([0.5]))).toBe('0.500');
    expect(formatMeanCi(meanCi([]))).toBe('n/a');
    expect(formatMeanCi(meanCi([Infinity]))).toBe('identical (1)');
  });

  it('approaches the normal quantile for many degrees of freedom', () => {
    expect(tQuantile975(30)).toBe(2.042);
    expect(tQuantile975(31)).toBeLessThan(2.042);
    expect(tQuantile975(1000)).toBeCloseTo(1.96, 2);
  });
});
