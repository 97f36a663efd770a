import { useMemo, useState } from 'react';
import { useReactFlow } from '@xyflow/react';
import { BLOCK_CATEGORY, type CatalogueEntry } from '@ptp/graph-core';
import { searchCatalogue } from '../model/catalogueIndex';
import { useEditor } from '../hooks/useEditor';
import { useServices } from '../services/EditorContext';
import { NODE_DRAG_TYPE } from '../canvas/Canvas';
import { categoryColor } from '../canvas/categoryColors';
import { freeSpotInView } from '../canvas/freeSpotInView';
import { MyBlocks } from './MyBlocks';

/**
 * Node types from the catalogue by category, with search. Drag one onto the canvas, or click
 * (or Enter on the first match) to add it in the middle of the view.
 */
export function Palette() {
  const { store } = useServices();
  const index = useEditor((s) => s.index);
  const rf = useReactFlow();
  const [query, setQuery] = useState('');
  const [closed, setClosed] = useState<ReadonlySet<string>>(new Set());
  const matches = useMemo(() => (query.trim() ? searchCatalogue(index, query) : undefined), [index, query]);

  /** The middle of the view, or the nearest place there where a node of `entry` covers no node. */
  const centre = (entry?: CatalogueEntry) => freeSpotInView(rf.screenToFlowPosition, store.getState(), entry);
  const addAtCentre = (entry: CatalogueEntry) => store.addNode(entry.type, centre(entry));
  const blocks = index.categories.find((c) => c.name === BLOCK_CATEGORY)?.entries ?? [];

  const item = (entry: CatalogueEntry) => (
    <li
      key={entry.type}
      className="palette-item"
      draggable
      data-testid={`palette-${entry.type}`}
      title={entry.origin ? `${entry.description}\n\nfrom node package ${entry.origin.package}` : entry.description}
      onDragStart={(e) => {
        e.dataTransfer.setData(NODE_DRAG_TYPE, entry.type);
        e.dataTransfer.effectAllowed = 'move';
      }}
      onClick={() => addAtCentre(entry)}
      style={{ borderLeftColor: categoryColor(entry.category) }}
    >
      <span className="name">{entry.title}</span>
      <span className="type">{entry.type}</span>
      {entry.origin && (
        <span className="origin" data-testid={`palette-origin-${entry.type}`}>
          {entry.origin.package}
        </span>
      )}
    </li>
  );

  return (
    <aside className="palette" data-testid="palette">
      <input
        type="search"
        placeholder="Search nodes…"
        value={query}
        data-testid="palette-search"
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && matches?.[0]) addAtCentre(matches[0]);
          if (e.key === 'Escape') setQuery('');
        }}
      />
      {matches ? (
        <>
          <ul className="palette-list">
            {matches.length ? matches.map(item) : <li className="hint">no node type matches “{query}”</li>}
          </ul>
          {/* Blocks (the workflow's, shipped, in the library) are found by name too. */}
          <MyBlocks entries={blocks} item={item} centre={centre} query={query} />
        </>
      ) : (
        <>
          {index.categories
            .filter((cat) => cat.name !== BLOCK_CATEGORY)
            .map((cat) => (
              <section key={cat.name} className="palette-category">
                <h3
                  onClick={() => {
                    const next = new Set(closed);
                    if (next.has(cat.name)) next.delete(cat.name);
                    else next.add(cat.name);
                    setClosed(next);
                  }}
                >
                  {closed.has(cat.name) ? '▸' : '▾'} {cat.name}
                </h3>
                {!closed.has(cat.name) && <ul className="palette-list">{cat.entries.map(item)}</ul>}
              </section>
            ))}
          <MyBlocks entries={blocks} item={item} centre={centre} />
        </>
      )}
    </aside>
  );
}
