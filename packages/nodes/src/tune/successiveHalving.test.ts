import { describe, expect, it } from 'vitest';
import { planCost, planHalving, rankRung, rungRuns, successiveHalving, survivorsAfter } from './successiveHalving.js';

describe('planHalving', () => {
  it('fits the most starting candidates into the budget, halving them while doubling seeds', () => {
    const plan = planHalving({ budget: 24, seeds: 4 })!;
    expect(plan.rungs).toEqual([
      { candidates: 12, seeds: 1 },
      { candidates: 6, seeds: 2 },
      { candidates: 3, seeds: 4 },
      { candidates: 2, seeds: 4 },
    ]);
    // 12 x 1 + 6 x 1 new seed + 3 x 2 new seeds + 2 x 0.
    expect(plan.cost).toBe(24);
    expect(planCost(plan.rungs)).toBe(24);
  });

  it('never exceeds the budget, and a larger budget never starts fewer candidates', () => {
    let last = 0;
    for (let budget = 2; budget <= 200; budget++) {
      for (const seeds of [1, 2, 3, 5]) {
        const plan = planHalving({ budget, seeds })!;
        expect(plan.cost).toBeLessThanOrEqual(budget);
        expect(plan.rungs.at(-1)!.candidates).toBe(2);
        for (const r of plan.rungs) expect(r.seeds).toBeLessThanOrEqual(seeds);
      }
      const n0 = planHalving({ budget, seeds: 3 })!.rungs[0]!.candidates;
      expect(n0).toBeGreaterThanOrEqual(last);
      last = n0;
    }
  });

  it('spends what the largest plan leaves on more seeds for its last rung', () => {
    // 3 candidates would cost 3 + 2 = 5; two candidates on both seeds use the 4 runs.
    expect(planHalving({ budget: 4, seeds: 2 })).toMatchObject({ rungs: [{ candidates: 2, seeds: 2 }], cost: 4 });
    expect(planHalving({ budget: 3, seeds: 3 })).toMatchObject({ rungs: [{ candidates: 2, seeds: 1 }], cost: 2 });
  });

  it('refuses a budget under two runs and caps the candidates', () => {
    expect(planHalving({ budget: 1, seeds: 3 })).toBeUndefined();
    expect(planHalving({ budget: 10_000, seeds: 2, maxCandidates: 16 })!.rungs[0]!.candidates).toBe(16);
  });
});

describe('successive halving', () => {
  it('asks each rung only for the seeds earlier rungs did not score', () => {
    const plan = planHalving({ budget: 24, seeds: 4 })!;
    expect(rungRuns(plan, 1, [3, 5])).toEqual([
      { candidate: 3, seed: 1 },
      { candidate: 5, seed: 1 },
    ]);
    expect(rungRuns(plan, 3, [3, 5])).toEqual([]);
  });

  it('ranks by mean over the rung seeds, ties to the lower index, failures last', () => {
    const plan = planHalving({ budget: 24, seeds: 4 })!;
    const scores: Record<string, number | undefined> = { '0:0': 0.5, '1:0': 0.9, '2:0': 0.5, '3:0': undefined };
    const ranked = rankRung(plan, 0, [0, 1, 2, 3], (c, s) => scores[`${c}:${s}`]);
    expect(ranked.map((r) => r.candidate)).toEqual([1, 0, 2, 3]);
    expect(ranked[3]!.mean).toBe(-Infinity);
    expect(survivorsAfter(plan, ranked, 0)).toEqual([1, 0, 2, 3]); // rung 1 keeps 6 of 12
  });

  it('finds the best candidate of a noisy landscape within budget, deterministically', async () => {
    // True quality: candidate i is worth i / 20; each seed adds a fixed offset in [-0.1, 0.1].
    const noise = (c: number, s: number) => (((c * 7919 + s * 104729) % 200) / 1000 - 0.1) * 0.5;
    const plan = planHalving({ budget: 40, seeds: 4 })!;
    const scored = new Map<string, number>();
    let runs = 0;
    const result = await successiveHalving(
      plan,
      async (batch) => {
        runs += batch.length;
        for (const { candidate, seed } of batch)
          scored.set(`${candidate}:${seed}`, candidate / 20 + noise(candidate, seed));
      },
      (c, s) => scored.get(`${c}:${s}`),
    );
    expect(runs).toBe(plan.cost);
    expect(runs).toBeLessThanOrEqual(40);
    expect(result.best).toBeGreaterThanOrEqual(plan.rungs[0]!.candidates - 3);
    expect(result.rungs.map((r) => r.length)).toEqual(plan.rungs.map((r) => r.candidates));
  });
});
