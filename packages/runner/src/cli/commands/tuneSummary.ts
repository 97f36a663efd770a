import type { TuneReport } from '../../tune/tuneReport.js';
import { EXIT, type Io } from '../cliSupport.js';

const list = (items: readonly string[], most = 3) =>
  items.length > most ? `${items.slice(0, most).join(', ')} and ${items.length - most} more` : items.join(', ');

/**
 * `ptp tune`'s last words and exit code, as `ptp sweep` says failed cells: any failed run is a
 * failure (exit 1, no "ok:"), its errors told once each with their runs and pairs, where they are
 * (results.csv) and that the same command retries them. Figures are means over the runs that
 * finished, so they are given only when some did, and said to be so; a mean with nothing under
 * it is "n/a", never NaN.
 */
export function tuneSummary(io: Io, report: TuneReport, o: { ran: number; wrote: string; resultsCsv: string }): number {
  if (report.status === 'interrupted') {
    io.err(`stopped after ${o.ran} runs; run the same command again to resume`);
    return EXIT.failed;
  }
  const overall = report.overall;
  const j = (s: string) => {
    const mean = overall[s]?.j.mean;
    return mean === null || mean === undefined ? 'n/a' : mean.toFixed(3);
  };
  const runs = `${report.pairs.length} pairs, ${report.cost.tuneRuns} tuning + ${report.cost.testRuns} held-back runs (${o.ran} computed now)`;
  const figures = `held-back J: tuned per pair ${j('tuned')}${overall.shared ? `, tuned for all pairs ${j('shared')}` : ''}, reference ${j('reference')}, CL P2P ${j('clP2p')}`;
  const f = report.failures;
  if (!f?.failed) {
    io.out(`ok: ${runs}; ${figures}; wrote ${o.wrote}`);
    return EXIT.ok;
  }
  for (const e of f.errors)
    io.err(`error ${e.error} (in ${e.runs} of ${f.runs} runs; pair${e.pairs.length > 1 ? 's' : ''} ${list(e.pairs)})`);
  const retry = `their errors are in ${o.resultsCsv}, and the same command again retries only them`;
  if (f.failed === f.runs) {
    io.err(`every run failed (${f.failed} of ${f.runs}): no figures to report; ${retry}; wrote ${o.wrote}`);
    return EXIT.failed;
  }
  if (f.pairsAllFailed.length) {
    const them = f.pairsAllFailed.length > 1 ? 'them' : 'it';
    io.err(
      `every run of pair${f.pairsAllFailed.length > 1 ? 's' : ''} ${list(f.pairsAllFailed)} failed: no figures for ${them} and no setting tuned for ${them}${report.shared ? ' (the setting for all pairs is tuned on the others)' : ''}`,
    );
  }
  io.err(`${f.failed} of ${f.runs} runs failed: the figures are from the other ${f.runs - f.failed}; ${retry}`);
  io.out(`${runs}, ${f.failed} failed; ${figures} (from the runs that finished); wrote ${o.wrote}`);
  return EXIT.failed;
}
