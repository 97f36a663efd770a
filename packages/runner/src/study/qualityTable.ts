import type { QualityLabel, QualityReport, Tally } from '@ptp/nodes';

const LABELS: readonly QualityLabel[] = ['colour', 'shape', 'background'];
const pct = (t: Tally) => (t.n ? `${((100 * t.correct) / t.n).toFixed(1)}%` : '-');
const cell = (t: Tally) => `${pct(t)} (${t.correct}/${t.n})`;

function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
}

/** The quality figures as markdown tables: overall with the bars, then per prompted colour, shape and background. */
export function formatQualityReport(r: QualityReport): string {
  const out: string[] = [];
  out.push(
    `pack ${r.pack}: ${r.samples} samples, ${r.steps} steps, guidance ${r.guidance}, scheduler ${r.scheduler}, seed ${r.seed} (${r.seconds.toFixed(1)} s)`,
    '',
  );
  out.push(
    ...table(
      ['prompted', 'correct', 'n', 'bar', ''],
      LABELS.map((l) => [
        l,
        pct(r.overall[l]),
        String(r.overall[l].n),
        `>= ${Math.round(r.bars[l] * 100)}%`,
        r.pass[l] ? 'PASS' : 'below',
      ]),
    ),
    '',
    `shape by the training log's box-fill judge (shapes_world.judge): ${cell(r.boxFillShape)}`,
    '',
  );
  const breakdown = (title: string, groups: Record<string, Record<QualityLabel, Tally>>) => {
    out.push(
      ...table(
        [title, ...LABELS],
        Object.entries(groups).map(([k, t]) => [k, ...LABELS.map((l) => cell(t[l]))]),
      ),
      '',
    );
  };
  breakdown('colour', r.byColour);
  breakdown('shape', r.byShape);
  breakdown('background', r.byBackground);
  const missed = r.items.filter(
    (i) => i.got.colour !== i.want.colour || i.got.shape !== i.want.shape || i.got.background !== i.want.background,
  );
  if (missed.length) {
    out.push(`first misses (of ${missed.length}):`);
    for (const m of missed.slice(0, 8))
      out.push(
        `  "${m.caption}" -> ${m.got.colour ?? 'nothing'} ${m.got.shape ?? ''} on ${m.got.background} (fill ${m.fillRatio.toFixed(2)})`,
      );
  }
  return out.join('\n');
}

/** The report without pixels, for --json and quality.json. */
export function qualityJson(r: QualityReport): Omit<QualityReport, 'images'> & { rates: Record<QualityLabel, number> } {
  const { images: _images, ...rest } = r;
  const rates = Object.fromEntries(
    LABELS.map((l) => [l, r.overall[l].n ? r.overall[l].correct / r.overall[l].n : 0]),
  ) as Record<QualityLabel, number>;
  return { ...rest, rates };
}
