import { readFile } from 'node:fs/promises';
import { graphError, type Result } from '@ptp/graph-core';
import { readPngText } from '@ptp/nodes';
import { cannotRead } from './cliSupport.js';

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/**
 * A workflow file's JSON text, for `ptp run`, `validate`, `sweep` and `tune`: the file itself, or
 * the workflow a studio PNG embeds (its "workflow" text chunk, read as `ptp extract` and the
 * server's import read it). A file that cannot be read is a usage error (thrown); a PNG that is
 * corrupt or carries no workflow is an error result, said in words rather than as bad JSON.
 */
export async function readWorkflowText(file: string): Promise<Result<string>> {
  const bytes = await readFile(file).catch((err: unknown) => {
    throw cannotRead(file, err);
  });
  if (bytes.length < PNG_SIGNATURE.length || PNG_SIGNATURE.some((b, i) => bytes[i] !== b))
    return { ok: true, value: bytes.toString('utf8'), warnings: [] };
  const png = readPngText(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (!png.ok)
    return {
      ok: false,
      errors: [graphError(png.code === 'DECOMPRESSION_LIMIT' ? png.code : 'IMAGE_CORRUPT', `${file}: ${png.message}`)],
    };
  const text = png.text.workflow;
  if (text === undefined)
    return {
      ok: false,
      errors: [
        graphError(
          'INVALID_DOCUMENT',
          `${file} is a PNG that carries no workflow (no "workflow" text chunk; only images the studio saved embed one)`,
        ),
      ],
    };
  return { ok: true, value: text, warnings: [] };
}
