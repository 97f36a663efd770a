import { describe, expect, it } from 'vitest';
import { estimateNodeSize } from './nodeSize';
import { testIndex } from './testSupport';

describe('estimateNodeSize', () => {
  it('grows with the sockets and settings a node shows', () => {
    const size = (type: string) => estimateNodeSize(testIndex().byType.get(type)).height;
    expect(size('ptp.injectionSchedule')).toBeGreaterThan(size('ptp.prompt'));
    expect(size('ptp.captureSource')).toBeGreaterThan(200);
    // An output node keeps room for its results.
    expect(size('ptp.saveImage')).toBeGreaterThan(size('ptp.decode'));
    expect(estimateNodeSize(undefined)).toEqual({ width: 240, height: 160 });
  });
});
