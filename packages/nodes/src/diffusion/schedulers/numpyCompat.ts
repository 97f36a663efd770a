import type { FloatArray } from './Scheduler';

/**
 * The few numpy routines diffusers uses to build timestep schedules, reproduced operation for
 * operation so rounding matches (float64 throughout, like numpy).
 */
export const np = {
  /** np.linspace(start, stop, num): i * step + start, with the endpoint set exactly. */
  linspace(start: number, stop: number, num: number): number[] {
    if (num === 1) return [start];
    const div = num - 1;
    const step = (stop - start) / div;
    const out: number[] = [];
    for (let i = 0; i < num; i++) out.push(step === 0 ? (i / div) * (stop - start) + start : i * step + start);
    out[num - 1] = stop;
    return out;
  },

  /** np.arange(start, stop, step) for floats: length ceil((stop-start)/step), then numpy's fill. */
  arange(start: number, stop: number, step: number): number[] {
    const len = Math.max(0, Math.ceil((stop - start) / step));
    const out: number[] = [];
    if (len === 0) return out;
    out.push(start);
    if (len === 1) return out;
    out.push(start + step);
    // numpy's DOUBLE_fill re-derives the increment from the first two values.
    const delta = out[1]! - start;
    for (let i = 2; i < len; i++) out.push(start + i * delta);
    return out;
  },

  /** ndarray.round(): round half to even (numpy's rint), unlike Math.round. */
  round(x: number): number {
    const r = Math.round(x);
    // Math.round rounds .5 up; numpy rounds .5 to the even neighbour.
    return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },

  /** np.interp(x, arange(len(fp)), fp): numpy's formula slope * (x - xp[j]) + fp[j]. */
  interpOnIndexGrid(x: number, fp: FloatArray): number {
    const last = fp.length - 1;
    if (Number.isNaN(x)) return x;
    if (x <= 0) return fp[0]!;
    if (x >= last) return fp[last]!;
    const j = Math.floor(x);
    if (j === x) return fp[j]!;
    const slope = (fp[j + 1]! - fp[j]!) / 1;
    return slope * (x - j) + fp[j]!;
  },
};
