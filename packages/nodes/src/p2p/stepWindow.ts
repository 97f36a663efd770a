import { P2pError } from './P2pError.js';

/**
 * A step window as the reference takes it: a bare fraction c means (0, c), a pair is (c0, c1),
 * both fractions of the run. Same shape as the nodes' `CrossWindow`.
 */
export type StepWindow = number | readonly [number, number];

/**
 * The window's (c0, c1). Values must be finite fractions in [0, 1] with c0 <= c1: the reference
 * does not check, but negative fractions there turn into Python negative slice indices and c0 > c1
 * silently selects nothing, so a bad window here is a caller bug worth reporting.
 */
export function stepWindow(window: StepWindow, what = 'window'): [number, number] {
  const [c0, c1] = typeof window === 'number' ? [0, window] : [window[0], window[1]];
  const ok = (c: number) => Number.isFinite(c) && c >= 0 && c <= 1;
  if (!ok(c0) || !ok(c1) || c0 > c1) {
    throw new P2pError(
      'INVALID_WINDOW',
      `${what} must be a fraction c in [0, 1] or a pair [c0, c1] with 0 <= c0 <= c1 <= 1, got ${JSON.stringify(window)}`,
    );
  }
  return [c0, c1];
}
