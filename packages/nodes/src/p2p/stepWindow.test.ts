import { describe, expect, it } from 'vitest';
import { P2pError } from './P2pError.js';
import { stepWindow } from './stepWindow.js';

describe('stepWindow', () => {
  it('reads a bare fraction as (0, c) and a pair as itself', () => {
    expect(stepWindow(0.8)).toEqual([0, 0.8]);
    expect(stepWindow([0.2, 0.6])).toEqual([0.2, 0.6]);
  });

  it('rejects values outside [0, 1], reversed pairs and NaN with INVALID_WINDOW', () => {
    for (const w of [-0.1, 1.1, Number.NaN, [0.7, 0.3] as const, [0, 2] as const]) {
      expect(() => stepWindow(w, 'cross')).toThrow(P2pError);
      try {
        stepWindow(w, 'cross');
      } catch (e) {
        expect((e as P2pError).code).toBe('INVALID_WINDOW');
        expect((e as P2pError).message).toMatch(/^cross must be/);
      }
    }
  });
});
