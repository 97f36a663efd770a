import { describe, expect, it } from 'vitest';
import { resultFreshness, type FreshnessContext } from './resultFreshness';

const result = (runSerial: number, inputsKey?: string) => ({
  images: [],
  runSerial,
  ...(inputsKey ? { inputsKey } : {}),
});
const ctx = (over: Partial<FreshnessContext>): FreshnessContext => ({
  runSerial: 2,
  busy: false,
  inRun: false,
  key: 'k',
  ...over,
});

describe('resultFreshness', () => {
  it('keeps a result current through a later run that left its node out (Update maps)', () => {
    expect(resultFreshness(result(1, 'k'), ctx({}))).toBe('current');
    expect(resultFreshness(result(1, 'k'), ctx({ busy: true }))).toBe('current');
  });

  it('marks a result the run under way remakes, and one it failed to remake', () => {
    expect(resultFreshness(result(1, 'k'), ctx({ busy: true, inRun: true }))).toBe('running');
    expect(resultFreshness(result(1, 'old'), ctx({ inRun: true }))).toBe('earlier');
  });

  it('marks a result whose node, or a node upstream, was edited since', () => {
    expect(resultFreshness(result(2, 'old'), ctx({}))).toBe('edited');
    expect(resultFreshness(result(1, 'old'), ctx({}))).toBe('edited');
  });

  it('without keys, goes by the run that made it', () => {
    expect(resultFreshness(result(1), ctx({}))).toBe('earlier');
    expect(resultFreshness(result(2), ctx({ key: undefined }))).toBe('current');
  });
});
