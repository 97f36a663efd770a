import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvLine, parseCsv } from './csv.js';

/**
 * results.csv keeps its own small reader because it must also report a final row cut short by a
 * crash (csv-parse throws on an open quote or returns the half row as whole). On complete files
 * the library is the oracle: both must read every written file the same.
 */
describe('csv', () => {
  const field = fc.oneof(
    fc.string(),
    fc.constantFrom('', 'a,b', 'say "hi"', 'two\nlines', 'cr\r\nlf', 'inf', '-1.5e-7'),
  );
  const table = fc.array(fc.array(field, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 });

  it('reads what it writes exactly as csv-parse does', () => {
    fc.assert(
      fc.property(table, (rows) => {
        const text = rows.map(csvLine).join('');
        const ours = parseCsv(text);
        expect(ours.lastComplete).toBe(true);
        expect(ours.rows).toEqual(rows);
        expect(ours.rows).toEqual(parse(text, { relax_column_count: true }));
      }),
      { numRuns: 300 },
    );
  });

  it('returns a row cut short as incomplete, wherever the cut falls', () => {
    fc.assert(
      fc.property(table, fc.nat(), (rows, at) => {
        const text = rows.map(csvLine).join('');
        const cut = text.slice(0, at % text.length);
        const ours = parseCsv(cut);
        if (cut === '' || cut.endsWith('\n')) return;
        expect(ours.lastComplete).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('sees a cut inside an empty quoted field (found by the property above)', () => {
    expect(parseCsv('a\n""')).toEqual({ rows: [['a'], ['']], lastComplete: false });
    expect(parseCsv('a\n"""').lastComplete).toBe(false);
    expect(parseCsv('a,""\n')).toEqual({ rows: [['a', '']], lastComplete: true });
    expect(parseCsv('').lastComplete).toBe(true);
  });

  it('says on which line a quoted field began that the text never closes', () => {
    expect(parseCsv('a,b\n"x\ny,1\n').unclosedQuoteLine).toBe(2);
    expect(parseCsv('a\n"two\nlines"\n"open').unclosedQuoteLine).toBe(4);
    expect(parseCsv('a\n"closed"\n').unclosedQuoteLine).toBeUndefined();
  });
});
