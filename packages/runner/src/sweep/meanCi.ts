/**
 * Means with 95 % confidence intervals, Student-t based: mean +- t(0.975, n - 1) * s / sqrt(n),
 * s the sample standard deviation. Non-finite values (PSNR of identical pixels, NaN) are left out
 * and counted apart, so "41.2 +- 0.8 (+3 identical)" stays honest.
 */
export interface MeanCi {
  /** Finite values the mean is over. */
  readonly n: number;
  readonly mean: number;
  /** Half-width of the 95 % interval; NaN for n < 2. */
  readonly half: number;
  /** Values left out: +Infinity (identical pixels). */
  readonly infinite: number;
  /** Values left out: NaN / missing. */
  readonly missing: number;
}

/** t(0.975, df) for df = 1..30; beyond, the normal quantile with a 1/df correction is within 0.002. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(df: number): number {
  if (!(df >= 1)) return Number.NaN;
  const d = Math.floor(df);
  return d <= 30 ? T975[d - 1]! : 1.96 + 2.4 / d;
}

export function meanCi(values: readonly (number | null | undefined)[]): MeanCi {
  const finite: number[] = [];
  let infinite = 0;
  let missing = 0;
  for (const v of values) {
    if (typeof v !== 'number' || Number.isNaN(v)) missing++;
    else if (!Number.isFinite(v)) infinite++;
    else finite.push(v);
  }
  const n = finite.length;
  const mean = n ? finite.reduce((a, b) => a + b, 0) / n : Number.NaN;
  if (n < 2) return { n, mean, half: Number.NaN, infinite, missing };
  const variance = finite.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return { n, mean, half: (tQuantile975(n - 1) * Math.sqrt(variance)) / Math.sqrt(n), infinite, missing };
}

const fmt = (v: number, digits: number) => (Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(digits));

/** "0.812 ± 0.041", "41.2 ± 0.8 (+3 identical)", "n/a". */
export function formatMeanCi(m: MeanCi, digits = 3): string {
  if (m.n === 0) return m.infinite ? `identical (${m.infinite})` : 'n/a';
  const ci = Number.isNaN(m.half) ? '' : ` ± ${fmt(m.half, digits)}`;
  return `${fmt(m.mean, digits)}${ci}${m.infinite ? ` (+${m.infinite} identical)` : ''}`;
}
