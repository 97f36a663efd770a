import { graphError, type GraphError } from '../errors.js';
import type { NodeRegistry } from '../NodeRegistry.js';
import type { WorkflowDocument } from './WorkflowDocument.js';

/**
 * Upgrades, in place, the params of nodes saved by older versions of their node type, one version
 * at a time. Unknown types are left alone (they load as placeholders); versions newer than the
 * registry's are reported by validation.
 */
export function migrateNodeParams(doc: WorkflowDocument, registry: NodeRegistry): GraphError[] {
  const errors: GraphError[] = [];
  for (const node of doc.nodes) {
    const def = registry.get(node.type);
    if (!def || node.typeVersion >= def.version) continue;
    let params = node.params;
    let version = node.typeVersion;
    try {
      while (version < def.version) {
        const step = def.migrations?.[version];
        if (!step) throw new Error(`${node.type} has no migration from version ${version}`);
        params = step({ ...params });
        version += 1;
      }
      node.params = params;
      node.typeVersion = version;
    } catch (err) {
      errors.push(
        graphError(
          'MIGRATION_FAILED',
          `node ${node.id} (${node.type} v${node.typeVersion}): ${(err as Error).message}`,
          { nodeId: node.id, nodeType: node.type },
        ),
      );
    }
  }
  return errors;
}
