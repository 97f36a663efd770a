import { describe, expect, it } from 'vitest';
import { TEMPLATES } from './templates';
import { templateMatches } from './templateSearch';

const ids = (q: string) => templateMatches(TEMPLATES, q).map((t) => t.id);

describe('templateMatches', () => {
  it('lists every template for an empty search', () => {
    expect(ids('  ')).toEqual(TEMPLATES.map((t) => t.id));
  });

  it('finds by name first, then by the nodes a template uses', () => {
    expect(ids('refine')[0]).toMatch(/refine/);
    // Neither says "attention viewer" in its name, description or tags.
    expect(ids('attentionviewer')).toContain('refine');
    expect(ids('attentionviewer')).not.toContain('edit-real-image');
    expect(ids('ptp.invert')).toContain('edit-real-image');
  });

  it('finds by the pack a template loads, every word required', () => {
    const tiny = templateMatches(TEMPLATES, 'tiny-shapes');
    expect(tiny.length).toBeGreaterThan(0);
    for (const t of tiny) expect(JSON.stringify(t.document)).toContain('tiny-shapes');
    expect(ids('tiny-shapes no-such-word')).toEqual([]);
  });
});
