import { describe, expect, it } from 'vitest';
import {
  planCost,
  planHalving,
  rankRung,
  rungRuns,
  selectionScore,
  selectWinner,
  successiveHalving,
  survivorsAfter,
} from './successiveHalving.js';

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

describe('selecting the winner', () => {
  it('scores by mean, mean minus z standard errors, or the worst seed; a missing run is -Infinity', () => {
    const xs = [0.9, 0.9, 0.9, 0.3];
    expect(selectionScore(xs, { rule: 'mean' })).toBeCloseTo(0.75);
    // Sample SD 0.3, standard error 0.15.
    expect(selectionScore(xs, { rule: 'lcb', z: 1 })).toBeCloseTo(0.6);
    // The default: lcb, z 1.
    expect(selectionScore(xs)).toBeCloseTo(0.6);
    expect(selectionScore(xs, { rule: 'lcb', z: 2 })).toBeCloseTo(0.45);
    expect(selectionScore(xs, { rule: 'lcb', z: 0 })).toBeCloseTo(0.75);
    expect(selectionScore(xs, { rule: 'min' })).toBeCloseTo(0.3);
    // One seed has no spread: lcb is its mean.
    expect(selectionScore([0.8], { rule: 'lcb', z: 2 })).toBeCloseTo(0.8);
    for (const rule of ['mean', 'lcb', 'min'] as const) {
      expect(selectionScore([0.9, undefined], { rule })).toBe(-Infinity);
      expect(selectionScore([0.9, Number.NaN], { rule })).toBe(-Infinity);
      expect(selectionScore([], { rule })).toBe(-Infinity);
    }
  });

  it('picks among the candidates scored on the most seeds, a steady one over a lucky one under lcb', () => {
    // Rung 0 scores 4 candidates on 1 seed, rung 1 keeps 2 on 4 seeds (the plan a budget of 10 on 4 seeds gives).
    const plan = planHalving({ budget: 10, seeds: 4 })!;
    expect(plan.rungs).toEqual([
      { candidates: 4, seeds: 1 },
      { candidates: 2, seeds: 4 },
    ]);
    // Candidate 2 edits well on three seeds and fails on one (J 0.3); candidate 3 is steady.
    const j: Record<number, number[]> = { 0: [0.5], 1: [0.4], 2: [0.95, 0.95, 0.95, 0.3], 3: [0.78, 0.76, 0.77, 0.77] };
    const score = (c: number, s: number) => j[c]![s];
    const rankings = [rankRung(plan, 0, [0, 1, 2, 3], score)];
    rankings.push(rankRung(plan, 1, survivorsAfter(plan, rankings[0]!, 0), score));
    // Only the two scored on 4 seeds compete; mean picks the lucky one, lcb and min the steady one.
    const mean = selectWinner(plan, rankings, score, { rule: 'mean' });
    expect(mean.map((x) => x.candidate)).toEqual([2, 3]);
    expect(mean[0]).toMatchObject({ seeds: 4 });
    expect(mean[0]!.mean).toBeCloseTo(0.7875);
    expect(mean[0]!.score).toBeCloseTo(0.7875);
    expect(selectWinner(plan, rankings, score, { rule: 'lcb', z: 1 })[0]!.candidate).toBe(3);
    expect(selectWinner(plan, rankings, score, { rule: 'min' })[0]!.candidate).toBe(3);
    // lcb with z 0 is the mean.
    expect(selectWinner(plan, rankings, score, { rule: 'lcb', z: 0 })[0]!.candidate).toBe(2);
  });

  it('lets candidates dropped at an earlier rung with as many seeds compete, and breaks ties toward index 0 (the reference defaults)', () => {
    // Seeds cap at 2: rungs 8x1 > 4x2 > 2x2, so all four of rung 1 were scored on both seeds.
    const plan = planHalving({ budget: 16, seeds: 2, maxCandidates: 8 })!;
    expect(plan.rungs.map((r) => r.seeds)).toEqual([1, 2, 2]);
    const j = (c: number, s: number) => (c === 0 ? 0.8 : c === 5 ? [0.9, 0.7][s]! : c === 6 ? 0.8 : 0.5 + c / 100);
    const rankings = [rankRung(plan, 0, [0, 1, 2, 3, 4, 5, 6, 7], j)];
    rankings.push(rankRung(plan, 1, survivorsAfter(plan, rankings[0]!, 0), j));
    rankings.push(rankRung(plan, 2, survivorsAfter(plan, rankings[1]!, 1), j));
    const pool = selectWinner(plan, rankings, j, { rule: 'lcb', z: 1 });
    expect(pool.map((x) => x.candidate).sort()).toEqual([0, 5, 6, 7]);
    // 0 and 6 tie at 0.8 with no spread: 0 wins; 5 (mean 0.8, SE 0.1) comes after them.
    expect(pool.map((x) => x.candidate)).toEqual([0, 6, 5, 7]);
    // Under mean, 0, 5 and 6 tie at 0.8 and the lowest index wins.
    expect(selectWinner(plan, rankings, j, { rule: 'mean' })[0]!.candidate).toBe(0);
  });

  it('picks the same winner as the best of the last rung under mean, and reports the pool under any rule', async () => {
    const noise = (c: number, s: number) => (((c * 7919 + s * 104729) % 200) / 1000 - 0.1) * 0.5;
    const plan = planHalving({ budget: 40, seeds: 4 })!;
    const scored = new Map<string, number>();
    const run = (rule: 'mean' | 'lcb' | 'min') =>
      successiveHalving(
        plan,
        async (batch) => {
          for (const { candidate, seed } of batch)
            scored.set(`${candidate}:${seed}`, candidate / 20 + noise(candidate, seed));
        },
        (c, s) => scored.get(`${c}:${s}`),
        { rule },
      );
    const mean = await run('mean');
    expect(mean.best).toBe(mean.rungs.at(-1)![0]!.candidate);
    for (const rule of ['lcb', 'min'] as const) {
      const r = await run(rule);
      expect(r.selection[0]!.candidate).toBe(r.best);
      expect(r.selection.every((x) => x.seeds === plan.rungs.at(-1)!.seeds)).toBe(true);
    }
  });
});
