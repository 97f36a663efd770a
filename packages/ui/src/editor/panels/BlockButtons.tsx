import { useState } from 'react';
import { subgraphIdOf } from '@ptp/graph-core';
import { useEditor } from '../hooks/useEditor';
import { useServices } from '../services/EditorContext';
import { FoldDialog } from './FoldDialog';

/** Toolbar: fold the selection into a block, or unfold the selected block node. */
export function BlockButtons() {
  const { store, notify } = useServices();
  const [folding, setFolding] = useState(false);
  const selected = useEditor((s) => s.graph.nodes.filter((n) => n.selected).length);
  const block = useEditor((s) => {
    const sel = s.graph.nodes.filter((n) => n.selected);
    return sel.length === 1 && subgraphIdOf(sel[0]!.data.nodeType) !== undefined ? sel[0]!.id : undefined;
  });
  const unfold = () => {
    if (!block) return;
    const r = store.unfold(block);
    if (!r.ok) notify('error', `Could not unfold: ${r.message}`, 'unfold-failed');
  };
  return (
    <>
      <button
        type="button"
        onClick={() => setFolding(true)}
        disabled={selected === 0}
        title="fold the selected nodes into a reusable block (a subgraph node)"
        data-testid="fold"
      >
        Fold
      </button>
      {block && (
        <button type="button" onClick={unfold} title="replace the block node by its nodes" data-testid="unfold">
          Unfold
        </button>
      )}
      {folding && <FoldDialog onClose={() => setFolding(false)} />}
    </>
  );
}
