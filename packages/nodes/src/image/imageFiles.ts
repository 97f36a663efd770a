import { z } from 'zod';
import { encodePng } from './encodePng.js';
import type { ImageBatch } from './ImageBatch.js';

/** A file an output node asks its runner to keep (CLI: --out DIR; server: the run's outputs). */
export interface OutputFile {
  readonly name: string;
  readonly mime: string;
  readonly data: Uint8Array;
  /** Previews are shown, not archived: runners may drop them after the run. */
  readonly temporary?: boolean;
}

/** Whether a node output value is a file to keep (what output nodes return). */
export function isOutputFile(v: unknown): v is OutputFile {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as OutputFile).name === 'string' &&
    (v as OutputFile).data instanceof Uint8Array
  );
}

/** One PNG per image, named `<prefix>_000.png`, ... with the given text chunks. */
export function imageFiles(
  batch: ImageBatch,
  prefix: string,
  text: Readonly<Record<string, string>>,
  temporary = false,
): OutputFile[] {
  return batch.images.map((img, i) => ({
    name: `${prefix}_${String(i).padStart(3, '0')}.png`,
    mime: 'image/png',
    data: encodePng(img, text),
    ...(temporary ? { temporary } : {}),
  }));
}

/** A file name prefix: no path, and no leading "." (hidden files; the server serves no such name). */
export const FilePrefixSchemaPattern = /^[A-Za-z0-9 _-][A-Za-z0-9 _.-]{0,63}$/;
export const filePrefixSchema = () =>
  z
    .string()
    .regex(FilePrefixSchemaPattern, 'letters, digits, space, ".", "_" or "-", not starting with "." (no paths)');
