import type { GraphError } from './errors.js';
import type { GraphIndex } from './graphIndex.js';
import type { AnyNodeDefinition } from './NodeDefinition.js';
import type { NodeRegistry } from './NodeRegistry.js';
import { checkWidgetParams, widgetParamsOf } from './widgetParams.js';

/** The params of a node type that name a model pack (declared with `.meta({ widget: 'pack' })`). */
export const packParamsOf = (def: AnyNodeDefinition): readonly string[] => widgetParamsOf(def, 'pack');

/**
 * One UNKNOWN_PACK per pack param (Load model's `pack`) that names none of `known`, the packs
 * the runner can load: the editor marks the field before a run instead of the run failing on it.
 */
export function checkPackParams(
  index: GraphIndex,
  registry: NodeRegistry,
  params: ReadonlyMap<string, Record<string, unknown>>,
  known: readonly string[],
): GraphError[] {
  const list = known.length ? known.join(', ') : 'none';
  return checkWidgetParams(index, registry, params, {
    widget: 'pack',
    known: (pack) => known.includes(pack),
    code: 'UNKNOWN_PACK',
    message: (pack) => `there is no model pack “${pack}” here; the packs are: ${list}`,
  });
}

/** One UPLOAD_NOT_FOUND per upload param (Load image's `upload`) naming an upload the runner lacks. */
export function checkUploadParams(
  index: GraphIndex,
  registry: NodeRegistry,
  params: ReadonlyMap<string, Record<string, unknown>>,
  has: (id: string) => boolean,
): GraphError[] {
  return checkWidgetParams(index, registry, params, {
    widget: 'upload',
    known: has,
    code: 'UPLOAD_NOT_FOUND',
    message: (id) => `there is no upload ${id.slice(0, 12)}… here: upload the picture again`,
  });
}
