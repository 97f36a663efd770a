import { describe, expect, it } from 'vitest';
import { planApplySchedule } from './applySchedule';

const nodes = [
  { id: 'schedule', type: 'ptp.injectionSchedule' },
  { id: 'schedule2', type: 'ptp.injectionSchedule' },
  { id: 'blend', type: 'ptp.blend' },
  { id: 'capture', type: 'ptp.captureSource' },
];

describe('planApplySchedule', () => {
  it('sends a column to the node it names when that node owns the param', () => {
    const p = planApplySchedule({ 'schedule2.cross': 0.4, 'blend.k': 0.2 }, nodes);
    expect(p.assignments).toEqual([
      { nodeId: 'schedule2', param: 'cross', value: 0.4 },
      { nodeId: 'blend', param: 'k', value: 0.2 },
    ]);
    expect(p.unplaced).toEqual([]);
  });

  it('otherwise to every node of the owning type, and reports what found no home', () => {
    const p = planApplySchedule({ 'other.self': 0.7, 'x.k': 0.1, 'capture.steps': 5 }, [
      nodes[0]!,
      nodes[1]!,
      nodes[3]!,
    ]);
    expect(p.assignments).toEqual([
      { nodeId: 'schedule', param: 'self', value: 0.7 },
      { nodeId: 'schedule2', param: 'self', value: 0.7 },
    ]);
    expect(p.unplaced).toEqual(['x.k', 'capture.steps']);
  });

  it('skips values that are not finite numbers', () => {
    expect(planApplySchedule({ 'schedule.cross': Number.NaN }, nodes).assignments).toEqual([]);
  });
});
