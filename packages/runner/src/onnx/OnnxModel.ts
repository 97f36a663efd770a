import { readFile } from 'node:fs/promises';
import protobuf from 'protobufjs';
import { PtpPackError } from './PtpPackError.js';
import { ModelProtoType, int64ToNumber } from './onnxProto.js';
import type { GraphProto, ModelProto } from './onnxProto.js';

/**
 * Decodes an ONNX ModelProto. Unknown fields are kept (and written back by encodeOnnxModel), so a
 * model from a newer exporter round-trips unchanged. Tensor bytes stay views into `bytes`:
 * nothing is copied, and external data files are never read.
 */
export function decodeOnnxModel(bytes: Uint8Array, path?: string): ModelProto {
  const reader = protobuf.Reader.create(bytes);
  reader.discardUnknown = false;
  let model: ModelProto;
  try {
    model = ModelProtoType.decode(reader) as unknown as ModelProto;
  } catch (err) {
    throw new PtpPackError(
      'BAD_ONNX',
      `not an ONNX model (protobuf decode failed: ${(err as Error).message}); check that the file is a complete model.onnx`,
      path,
    );
  }
  if (!model.graph)
    throw new PtpPackError(
      'BAD_ONNX',
      'ONNX model has no graph; check that the file is a model.onnx, not a data file',
      path,
    );
  return model;
}

/** Encodes a ModelProto (decoded or hand-built) to bytes. */
export function encodeOnnxModel(model: ModelProto): Uint8Array {
  return ModelProtoType.encode(model as unknown as protobuf.Message).finish();
}

/** Reads and decodes a model.onnx (graph and inline tensors only; external data stays on disk). */
export async function readOnnxModel(path: string): Promise<ModelProto> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new PtpPackError('IO_ERROR', `cannot read ONNX model: ${(err as Error).message}`, path);
  }
  return decodeOnnxModel(bytes, path);
}

/** The default-domain opset version the model imports (0 when none is declared). */
export function defaultOpsetVersion(model: ModelProto): number {
  const entry = (model.opset_import ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  return entry ? int64ToNumber(entry.version) : 0;
}

/** The model's graph; decodeOnnxModel guarantees one. */
export function graphOf(model: ModelProto): GraphProto {
  if (!model.graph) throw new PtpPackError('BAD_ONNX', 'ONNX model has no graph');
  return model.graph;
}
