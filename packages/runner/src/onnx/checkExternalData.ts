import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { PtpPackError } from './PtpPackError.js';
import { isInside } from './packFiles.js';
import { DATA_LOCATION_EXTERNAL } from './onnxProto.js';
import type { GraphProto, ModelProto, TensorProto } from './onnxProto.js';

export interface ExternalDataRef {
  tensor: string;
  location: string;
  offset: number;
  /** Bytes, or null when the entry leaves it implicit (to the end of the file). */
  length: number | null;
}

/** Every external-data reference in the model: initialisers and Constant/attribute tensors, subgraphs included. */
export function externalDataRefs(model: ModelProto): ExternalDataRef[] {
  const refs: ExternalDataRef[] = [];
  const visitTensor = (t: TensorProto | undefined): void => {
    if (!t || t.data_location !== DATA_LOCATION_EXTERNAL) return;
    const entry = (key: string): string | undefined => t.external_data?.find((e) => e.key === key)?.value;
    const length = entry('length');
    refs.push({
      tensor: t.name ?? '',
      location: entry('location') ?? '',
      offset: Number(entry('offset') ?? 0),
      length: length === undefined ? null : Number(length),
    });
  };
  const visitGraph = (g: GraphProto | undefined): void => {
    if (!g) return;
    for (const t of g.initializer ?? []) visitTensor(t);
    for (const n of g.node ?? []) {
      for (const a of n.attribute ?? []) {
        visitTensor(a.t);
        for (const t of a.tensors ?? []) visitTensor(t);
        visitGraph(a.g);
        for (const sub of a.graphs ?? []) visitGraph(sub);
      }
    }
  };
  visitGraph(model.graph);
  return refs;
}

/** Why a location string can never be accepted, or null when its form is fine. */
function badLocation(location: string): string | null {
  if (!location) return 'an empty location';
  if (location.includes('\0')) return 'a NUL character';
  if (isAbsolute(location) || /^[a-zA-Z]:/.test(location) || location.startsWith('\\')) return 'an absolute path';
  if (location.split(/[\\/]/).includes('..')) return 'a ".." segment';
  return null;
}

/**
 * Checks that every external-data file of a model stays inside `rootDir`: relative location, no
 * `..`, no absolute path, and no symlink (of the file or a folder on the way) leading out of it;
 * the file must exist and hold the referenced byte range. Returns the distinct locations in use
 * (relative to the model's folder). Throws EXTERNAL_DATA_ESCAPES / EXTERNAL_DATA_MISSING.
 */
export async function checkExternalData(model: ModelProto, modelDir: string, rootDir: string): Promise<string[]> {
  const locations = new Map<string, number>();
  for (const ref of externalDataRefs(model)) {
    const why = badLocation(ref.location);
    if (why) {
      throw new PtpPackError(
        'EXTERNAL_DATA_ESCAPES',
        `external data of tensor '${ref.tensor}' has ${why} ('${ref.location}'); external data must be a file next to model.onnx (inside the pack). Re-save the model with a plain relative location (onnx.save_model(..., save_as_external_data=True, location="model.onnx_data")).`,
        ref.location,
      );
    }
    const end = ref.length === null ? ref.offset : ref.offset + ref.length;
    locations.set(ref.location, Math.max(locations.get(ref.location) ?? 0, end));
  }
  const realRoot = await realpath(rootDir);
  for (const [location, end] of locations) {
    const path = resolve(modelDir, location);
    if (!isInside(resolve(rootDir), path)) {
      throw new PtpPackError(
        'EXTERNAL_DATA_ESCAPES',
        `external data '${location}' resolves outside ${rootDir}; keep data files next to model.onnx`,
        location,
      );
    }
    let real: string;
    try {
      real = await realpath(path);
    } catch {
      throw new PtpPackError(
        'EXTERNAL_DATA_MISSING',
        `external data file '${location}' referenced by the model is missing; copy it next to model.onnx`,
        path,
      );
    }
    if (!isInside(realRoot, real)) {
      throw new PtpPackError(
        'EXTERNAL_DATA_ESCAPES',
        `external data '${location}' is a symlink to ${real}, outside ${rootDir}; copy the real file into the folder (e.g. cp -L) and import again`,
        location,
      );
    }
    const size = (await stat(real)).size;
    if (size < end) {
      throw new PtpPackError(
        'EXTERNAL_DATA_MISSING',
        `external data '${location}' is ${size} bytes but the model reads up to byte ${end}; the data file is truncated or belongs to another model`,
        path,
      );
    }
  }
  return [...locations.keys()];
}
