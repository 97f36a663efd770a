import { describe, expect, it } from 'vitest';
import { isPlainData, splitOutputs } from './plainOutputs';

describe('splitOutputs', () => {
  const png = Uint8Array.from([137, 80, 78, 71]);
  const image = { images: [{ width: 1, height: 1, rgba: Uint8Array.from([1, 2, 3, 255]) }] };
  const model = Object.create({ run() {} }) as object; // like Load image's pack handle: not plain data

  it('copies files into fresh buffers, so transferring them leaves the engine cache intact', () => {
    const outputs = new Map([['save', { image, files: [{ name: 'a.png', mime: 'image/png', data: png }] }]]);
    const { files, plain, transfer } = splitOutputs(outputs);
    expect(files).toEqual([{ nodeId: 'save', name: 'a.png', mime: 'image/png', data: png }]);
    expect(transfer).toEqual([files[0]!.data.buffer]);
    expect(transfer[0]).not.toBe(png.buffer);
    structuredClone(transfer, { transfer }); // detaches the copies...
    expect(png.byteLength).toBe(4); // ...not the original
    expect(plain.save).toEqual({ image, files: [{ name: 'a.png', mime: 'image/png', size: 4 }] });
  });

  it('summarizes values that cannot cross threads', () => {
    const { plain } = splitOutputs(new Map([['m', { model, fn: () => 1, n: 3 }]]));
    expect(plain.m!.n).toBe(3);
    expect(typeof plain.m!.model).toBe('object');
    expect(() => structuredClone(plain)).not.toThrow();
  });

  it('isPlainData accepts JSON-like data and typed arrays only', () => {
    expect(isPlainData({ a: [1, 'x', null, new Float32Array(2)], b: { c: true } })).toBe(true);
    expect(isPlainData(new Map())).toBe(false);
    expect(isPlainData({ f: () => 1 })).toBe(false);
    expect(isPlainData(model)).toBe(false);
  });
});
