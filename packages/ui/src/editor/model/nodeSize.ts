import type { CatalogueEntry } from '@ptp/graph-core';
import { shownParams } from './paramWidgets';

/** A node's box before React Flow has measured it (graph units), from what it will draw. */
export function estimateNodeSize(entry: CatalogueEntry | undefined): { width: number; height: number } {
  if (!entry) return { width: 240, height: 160 };
  const rows = Math.max(Object.keys(entry.inputs).length, Object.keys(entry.outputs).length);
  const { shown, hidden } = shownParams(entry, entry.defaults, () => false);
  // Header, socket rows (taller while they say "not connected"), one labelled field per shown param,
  // "N more settings", an output's result slot.
  const height = 36 + rows * 24 + shown.size * 44 + (hidden ? 22 : 0) + (entry.output ? 110 : 0) + 8;
  return { width: 240, height };
}
