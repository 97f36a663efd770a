/**
 * Needleman-Wunsch global alignment of two token sequences exactly as the reference's
 * `seq_aligner.global_align` + `get_aligned_sequences` (gap 0, match 1, mismatch -1).
 * Returns, for each position j of `y`, the aligned position in `x` or -1 where y[j] is a gap
 * (a new token). Every y position appears once, so the result has y.length entries.
 *
 * Tie-breaking follows the reference: a cell takes "left" (y token against a gap) when it reaches
 * the maximum, else "up" (x token dropped), else the diagonal. Mismatches therefore never align
 * (a gap is never worse), and among equal-score alignments the traceback from the end prefers
 * gaps in y, so a repeated target token matches its earliest copy.
 */
export function alignTokens(x: ArrayLike<number>, y: ArrayLike<number>): Int32Array<ArrayBuffer> {
  const nx = x.length;
  const ny = y.length;
  const W = ny + 1;
  const score = new Int32Array((nx + 1) * W);
  // Traceback codes as in the reference: 1 left, 2 up, 3 diagonal, 4 origin.
  const trace = new Uint8Array((nx + 1) * W);
  trace.fill(1, 1, W);
  for (let i = 1; i <= nx; i++) trace[i * W] = 2;
  trace[0] = 4;
  // With gap = 0 the first row and column scores are all 0, already there.
  for (let i = 1; i <= nx; i++) {
    for (let j = 1; j <= ny; j++) {
      const left = score[i * W + j - 1]!;
      const up = score[(i - 1) * W + j]!;
      const diag = score[(i - 1) * W + j - 1]! + (x[i - 1] === y[j - 1] ? 1 : -1);
      const best = Math.max(left, up, diag);
      score[i * W + j] = best;
      trace[i * W + j] = best === left ? 1 : best === up ? 2 : 3;
    }
  }
  const mapper = new Int32Array(ny).fill(-1);
  let i = nx;
  let j = ny;
  while (i > 0 || j > 0) {
    const t = trace[i * W + j];
    if (t === 3) {
      i--;
      j--;
      mapper[j] = i;
    } else if (t === 1) {
      j--;
      mapper[j] = -1;
    } else if (t === 2) {
      i--;
    } else break;
  }
  return mapper;
}
