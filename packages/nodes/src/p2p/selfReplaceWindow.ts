import { P2pError } from './P2pError.js';
import { stepWindow, type StepWindow } from './stepWindow.js';

/**
 * Self-attention replacement steps as the reference's AttentionControlEdit:
 * (int(S * s0), int(S * s1)); self-attention is replaced at step t when start <= t < end.
 * Note it scales by S, where the cross-attention window scales by S + 1.
 */
export function selfReplaceSteps(steps: number, window: StepWindow): [number, number] {
  if (!Number.isInteger(steps) || steps < 0)
    throw new P2pError('INVALID_ARGUMENT', `steps must be a non-negative integer, got ${steps}`);
  const [s0, s1] = stepWindow(window, 'self-attention window');
  return [Math.trunc(steps * s0), Math.trunc(steps * s1)];
}
