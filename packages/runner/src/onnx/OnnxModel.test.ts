import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OrtCpuSession } from '../backends/OrtCpuSession.js';
import { decodeOnnxModel, defaultOpsetVersion, encodeOnnxModel } from './OnnxModel.js';
import { ModelProtoType } from './onnxProto.js';
import { TOY_PACK, maxAbsDiff, randomTensor, seededRandom } from './testing/unetTestKit.js';

describe('OnnxModel', () => {
  it('round-trips the toy VAE decoder byte for byte and ORT runs it identically', async () => {
    const bytes = await readFile(join(TOY_PACK, 'vae_decoder/model.onnx'));
    const model = decodeOnnxModel(bytes);
    expect(defaultOpsetVersion(model)).toBeGreaterThanOrEqual(11);
    const again = encodeOnnxModel(model);
    expect(Buffer.from(again).equals(bytes)).toBe(true);
    const feeds = { latent_sample: randomTensor([1, 4, 8, 8], seededRandom(1)) };
    const [a, b] = await Promise.all([OrtCpuSession.create(bytes), OrtCpuSession.create(again)]);
    const [ra, rb] = [await a.run(feeds), await b.run(feeds)];
    expect(maxAbsDiff(ra.sample?.data ?? new Float32Array(), rb.sample?.data ?? new Float32Array(1))).toBe(0);
  });

  it('keeps fields it does not know (unknown fields survive decode -> encode)', () => {
    // ModelProto with graph + a field number this schema does not declare (25 = functions).
    const known = encodeOnnxModel({ ir_version: 8, graph: { name: 'g' } });
    const unknown = Uint8Array.from([0xca, 0x01, 0x03, 0x0a, 0x01, 0x66]); // field 25, len 3: {1: "f"}
    const bytes = new Uint8Array([...known, ...unknown]);
    const again = encodeOnnxModel(decodeOnnxModel(bytes));
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
    expect(ModelProtoType.decode(again)).toBeTruthy();
  });

  it('refuses bytes that are not a model with a structured error', () => {
    expect(() => decodeOnnxModel(Uint8Array.from([0xff, 0xff, 0xff]))).toThrow(
      expect.objectContaining({ code: 'BAD_ONNX' }),
    );
  });
});
