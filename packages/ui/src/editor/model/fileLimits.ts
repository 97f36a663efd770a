import { API_LIMITS } from '@ptp/graph-core';

/** A picture uploaded for Load image: the server's bound, kept in the page's runner too. */
export const MAX_UPLOAD_BYTES = API_LIMITS.maxUploadBytes;

/** A workflow (JSON or studio PNG) or a picture opened or dropped in the editor: the server's upload bound. */
export const MAX_OPENED_FILE_BYTES = Math.max(API_LIMITS.maxUploadBytes, API_LIMITS.maxJsonBodyBytes);

/** A sweep's or tune's results file (results.csv / results.json), read whole to show its table. */
export const MAX_RESULTS_FILE_BYTES = 64 * 1024 * 1024;

const mib = (n: number) => `${(n / 1024 ** 2).toFixed(n < 1024 ** 2 ? 2 : 1)} MiB`;

/**
 * Why a file the user chose is too big to read, or undefined when it may be read. Checked on its
 * size before any of it is read: a dropped 2 GB file must not be loaded into the page first.
 */
export function tooBig(file: { name: string; size: number }, max: number): string | undefined {
  return file.size > max ? `${file.name} is ${mib(file.size)}, over the ${mib(max)} this takes` : undefined;
}
