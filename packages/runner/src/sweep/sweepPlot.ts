import type { SweepCell } from './sweepSpec.js';
import type { CellResult } from './SweepResults.js';
import { groupMeans, numericMetrics, plannedResults } from './sweepTables.js';

const PANEL_W = 300;
const PANEL_H = 200;
const M = { left: 48, right: 12, top: 26, bottom: 34 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/** Panels shown by default when present (the study's figures). */
const PREFERRED = ['iou', 'success', 'backgroundPsnr', 'psnr', 'ssim', 'meanAbsError'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const label = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** About five round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

interface PlotOptions {
  cells: readonly SweepCell[];
  results: readonly CellResult[];
  metrics?: readonly string[];
  maxPanels?: number;
  columns?: readonly string[];
}

/** The named metrics that were measured; else the preferred ones present; else all; at most `maxPanels`. */
function chooseMetrics(all: string[], o: PlotOptions): string[] {
  const preferred = all.filter((m) => PREFERRED.includes(m.slice(m.lastIndexOf('.') + 1)));
  return (o.metrics?.length ? o.metrics.filter((m) => all.includes(m)) : preferred.length ? preferred : all).slice(
    0,
    o.maxPanels ?? 6,
  );
}

/** What every panel shares: the metrics, the group means, the x values and the series. */
function plotData(o: PlotOptions) {
  const rows = plannedResults(o.cells, o.results);
  const axes = o.cells[0]?.axes ?? [];
  const all = numericMetrics(
    rows.map((r) => r.result),
    o.columns,
  );
  const metrics = chooseMetrics(all, o);
  const xCol = axes[0] ?? 'pair';
  const seriesCols = axes.slice(1);
  const groups = axes.length
    ? groupMeans(rows, axes, metrics)
    : groupMeans(
        rows.map((r) => ({ ...r, result: { ...r.result, params: { ...r.result.params, pair: r.result.pair } } })),
        ['pair'],
        metrics,
      );
  const xValues = [...new Map(groups.map((g) => [JSON.stringify(g.by[xCol]), g.by[xCol]])).values()];
  const numericX = xValues.every((v) => typeof v === 'number');
  const xs = xValues.map((v, i) => (numericX ? (v as number) : i));
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const seriesKeys = [...new Set(groups.map((g) => JSON.stringify(seriesCols.map((c) => g.by[c]))))];
  return { metrics, xCol, seriesCols, groups, xValues, xs, xMin, xMax, seriesKeys };
}

type PlotData = ReturnType<typeof plotData>;

/** A panel's origin, inner size and its x and y scales. */
interface PanelFrame {
  ox: number;
  oy: number;
  pw: number;
  ph: number;
  sx: (x: number) => number;
  sy: (y: number) => number;
}

/** Horizontal grid lines and y labels, with as many decimals as the tick step needs. */
function yTicksSvg(f: PanelFrame, yMin: number, yMax: number): string[] {
  const parts: string[] = [];
  const ticks = niceTicks(yMin, yMax);
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 0.001;
  let decimals = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
  if (Math.abs(step * 10 ** decimals - Math.round(step * 10 ** decimals)) > 1e-6) decimals++; // 0.25, 2.5

  for (const t of ticks) {
    parts.push(
      `<line x1="${f.ox + M.left}" x2="${f.ox + M.left + f.pw}" y1="${f.sy(t).toFixed(1)}" y2="${f.sy(t).toFixed(1)}" stroke="#eee"/>`,
    );
    parts.push(
      `<text x="${f.ox + M.left - 4}" y="${(f.sy(t) + 3).toFixed(1)}" text-anchor="end">${esc(Math.abs(t) >= 1e5 ? t.toExponential(1) : t.toFixed(Math.min(decimals, 6)))}</text>`,
    );
  }
  return parts;
}

/** One line with its points per series (finite means only), each with its 95 % interval as an error bar. */
function seriesSvg(d: PlotData, metric: string, f: PanelFrame): string[] {
  const parts: string[] = [];
  d.seriesKeys.forEach((sk, si) => {
    const colour = COLOURS[si % COLOURS.length];
    const pts = d.xValues.flatMap((xv, i) => {
      const g = d.groups.find(
        (gg) =>
          JSON.stringify(gg.by[d.xCol]) === JSON.stringify(xv) &&
          JSON.stringify(d.seriesCols.map((c) => gg.by[c])) === sk,
      );
      const m = g?.means[metric];
      const y = m?.mean;
      if (y === undefined || !Number.isFinite(y)) return [];
      const half = Number.isFinite(m!.half) ? m!.half : 0;
      return [[f.sx(d.xs[i]!), f.sy(y), f.sy(y - half), f.sy(y + half)] as const];
    });
    if (pts.length > 1)
      parts.push(
        `<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`,
      );
    for (const [x, y, lo, hi] of pts) {
      if (lo - hi > 1)
        parts.push(
          `<path d="M${(x - 3).toFixed(1)},${lo.toFixed(1)}h6M${x.toFixed(1)},${lo.toFixed(1)}V${hi.toFixed(1)}M${(x - 3).toFixed(1)},${hi.toFixed(1)}h6" stroke="${colour}" stroke-width="1" opacity="0.6"/>`,
        );
      parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="2.5" fill="${colour}"/>`);
    }
  });
  return parts;
}

/** The panel of one metric at grid position `pi`. */
function panelSvg(d: PlotData, metric: string, pi: number, cols: number): string[] {
  const ox = (pi % cols) * PANEL_W;
  const oy = Math.floor(pi / cols) * PANEL_H;
  const pw = PANEL_W - M.left - M.right;
  const ph = PANEL_H - M.top - M.bottom;
  // The y range covers the error bars (mean ± the 95 % half-width), so none is cut off.
  const ys = d.groups
    .flatMap((g) => {
      const m = g.means[metric]!;
      const half = Number.isFinite(m.half) ? m.half : 0;
      return [m.mean - half, m.mean + half];
    })
    .filter(Number.isFinite);
  let [yMin, yMax] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (yMax - yMin < 1e-9) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  const pad = (yMax - yMin) * 0.08;
  [yMin, yMax] = [yMin - pad, yMax + pad];
  const { xMin, xMax } = d;
  const sx = (x: number) => ox + M.left + (xMax > xMin ? ((x - xMin) / (xMax - xMin)) * pw : pw / 2);
  const sy = (y: number) => oy + M.top + ph - ((y - yMin) / (yMax - yMin)) * ph;
  const f: PanelFrame = { ox, oy, pw, ph, sx, sy };
  const parts: string[] = [];
  parts.push(`<text x="${ox + M.left}" y="${oy + 16}" font-size="12" font-weight="bold">${esc(metric)}</text>`);
  parts.push(`<rect x="${ox + M.left}" y="${oy + M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  if (!ys.length)
    parts.push(
      `<text x="${ox + M.left + pw / 2}" y="${oy + M.top + ph / 2}" text-anchor="middle" fill="#999">no finite values</text>`,
    );
  parts.push(...yTicksSvg(f, yMin, yMax));
  d.xValues.forEach((v, i) =>
    parts.push(
      `<text x="${sx(d.xs[i]!).toFixed(1)}" y="${oy + M.top + ph + 13}" text-anchor="middle">${esc(label(v))}</text>`,
    ),
  );
  parts.push(
    `<text x="${ox + M.left + pw / 2}" y="${oy + PANEL_H - 4}" text-anchor="middle" fill="#555">${esc(d.xCol)}</text>`,
  );
  parts.push(...seriesSvg(d, metric, f));
  return parts;
}

/** The legend below the panels: a colour swatch and the other axes' values per series. */
function legendSvg(d: PlotData, top: number, W: number): string[] {
  return d.seriesKeys.map((sk, si) => {
    const vals = JSON.parse(sk) as unknown[];
    const text = d.seriesCols.map((c, i) => `${c}=${label(vals[i])}`).join(', ');
    const x = 10 + (si % 3) * (W / 3);
    const y = top + 18 * Math.floor(si / 3) + 10;
    return `<rect x="${x}" y="${y - 8}" width="10" height="10" fill="${COLOURS[si % COLOURS.length]}"/><text x="${x + 14}" y="${y + 1}">${esc(text)}</text>`;
  });
}

/**
 * plot.svg: one small panel per metric (the named ones; else IoU, success, background PSNR, PSNR,
 * SSIM, MAE when measured; else the first `maxPanels`). x: the first grid
 * axis (numeric axes to scale, others evenly spaced; the pairs when there is no grid); one line per
 * combination of the other axes; y: mean over pairs (finite values) with its 95 % t interval as an
 * error bar. Hand-written SVG, no deps.
 */
export function sweepPlot(o: PlotOptions): string {
  const d = plotData(o);
  const { metrics, seriesCols, seriesKeys } = d;
  const cols = Math.min(3, Math.max(1, metrics.length));
  const panelRows = Math.ceil(metrics.length / cols);
  const legendH = seriesCols.length ? 18 * Math.ceil(seriesKeys.length / 3) + 8 : 0;
  const W = cols * PANEL_W;
  const H = Math.max(1, panelRows) * PANEL_H + legendH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="10">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  if (!metrics.length) parts.push(`<text x="10" y="20">no finished cells with numeric metrics yet</text>`);
  metrics.forEach((metric, pi) => parts.push(...panelSvg(d, metric, pi, cols)));
  if (seriesCols.length) parts.push(...legendSvg(d, Math.max(1, panelRows) * PANEL_H + 4, W));
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
