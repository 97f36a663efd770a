import type { TuneFailures } from '@ptp/nodes';

/** One error of a tune's failed runs, split for the view. */
export interface FailedRunsError {
  /** The error code (`INVALID_PARAM`, ...); null when the text has none. */
  readonly code: string | null;
  /** The node it is tied to; null when none. */
  readonly node: string | null;
  /** The rest of its place (`param sourceWords`, `input image`); null when none. */
  readonly where: string | null;
  readonly message: string;
  readonly runs: number;
  readonly pairs: readonly string[];
}

/** What the Tune results view says about a tune's failed runs, above its figures. */
export interface FailedRuns {
  /** Nothing finished: no figures and no settings at all. */
  readonly all: boolean;
  /** How many failed and what the figures are from (`N of M runs failed: ...`). */
  readonly summary: string;
  readonly errors: readonly FailedRunsError[];
}

/**
 * An error as results.csv and results.json have it: `CODE [node n, param p]: message` (graph-core's
 * `errorPlace`, which the sweep's executors use). Text in another form is all message, so nothing
 * a runner writes is lost.
 */
export function splitRunError(text: string): Pick<FailedRunsError, 'code' | 'node' | 'where' | 'message'> {
  const m = /^([A-Z][A-Z0-9_]*)(?: \[(.+?)\])?: ([\s\S]*)$/.exec(text);
  if (!m) return { code: null, node: null, where: null, message: text };
  const place = m[2] ?? '';
  // errorPlace puts the node first: `node n` or `node n (type)`.
  const node = /^node (.+?)(?: \([^)]*\))?(?:, (.*))?$/.exec(place);
  return {
    code: m[1]!,
    node: node ? node[1]! : null,
    where: (node ? node[2] : place) || null,
    message: m[3]!,
  };
}

const list = (items: readonly string[]) => items.join(', ');

/**
 * The failures section of `ptp tune`'s results.json, said as results.md says it; undefined when
 * no run failed (or the file predates the section). `shared`: the file has a setting for all
 * pairs, which the runner tunes on the pairs with a run that finished.
 */
export function failedRuns(f: TuneFailures | undefined, shared: boolean): FailedRuns | undefined {
  if (!f?.failed) return undefined;
  const all = f.failed >= f.runs;
  const them = f.pairsAllFailed.length > 1 ? 'them' : 'it';
  const summary = all
    ? `Every run failed (${f.runs}): there are no figures and no settings to use.`
    : `${f.failed} of ${f.runs} runs failed: the figures are from the other ${f.runs - f.failed}.` +
      (f.pairsAllFailed.length
        ? ` Every run of ${list(f.pairsAllFailed)} failed: no figures and no settings for ${them}` +
          (shared ? ` (the setting for all pairs is tuned on the others).` : '.')
        : '');
  return {
    all,
    summary: `${summary} The errors are in results.csv beside results.json; the same ptp tune command again retries the failed runs.`,
    errors: f.errors.map((e) => ({ ...splitRunError(e.error), runs: e.runs, pairs: e.pairs })),
  };
}
