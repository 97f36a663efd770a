import { np } from './numpyCompat';

export type TimestepSpacing = 'leading' | 'trailing' | 'linspace';

/**
 * The inference timesteps diffusers' set_timesteps builds, in ascending order (DDIM/Euler
 * reverse them). `roundLinspace` is false for Euler, whose linspace timesteps stay fractional;
 * `steps_offset` applies to leading spacing only, as in diffusers.
 */
export function ascendingTimesteps(
  spacing: TimestepSpacing,
  numTrain: number,
  numSteps: number,
  stepsOffset: number,
  roundLinspace = true,
): number[] {
  if (!Number.isInteger(numSteps) || numSteps < 1)
    throw new Error(`number of inference steps must be a positive integer, got ${numSteps}`);
  if (numSteps > numTrain)
    throw new Error(`number of inference steps (${numSteps}) cannot exceed num_train_timesteps (${numTrain})`);
  if (spacing === 'linspace') {
    const ts = np.linspace(0, numTrain - 1, numSteps);
    return roundLinspace ? ts.map(np.round) : ts;
  }
  if (spacing === 'leading') {
    // integer step ratio: timesteps 0, r, 2r, ... shifted by steps_offset
    const ratio = Math.floor(numTrain / numSteps);
    return Array.from({ length: numSteps }, (_, i) => i * ratio + stepsOffset);
  }
  // trailing: fractional ratio counted down from numTrain, rounded, minus one
  const ratio = numTrain / numSteps;
  return np
    .arange(numTrain, 0, -ratio)
    .map((t) => np.round(t) - 1)
    .reverse();
}
