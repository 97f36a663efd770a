import type { ScenesQualityCount, ScenesQualityLabel, ScenesQualityReport, Tally } from '@ptp/nodes';

type Barred = Exclude<ScenesQualityLabel, 'attentionIoU'>;
const LABELS: readonly Barred[] = ['colour', 'shape', 'count', 'background'];
const WHAT: Record<ScenesQualityCount, string> = {
  colour: 'object colour',
  shape: 'object shape',
  count: 'object count',
  background: 'background',
  size: 'object size',
};
const pct = (t: Tally) => (t.n ? `${((100 * t.correct) / t.n).toFixed(1)}%` : '-');
const cell = (t: Tally) => `${pct(t)} (${t.correct}/${t.n})`;

function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
}

/**
 * The tiny-scenes figures as markdown: per prompted object (colour, shape), per picture (count,
 * background), the attention overlap, each against its bar; then by number of objects.
 */
export function formatScenesQualityReport(r: ScenesQualityReport): string {
  const out: string[] = [
    `pack ${r.pack}: ${r.samples} scenes, ${r.steps} steps, guidance ${r.guidance}, seed ${r.seed} (${r.seconds.toFixed(1)} s)`,
    '',
  ];
  const iou = r.attentionIoU;
  out.push(
    ...table(
      ['prompted', 'right', 'n', 'bar', ''],
      [
        ...LABELS.map((l) => [
          WHAT[l],
          pct(r.overall[l]),
          String(r.overall[l].n),
          `>= ${Math.round(r.bars[l] * 100)}%`,
          r.pass[l] ? 'PASS' : 'below',
        ]),
        // Size words ("small", "large") are asked for no bar (issue 13); shown because refine edits vary them.
        [WHAT.size, pct(r.overall.size), String(r.overall.size.n), '-', ''],
        [
          'attention IoU (mean)',
          iou.mean.toFixed(3),
          String(iou.objects),
          `>= ${r.bars.attentionIoU}`,
          r.pass.attentionIoU ? 'PASS' : 'below',
        ],
        // The bar is on the shape word; the colour word's map is shown beside it (no bar).
        ['IoU of colour words', iou.colourWordMean.toFixed(3), String(iou.objects), '-', ''],
      ],
    ),
    '',
    `attention IoU: each object's shape word's (and colour word's) cross-attention map (summed over steps, groups ${iou.groups.join(', ') || '-'}), ` +
      `thresholded at half its max, vs the judged object's pixels; ${iou.objects} objects of the first ${iou.scenes} scenes ` +
      `(an object not drawn counts 0)`,
    '',
    ...table(
      ['scenes with', ...[...LABELS, 'size' as const].map((l) => WHAT[l])],
      Object.entries(r.byObjects)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, t]) => [k, ...[...LABELS, 'size' as const].map((l) => cell(t[l]))]),
    ),
    '',
  );
  const missed = r.items.filter(
    (i) => i.colour < i.objects || i.shape < i.objects || !i.countRight || !i.backgroundRight,
  );
  if (missed.length) {
    out.push(`first misses (of ${missed.length}):`);
    for (const m of missed.slice(0, 8)) {
      const got = m.got.objects.map((o) => `${o.colour} ${o.shape}`).join(', ') || 'nothing';
      out.push(`  "${m.caption}" -> ${got} on ${m.got.background}`);
    }
  }
  return out.join('\n');
}

/** The report without pixels, for --json and quality.json. */
export function scenesQualityJson(
  r: ScenesQualityReport,
): Omit<ScenesQualityReport, 'images'> & { rates: Record<ScenesQualityLabel | 'size', number> } {
  const { images: _images, ...rest } = r;
  const rates = Object.fromEntries(
    [...LABELS, 'size' as const].map((l) => [l, r.overall[l].n ? r.overall[l].correct / r.overall[l].n : 0]),
  ) as Record<ScenesQualityCount, number>;
  return { ...rest, rates: { ...rates, attentionIoU: r.attentionIoU.mean } };
}
