import { Handle, Position } from '@xyflow/react';
import { useEditor } from '../hooks/useEditor';
import type { PtpNodeData } from '../model/editorGraph';
import { outputTypeOf } from '../model/linkTypes';
import { MODE_BADGES } from './modeBadges';

/**
 * A reroute (a pass-through node, ComfyUI's): a small dot on the link, coloured by the type that
 * flows through it, its one input on the left and its output on the right.
 */
export function Reroute({
  id,
  data,
  selected,
  hasError,
}: {
  id: string;
  data: PtpNodeData;
  selected: boolean;
  hasError: boolean;
}) {
  const color = useEditor((s) => {
    // A lookup per hop, not a map of every node built on each store change (drags change it per frame).
    const nodeOf = (n: string) => s.graph.nodes.find((x) => x.id === n);
    const type = outputTypeOf(id, 'output', nodeOf, s.graph.edges, s.index);
    return type ? s.index.colorOf(type) : '#888';
  });
  return (
    <div
      className={`ptp-node reroute${selected ? ' selected' : ''}${hasError ? ' error' : ''}${data.mode ? ` ${MODE_BADGES[data.mode].word}` : ''}`}
      data-testid={`node-${id}`}
      data-node-type={data.nodeType}
      data-mode={data.mode ?? 'normal'}
      title={data.label ?? 'Reroute: passes on what is linked into it'}
      style={{ borderColor: color }}
    >
      <Handle type="target" position={Position.Left} id="input" style={{ background: color }} />
      <Handle type="source" position={Position.Right} id="output" style={{ background: color }} />
    </div>
  );
}
