import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scanOnnxModel } from './scanOnnxModel';

// A minimal protobuf writer for hand-made ModelProtos.
const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
};
const bytes = (field: number, data: number[]) => [...varint(field * 8 + 2), ...varint(data.length), ...data];
const num = (field: number, n: number) => [...varint(field * 8), ...varint(n)];
const str = (field: number, s: string) => bytes(field, [...new TextEncoder().encode(s)]);
const entry = (k: string, v: string) => bytes(13, [...str(1, k), ...str(2, v)]);

describe('scanOnnxModel', () => {
  it('counts float16 initializers and external data bytes, skipping other fields', () => {
    const fp16External = [
      ...num(1, 320),
      ...num(2, 10),
      ...str(8, 'w'),
      ...entry('location', 'model.onnx_data'),
      ...entry('offset', '0'),
      ...entry('length', String(3_437_856_000)),
      ...num(14, 1),
    ];
    const fp32Inline = [...num(2, 1), ...str(8, 'b'), ...bytes(9, [0, 0, 128, 63])];
    const graph = [
      ...bytes(1, [...str(4, 'Conv')]),
      ...bytes(5, fp16External),
      ...bytes(5, fp32Inline),
      ...str(2, 'g'),
    ];
    const model = new Uint8Array([
      ...num(1, 8),
      ...[0x11, 1, 2, 3, 4, 5, 6, 7, 8], // field 2, 64-bit (skipped)
      ...bytes(7, graph),
      ...bytes(8, [...num(2, 17)]),
    ]);
    expect(scanOnnxModel(model)).toEqual({
      initializers: 2,
      float16Initializers: 1,
      externalBytes: 3_437_856_000,
      externalFiles: ['model.onnx_data'],
    });
  });

  it('reads a real pack model: the committed tiny-random UNet (float32, inline weights)', () => {
    const file = fileURLToPath(new URL('../../../../../models/packs/tiny-random/unet/model.onnx', import.meta.url));
    const scan = scanOnnxModel(readFileSync(file));
    expect(scan.initializers).toBeGreaterThan(50);
    expect(scan).toMatchObject({ float16Initializers: 0, externalBytes: 0, externalFiles: [] });
  });

  it('refuses bytes that are not a model', () => {
    expect(() => scanOnnxModel(new Uint8Array([0x3a, 0x40, 1]))).toThrow(/truncated/);
  });
});
