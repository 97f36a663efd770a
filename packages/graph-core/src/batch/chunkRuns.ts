import { API_LIMITS } from '../api/apiLimits.js';
import { BATCH_LIMITS } from './planBatch.js';

/**
 * Splits run requests into consecutive groups whose JSON stays under `maxBytes` (a server's body
 * limit), so a large batch goes in as few calls as possible. A request too large on its own gets
 * a group of its own: the server answers it with the usual size error.
 */
export function chunkRuns<T>(
  requests: readonly T[],
  // A tenth of the body limit left for the envelope and for a server configured a little lower.
  maxBytes = API_LIMITS.maxJsonBodyBytes * 0.9,
  maxRuns: number = BATCH_LIMITS.runs,
): T[][] {
  const encoder = new TextEncoder();
  const groups: T[][] = [];
  let group: T[] = [];
  let bytes = 0;
  for (const request of requests) {
    // +1 for the comma between array items; the envelope `{"runs":[]}` is within the margin callers leave.
    const size = encoder.encode(JSON.stringify(request)).length + 1;
    if (group.length && (bytes + size > maxBytes || group.length >= maxRuns)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(request);
    bytes += size;
  }
  if (group.length) groups.push(group);
  return groups;
}
