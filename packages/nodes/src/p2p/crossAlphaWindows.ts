import type { Tokenizer } from '../runtime/InferenceBackend.js';
import { P2pError } from './P2pError.js';
import { stepWindow, type StepWindow } from './stepWindow.js';
import { wordTokenIndices } from './wordTokenIndices.js';

export interface CrossAlphaEdit {
  /** The edit's prompt; per-word windows look their words up here (the reference uses prompts[1:]). */
  readonly targetText: string;
  /** Window for every token; missing means (0, 1) as the reference's missing `default_`. */
  readonly default?: StepWindow;
  /** Windows overriding the default on a word's tokens (the reference's other dict keys). */
  readonly words?: Readonly<Record<string, StepWindow>>;
}

export interface CrossAlphaOptions {
  /** Denoising steps S. */
  readonly steps: number;
  readonly edits: readonly CrossAlphaEdit[];
  readonly tokenizer: Tokenizer;
  /** Token length (77 for CLIP). */
  readonly T: number;
}

/** The [rows, E, T] alphas being written. */
interface AlphaGrid {
  out: Float32Array;
  rows: number;
  E: number;
  T: number;
}

/** Sets rows [start, end) of column set `cols` for edit `e` to 1 and every other row to 0. */
function writeWindow(
  { out, rows, E, T }: AlphaGrid,
  e: number,
  window: StepWindow,
  cols: Iterable<number>,
  what: string,
) {
  const [c0, c1] = stepWindow(window, what);
  // update_alpha_time_word: int(bound * alpha.shape[0]) with shape[0] = S + 1 rows.
  const start = Math.trunc(c0 * rows);
  const end = Math.trunc(c1 * rows);
  for (const n of cols) {
    for (let t = 0; t < rows; t++) out[(t * E + e) * T + n] = start <= t && t < end ? 1 : 0;
  }
}

/**
 * Time-word cross-attention alphas, as `ptp_utils.get_time_words_attention_alpha`: shape
 * [S + 1, E, T] row-major (row t is used at step t; the reference builds S + 1 rows and row S is
 * only reached by samplers that call the UNet once more, e.g. PNDM).
 *
 * Row t is 1 for floor(c0 * (S + 1)) <= t < floor(c1 * (S + 1)): S = 50, c = 0.8 gives rows 0..39.
 * The default window fills every token; a word's window then rewrites only that word's tokens in
 * this edit's prompt (words not found change nothing, as in the reference). Unlike the reference,
 * each edit carries its own windows; giving every edit the same ones reproduces it.
 */
export function crossAlphaWindows(options: CrossAlphaOptions): Float32Array<ArrayBuffer> {
  const { steps, edits, tokenizer, T } = options;
  if (!Number.isInteger(steps) || steps < 0)
    throw new P2pError('INVALID_ARGUMENT', `steps must be a non-negative integer, got ${steps}`);
  if (!Number.isInteger(T) || T < 1)
    throw new P2pError('INVALID_ARGUMENT', `token length must be a positive integer, got ${T}`);
  const rows = steps + 1;
  const E = edits.length;
  const out = new Float32Array(rows * E * T);
  const grid: AlphaGrid = { out, rows, E, T };
  const allTokens = Array.from({ length: T }, (_, n) => n);
  edits.forEach((edit, e) => {
    writeWindow(grid, e, edit.default ?? [0, 1], allTokens, `edit ${e} default cross window`);
    for (const [word, window] of Object.entries(edit.words ?? {})) {
      const inds = wordTokenIndices(tokenizer, edit.targetText, word).filter((n) => n < T);
      // Validate even when the word is absent, so a bad window is never silently ignored.
      if (inds.length === 0) stepWindow(window, `cross window of "${word}"`);
      else writeWindow(grid, e, window, inds, `cross window of "${word}"`);
    }
  });
  return out;
}
