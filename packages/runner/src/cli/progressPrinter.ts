import type { RunEvent } from '@ptp/graph-core';
import type { Io } from './cliSupport.js';

/**
 * Terminal progress for local and server runs alike: a line per node (with its title when known),
 * a bar for long ones, on stderr so stdout stays clean.
 */
export function progressPrinter(io: Io, titles: ReadonlyMap<string, string> = new Map()): (e: RunEvent) => void {
  let lastBar = '';
  return (e) => {
    if (e.type === 'node_executing') io.err(`> ${e.nodeId}${titles.has(e.nodeId) ? ` (${titles.get(e.nodeId)})` : ''}`);
    else if (e.type === 'progress') {
      const width = 30;
      const filled = Math.round((e.value / e.max) * width);
      const bar = `  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${e.value}/${e.max}`;
      if (bar !== lastBar && (e.value === e.max || e.value % Math.max(1, Math.floor(e.max / 10)) === 0)) io.err(bar);
      lastBar = bar;
    } else if (e.type === 'node_executed') io.err(`  done in ${(e.durationMs / 1000).toFixed(2)} s`);
    else if (e.type === 'node_cached') io.err(`cached: ${e.nodeIds.join(', ')}`);
  };
}
