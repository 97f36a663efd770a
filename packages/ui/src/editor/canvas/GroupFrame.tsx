import { memo, useState } from 'react';
import type { Node, NodeProps } from '@xyflow/react';
import type { NodeGroup } from '@ptp/graph-core';
import { GROUP_COLORS } from '../model/groups';
import { useServices } from '../services/EditorContext';

export type FrameNode = Node<{ group: NodeGroup }, 'ptpGroup' | 'ptpGroupTitle'>;
/** Ids of the frame (behind the nodes) and of its title bar (above them, what the user drags). */
export const FRAME_PREFIX = 'group:';
export const TITLE_PREFIX = 'grouptitle:';

/** A group's tinted frame behind its nodes; it takes no pointer events (the nodes inside stay usable). */
export const GroupFrame = memo(function GroupFrame({ data }: NodeProps<FrameNode>) {
  const { group } = data;
  return (
    <div
      className="group-frame"
      style={{ borderColor: group.color, background: `${group.color}33` }}
      data-testid={`group-${group.id}`}
    />
  );
});

/**
 * A group's title bar, drawn above every node so it can always be grabbed: drag it to move the
 * group's nodes; double-click the title to rename; pick a colour; × ungroups (the nodes stay).
 */
export const GroupTitle = memo(function GroupTitle({ data }: NodeProps<FrameNode>) {
  const { store } = useServices();
  const { group } = data;
  const [editing, setEditing] = useState(false);
  return (
    <div className="group-title-node">
      <div className="group-title" style={{ background: group.color }}>
        {editing ? (
          <input
            className="nodrag"
            autoFocus
            defaultValue={group.title}
            data-testid={`group-title-input-${group.id}`}
            onBlur={(e) => {
              store.updateGroup(group.id, { title: e.target.value.slice(0, 200) });
              setEditing(false);
            }}
            onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
          />
        ) : (
          <span
            onDoubleClick={() => setEditing(true)}
            title="double-click to rename"
            data-testid={`group-title-${group.id}`}
          >
            {group.title}
          </span>
        )}
        <span className="group-colors nodrag">
          {GROUP_COLORS.map((c) => (
            <button
              key={c}
              type="button"
              aria-label={`colour ${c}`}
              className={c === group.color ? 'on' : ''}
              style={{ background: c }}
              onClick={() => store.updateGroup(group.id, { color: c })}
            />
          ))}
        </span>
        <button
          type="button"
          className="nodrag ungroup"
          title="ungroup (the nodes stay)"
          onClick={() => store.ungroup(group.id)}
          data-testid={`ungroup-${group.id}`}
        >
          ×
        </button>
      </div>
    </div>
  );
});
