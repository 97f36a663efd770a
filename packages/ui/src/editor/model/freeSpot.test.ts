import { describe, expect, it } from 'vitest';
import { freeSpot, type Box } from './freeSpot';

const size = { width: 240, height: 160 };
const hit = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('freeSpot', () => {
  it('keeps the wanted place when it is free', () => {
    expect(freeSpot({ x: 0, y: 0 }, size, [{ x: 400, y: 0, width: 240, height: 160 }])).toEqual({ x: 0, y: 0 });
  });

  it('moves off the nodes there to the nearest free place, however many pile up', () => {
    const taken: Box[] = [{ x: -20, y: -10, width: 300, height: 200 }];
    for (let i = 0; i < 10; i++) {
      const at = freeSpot({ x: 0, y: 0 }, size, taken);
      const box = { ...at, ...size };
      expect(taken.some((b) => hit(b, box))).toBe(false);
      // Near: within a few node sizes of the wanted place.
      expect(Math.hypot(at.x, at.y)).toBeLessThan(4 * size.width);
      taken.push(box);
    }
  });
});
