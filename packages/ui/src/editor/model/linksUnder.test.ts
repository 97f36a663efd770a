import { describe, expect, it } from 'vitest';
import { linksUnder, type LinkPath } from './linksUnder';

const line = (id: string, from: [number, number], to: [number, number], steps = 20): LinkPath => ({
  id,
  points: Array.from({ length: steps + 1 }, (_, i) => ({
    x: from[0] + ((to[0] - from[0]) * i) / steps,
    y: from[1] + ((to[1] - from[1]) * i) / steps,
  })),
});

describe('linksUnder', () => {
  const node = { x: 100, y: 100, width: 40, height: 20 }; // centre (120, 110)

  it('finds the links crossing a node, nearest its centre first', () => {
    const links = [
      line('far', [0, 102], [300, 102]), // crosses 8 px above the centre
      line('through', [0, 111], [300, 111]), // 1 px off the centre
      line('above', [0, 50], [300, 50]),
      line('beside', [200, 0], [200, 300]),
    ];
    expect(linksUnder(node, links)).toEqual(['through', 'far']);
  });

  it('counts a link that only clips a corner, and none when nothing crosses', () => {
    expect(linksUnder(node, [line('corner', [130, 125], [150, 105], 60)])).toEqual(['corner']);
    expect(linksUnder(node, [line('miss', [0, 0], [90, 300])])).toEqual([]);
    expect(linksUnder(node, [])).toEqual([]);
  });
});
