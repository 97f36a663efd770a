// Runs the goldens written by `check_pack.py --golden DIR` through onnxruntime-node (CPU) and
// prints the max abs difference to the torch outputs. Exit code 1 if any case is off.
//   node models/ort_compare.mjs /tmp/golden-tiny [PACK_DIR]
// onnxruntime-node is a dependency of packages/runner, so it is resolved from there.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(new URL('../packages/runner/package.json', import.meta.url));
const ort = require('onnxruntime-node');

const goldenDir = process.argv[2];
if (!goldenDir) throw new Error('usage: node models/ort_compare.mjs GOLDEN_DIR [PACK_DIR]');
const spec = JSON.parse(readFileSync(path.join(goldenDir, 'golden.json'), 'utf8'));
const pack = process.argv[3] ?? spec.pack;

const ctor = { float32: Float32Array, int64: BigInt64Array };
function load(t) {
  const buf = readFileSync(path.join(goldenDir, t.file));
  const C = ctor[t.dtype];
  const data = new C(buf.buffer, buf.byteOffset, buf.byteLength / C.BYTES_PER_ELEMENT);
  return new ort.Tensor(t.dtype, data, t.dims);
}

let bad = 0;
const sessions = new Map();
for (const c of spec.cases) {
  const file = path.join(pack, c.model);
  if (!sessions.has(file)) sessions.set(file, await ort.InferenceSession.create(file));
  const feeds = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, load(v)]));
  const t0 = performance.now();
  const res = await sessions.get(file).run(feeds);
  const ms = performance.now() - t0;
  for (const [name, t] of Object.entries(c.outputs)) {
    const want = load(t);
    const got = res[name];
    if (got.dims.join() !== want.dims.join()) {
      console.log(`${c.model} ${name}: dims ${got.dims} != ${want.dims}`);
      bad++;
      continue;
    }
    let max = 0;
    let scale = 0;
    for (let i = 0; i < want.data.length; i++) {
      max = Math.max(max, Math.abs(got.data[i] - want.data[i]));
      scale = Math.max(scale, Math.abs(want.data[i]));
    }
    const ok = max <= c.tolerance * Math.max(1, scale);
    if (!ok) bad++;
    const inDims = Object.entries(c.inputs).map(([k, v]) => `${k}[${v.dims}]`).join(' ');
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${c.model} ${name}[${got.dims}] max|diff| ${max.toExponential(2)} ` +
      `(max|ref| ${scale.toFixed(3)}) ${ms.toFixed(1)} ms  <- ${inDims}`);
  }
}
process.exit(bad ? 1 : 0);
