import { DATA_LOCATION_EXTERNAL } from '../onnxProto.js';
import type { ModelProto } from '../onnxProto.js';

/**
 * Moves every initialiser's raw bytes into one external data blob (as onnx.save_model with
 * save_as_external_data does) and points the tensors at `location`. Returns the blob to write.
 */
export function externalizeWeights(model: ModelProto, location: string, minBytes = 64): Uint8Array {
  const chunks: { offset: number; bytes: Uint8Array }[] = [];
  let size = 0;
  for (const t of model.graph?.initializer ?? []) {
    const raw = t.raw_data;
    // Small tensors (shape constants) stay inline, as with onnx's size_threshold: ORT's shape
    // inference cannot read external ones.
    if (!raw || raw.byteLength < minBytes) continue;
    const offset = Math.ceil(size / 4096) * 4096; // page-aligned, so ORT may mmap it
    chunks.push({ offset, bytes: raw });
    size = offset + raw.byteLength;
    delete t.raw_data;
    t.data_location = DATA_LOCATION_EXTERNAL;
    t.external_data = [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(raw.byteLength) },
    ];
  }
  const blob = new Uint8Array(size);
  for (const c of chunks) blob.set(c.bytes, c.offset);
  return blob;
}
