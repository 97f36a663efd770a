import { useCallback } from 'react';
import type { EditorNode } from '../model/editorGraph';
import { useServices } from '../services/EditorContext';

/**
 * Asks for a node's own title (saved as its `ui.label`); empty gives it back its type's title. The
 * node menu's Rename… and a double-click on the title (ComfyUI's) both use it.
 */
export function useRenameNode(): (node: Pick<EditorNode, 'id' | 'data'>) => Promise<void> {
  const { store, ask } = useServices();
  return useCallback(
    async (node) => {
      const typeTitle = store.getState().index.byType.get(node.data.nodeType)?.title ?? node.data.nodeType;
      const name = await ask({
        title: `Rename “${node.data.label ?? typeTitle}”`,
        label: `Title (empty: ${typeTitle})`,
        initial: node.data.label ?? '',
        confirm: 'Rename',
        allowEmpty: true,
      });
      if (name !== undefined) store.setNodeUi(node.id, { label: name.trim() || undefined });
    },
    [store, ask],
  );
}
