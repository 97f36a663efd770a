import { describe, expect, it } from 'vitest';
import { P2pError } from './P2pError.js';
import { selfReplaceSteps } from './selfReplaceWindow.js';

describe('selfReplaceSteps', () => {
  it('is (int(S * s0), int(S * s1))', () => {
    expect(selfReplaceSteps(50, 0.4)).toEqual([0, 20]);
    expect(selfReplaceSteps(50, [0.2, 0.7])).toEqual([10, 35]);
    expect(selfReplaceSteps(50, 0)).toEqual([0, 0]);
    expect(selfReplaceSteps(50, 1)).toEqual([0, 50]);
  });

  it('scales by S, not S + 1 as the cross window does', () => {
    // S = 49, 0.8: self int(39.2) = 39 steps; the cross window would give int(0.8 * 50) = 40.
    expect(selfReplaceSteps(49, 0.8)).toEqual([0, 39]);
    expect(selfReplaceSteps(10, 0.95)).toEqual([0, 9]);
  });

  it('rejects bad input', () => {
    expect(() => selfReplaceSteps(50, 1.5)).toThrow(P2pError);
    expect(() => selfReplaceSteps(50, [0.5, 0.2])).toThrow(P2pError);
    expect(() => selfReplaceSteps(-1, 0.4)).toThrow(P2pError);
  });
});
