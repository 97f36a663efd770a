import { mulberry32 } from './mulberry32.js';

/**
 * Seeded standard-normal noise: mulberry32 for uniforms, Box-Muller for normals. Deterministic
 * across runtimes (integer maths plus Math.log/cos/sin), so a seed means the same image on every
 * runner; it does not reproduce torch's generator.
 */
export function randn(count: number, seed: number): Float32Array {
  const uniform = mulberry32(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const u1 = Math.max(uniform(), 1e-12);
    const u2 = uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < count) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}
