import { useEffect, useRef } from 'react';
import { useReactFlow } from '@xyflow/react';
import { useEditor } from '../hooks/useEditor';
import { useServices } from '../services/EditorContext';

/**
 * While the canvas shows the inside of a block: where it is (workflow › block › block inside it),
 * each step a way back, and what editing here means. The view is fitted on every step in or out.
 */
export function BlockPath() {
  const { store } = useServices();
  const rf = useReactFlow();
  const path = useEditor((s) => s.scope?.path);
  const key = path?.map((p) => p.nodeId).join('/') ?? '';
  const uses = useEditor((s) => s.scope?.uses ?? 0);
  const shownKey = useRef(key);
  useEffect(() => {
    // Only on a step in or out: a fit asked for on an empty canvas (at mount) would wait for the first
    // node added and move the view away from where the user put it.
    if (shownKey.current === key) return;
    shownKey.current = key;
    const frame = requestAnimationFrame(() => void rf.fitView({ padding: 0.1, maxZoom: 1, duration: 0 }));
    return () => cancelAnimationFrame(frame);
  }, [key, rf]);
  if (!path?.length) return null;
  return (
    <nav className="block-path" data-testid="block-path" aria-label="block path">
      <button type="button" className="link" onClick={() => store.closeBlock(Infinity)} data-testid="block-path-root">
        Workflow
      </button>
      {path.map((p, i) => (
        <span key={p.nodeId}>
          {' › '}
          {i < path.length - 1 ? (
            <button
              type="button"
              className="link"
              onClick={() => store.closeBlock(path.length - 1 - i)}
              data-testid={`block-path-${i}`}
            >
              {p.name}
            </button>
          ) : (
            <strong>{p.name}</strong>
          )}
        </span>
      ))}
      <span className="hint">
        editing the block: changes apply to {uses > 1 ? `all ${uses} nodes that use it` : 'every node that uses it'}
      </span>
      <button
        type="button"
        onClick={() => store.closeBlock()}
        data-testid="block-path-done"
        title="back one level (Esc)"
      >
        Done
      </button>
    </nav>
  );
}
