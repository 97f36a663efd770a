import { describe, expect, it } from 'vitest';
import { decodeOnnxModel, encodeOnnxModel } from './OnnxModel.js';
import { findAttentionLayers } from './findAttentionLayers.js';
import { AttributeType, DataType } from './onnxProto.js';
import type { ModelProto } from './onnxProto.js';
import { patchControllableUnet } from './patchControllableUnet.js';
import { buildTinyUnet } from './testing/buildTinyUnet.js';

const ATTN1 = '/down_blocks.0/attentions.0/transformer_blocks.0/attn1';

/** The smallest model with a fused attention node: q, k, v inputs -> com.microsoft MultiHeadAttention. */
function minimalFusedModel(): ModelProto {
  const io = (name: string) => ({
    name,
    type: {
      tensor_type: {
        elem_type: DataType.FLOAT,
        shape: { dim: [{ dim_param: 'B' }, { dim_param: 'S' }, { dim_value: 8 }] },
      },
    },
  });
  return {
    ir_version: 8,
    opset_import: [
      { domain: '', version: 17 },
      { domain: 'com.microsoft', version: 1 },
    ],
    graph: {
      name: 'fused',
      node: [
        {
          name: `${ATTN1}/MultiHeadAttention`,
          op_type: 'MultiHeadAttention',
          domain: 'com.microsoft',
          input: ['q', 'k', 'v'],
          output: ['out'],
          attribute: [{ name: 'num_heads', type: AttributeType.INT, i: 2 }],
        },
      ],
      input: [io('q'), io('k'), io('v')],
      output: [io('out')],
    },
  };
}

describe('findAttentionLayers', () => {
  it('refuses fused com.microsoft attention and says how to re-export; the patcher expands supported forms', () => {
    const model = decodeOnnxModel(encodeOnnxModel(minimalFusedModel()));
    let error: unknown;
    try {
      findAttentionLayers(model);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'FUSED_ATTENTION' });
    const message = (error as Error).message;
    expect(message).toContain(`com.microsoft.MultiHeadAttention '${ATTN1}/MultiHeadAttention'`);
    expect(message).toContain('torch.onnx.export');
    expect(message).toContain('without `--optimize`');
    // The patcher expands the fused forms it knows and refuses the others with the same code.
    expect(() => patchControllableUnet(buildTinyUnet({ layout: 'folded', fused: true }).model)).not.toThrow();
    const masked = buildTinyUnet({ layout: 'folded', fused: true }).model;
    const mha = masked.graph?.node?.find((n) => n.op_type === 'MultiHeadAttention');
    mha?.input?.push('', 'sample');
    expect(() => patchControllableUnet(masked)).toThrow(
      expect.objectContaining({ code: 'FUSED_ATTENTION', message: expect.stringContaining('mask') }),
    );
  });

  it('describes each layer: scope, kind, layout, softmax, P·V MatMul, to_v', () => {
    const [self, cross] = findAttentionLayers(buildTinyUnet({ layout: '4d' }).model);
    expect(self).toMatchObject({ id: ATTN1, kind: 'self', layout: '4d', heads: 2 });
    expect(self?.softmax.name).toBe(`${ATTN1}/Softmax`);
    expect(self?.pvMatMul.name).toBe(`${ATTN1}/MatMul_1`);
    expect(cross?.vTensor).toBe('/down_blocks.0/attentions.0/transformer_blocks.0/attn2/to_v/MatMul_output_0');
  });

  it('refuses an already patched UNet, an old opset and blocks it cannot place', () => {
    const patched = patchControllableUnet(buildTinyUnet({ layout: 'folded' }).model).model;
    expect(() => patchControllableUnet(patched)).toThrow(expect.objectContaining({ code: 'ALREADY_PATCHED' }));
    expect(() => patchControllableUnet(buildTinyUnet({ layout: 'folded', opset: 10 }).model)).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_OPSET' }),
    );
    expect(() =>
      patchControllableUnet(buildTinyUnet({ layout: 'folded', scope: '/custom/transformer' }).model),
    ).toThrow(expect.objectContaining({ code: 'UNKNOWN_BLOCK' }));
  });
});
