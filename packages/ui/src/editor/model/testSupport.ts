import { indexCatalogue, type CatalogueIndex } from './catalogueIndex';
import { editorRegistry, localCatalogue } from './catalogueRegistry';
import type { EditorNode } from './editorGraph';

let cached: CatalogueIndex | undefined;
/** The bundled catalogue, indexed once per test file. */
export function testIndex(): CatalogueIndex {
  return (cached ??= indexCatalogue(localCatalogue()));
}
export const testRegistry = () => editorRegistry();

export function node(id: string, nodeType: string, params: Record<string, unknown> = {}, x = 0): EditorNode {
  return { id, type: 'ptp', position: { x, y: 0 }, data: { nodeType, typeVersion: 1, params } };
}
