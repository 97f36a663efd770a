import { describe, expect, it } from 'vitest';
import { compactLayout } from './autoLayout';

const box = (id: string, height = 100, width = 200) => ({ id, width, height });

describe('compact layout', () => {
  it('puts nodes in dataflow order, filling columns up to the height, never overlapping', () => {
    const boxes = [box('save'), box('a'), box('b'), box('mix', 250), box('decode', 60)];
    const edges = [
      { from: 'a', to: 'mix' },
      { from: 'b', to: 'mix' },
      { from: 'mix', to: 'decode' },
      { from: 'decode', to: 'save' },
    ];
    const at = compactLayout(boxes, edges, { maxHeight: 300, gapX: 40, gapY: 20 });
    expect(at.get('a')).toEqual({ x: 0, y: 0 });
    expect(at.get('b')).toEqual({ x: 0, y: 120 });
    // mix (250) does not fit under a and b in 300: the next column.
    expect(at.get('mix')).toEqual({ x: 240, y: 0 });
    expect(at.get('decode')).toEqual({ x: 480, y: 0 });
    expect(at.get('save')).toEqual({ x: 480, y: 80 });
    const rects = boxes.map((b) => ({ ...b, ...at.get(b.id)! }));
    for (const r of rects)
      for (const s of rects)
        if (r.id < s.id)
          expect(r.x < s.x + s.width && s.x < r.x + r.width && r.y < s.y + s.height && s.y < r.y + r.height).toBe(
            false,
          );
  });

  it('keeps every node of a cyclic or disconnected graph', () => {
    const at = compactLayout(
      [box('p'), box('q'), box('lone')],
      [
        { from: 'p', to: 'q' },
        { from: 'q', to: 'p' },
      ],
      {
        maxHeight: 1000,
      },
    );
    expect([...at.keys()].sort()).toEqual(['lone', 'p', 'q']);
  });
});
