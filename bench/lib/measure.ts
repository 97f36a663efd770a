export interface Stats {
  median: number;
  p10: number;
  p90: number;
  runs: number;
}

/** Times `fn` (ms) after warm-up; repeats until both `minRuns` and `minMs` are reached. */
export async function measure(
  fn: () => unknown,
  { warmup = 5, minRuns = 20, minMs = 500, maxRuns = 10_000 } = {},
): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < maxRuns && (times.length < minRuns || performance.now() - start < minMs)) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { median: at(0.5), p10: at(0.1), p90: at(0.9), runs: times.length };
}

export const fmt = (ms: number, digits = 3) =>
  ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(digits);
