import type { CatalogueEntry } from '@ptp/graph-core';
import type { CatalogueIndex } from './catalogueIndex';
import { paramWidgets } from './paramWidgets';

/** The param a picture goes into on a node of this type: its first upload param (Load image's `upload`). */
export function uploadParamOf(entry: CatalogueEntry | undefined): string | undefined {
  return entry ? paramWidgets(entry).find((w) => w.kind === 'upload')?.name : undefined;
}

/** The node type a picture dropped on the canvas becomes: the first with an upload param and an IMAGE output. */
export function imageNodeType(index: CatalogueIndex): CatalogueEntry | undefined {
  return [...index.byType.values()].find(
    (e) => uploadParamOf(e) !== undefined && Object.values(e.outputs).some((o) => o.type === 'IMAGE'),
  );
}
