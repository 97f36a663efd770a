import type { ModelPack, Tensor } from '../runtime/InferenceBackend.js';

/** Token ids of `texts` padded to the pack's length, as the text encoder's declared int type. */
export function tokenTensor(pack: ModelPack, texts: readonly string[]): Tensor {
  const T = pack.layout.tokenLength;
  const ids = texts.flatMap((t) => pack.tokenizer.encodePadded(t, T));
  const name = pack.textEncoder.inputNames[0]!;
  const type = pack.textEncoder.inputMeta(name)?.type ?? 'int64';
  const data = type === 'int32' ? Int32Array.from(ids) : BigInt64Array.from(ids, (v) => BigInt(v));
  return { type: type === 'int32' ? 'int32' : 'int64', dims: [texts.length, T], data };
}

/** Runs the text encoder: [n, T, D] hidden states (the UNet's encoder_hidden_states). */
export async function encodeText(
  pack: ModelPack,
  texts: readonly string[],
): Promise<{ data: Float32Array; dims: number[] }> {
  const feeds = { [pack.textEncoder.inputNames[0]!]: tokenTensor(pack, texts) };
  const out = await pack.textEncoder.run(feeds);
  const hidden = out.last_hidden_state ?? out[pack.textEncoder.outputNames[0]!]!;
  return { data: hidden.data as Float32Array, dims: [...hidden.dims] };
}
