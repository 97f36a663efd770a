import { useCallback, useEffect, useState } from 'react';
import { loadDocument, type Board, type GalleryItem, type RunRecord, type WorkflowDocument } from '@ptp/graph-core';
import { seedText } from '../model/runHistory';
import { useServices } from '../services/EditorContext';
import { Modal } from './Modal';

/** Where the gallery's next page starts (see GalleryResponse.next). */
type Cursor = { before?: string; offset?: number } | undefined;
const PAGE = 48;
const keyOf = (i: GalleryItem) => `${i.runId}/${i.output}`;

function Tile(props: {
  item: GalleryItem;
  boards: readonly Board[];
  onAdd(item: GalleryItem, board: string): void;
  onRemove(item: GalleryItem, board: string): void;
  onOpen(item: GalleryItem): void;
  onEdit(item: GalleryItem): void;
}) {
  const { server } = useServices();
  const { item, boards } = props;
  const name = (id: string) => boards.find((b) => b.id === id)?.name ?? id;
  const others = boards.filter((b) => !item.boards.includes(b.id));
  const seeds = seedText(item.workflowName, item.seeds);
  return (
    <li className="gallery-tile" data-testid="gallery-item" data-run={item.runId} data-output={item.output}>
      <a href={server?.outputUrl(item.runId, item.output)} download={item.output} title={`${item.output} (download)`}>
        <img src={server?.outputUrl(item.runId, item.output)} alt={item.output} loading="lazy" />
      </a>
      <div className="gallery-info">
        <strong title={item.workflowName}>{item.workflowName}</strong>
        {/* Which picture of its run (a source and its edit share the run's name). */}
        <span className="file" title={item.output}>
          {item.output}
        </span>
        <span className="when">
          {new Date(item.createdAt).toLocaleString()}
          {seeds ? ` · ${seeds}` : ''}
        </span>
        <span className="on-boards">
          {item.boards.map((b) => (
            <button
              type="button"
              key={b}
              className="chip"
              title={`take it off “${name(b)}”`}
              onClick={() => props.onRemove(item, b)}
              data-testid="gallery-chip"
            >
              {name(b)} ×
            </button>
          ))}
          {/* Beside the boards it is on, where it has the room to say what it does. */}
          {others.length > 0 && (
            <select
              value=""
              onChange={(e) => e.target.value && props.onAdd(item, e.target.value)}
              data-testid="gallery-add"
              aria-label="put on a board"
            >
              <option value="">+ board…</option>
              {others.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </select>
          )}
        </span>
      </div>
      <div className="gallery-actions">
        <button type="button" onClick={() => props.onOpen(item)} data-testid="gallery-open" title="the graph as it ran">
          Graph
        </button>
        <button
          type="button"
          onClick={() => props.onEdit(item)}
          data-testid="gallery-edit"
          title="edit this picture further"
        >
          edit ↻
        </button>
      </div>
    </li>
  );
}

/**
 * The pictures the server's runs made, newest first, and boards to keep them in (as InvokeAI's):
 * make, rename and delete boards, put pictures on them and take them off, open the graph a
 * picture came from, or edit it further.
 */
export function GalleryDialog(props: {
  onClose(): void;
  onOpenGraph(doc: WorkflowDocument, run: RunRecord): void;
  /** Edit picture `index` (among its node's pictures) of a run further, its graph being `doc`. */
  onEditPicture(picture: { bytes: Uint8Array; name: string; mime: string }, index: number, doc: WorkflowDocument): void;
}) {
  const { server, notify, ask } = useServices();
  const [boards, setBoards] = useState<Board[]>([]);
  const [board, setBoard] = useState<string>();
  const [items, setItems] = useState<GalleryItem[]>([]);
  const [next, setNext] = useState<Cursor>();
  const [newName, setNewName] = useState('');

  const act = useCallback(
    async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        notify('error', `${what} failed: ${(err as Error).message}`, 'gallery-failed');
      }
    },
    [notify],
  );
  const loadBoards = useCallback(
    () => act('Listing the boards', async () => server && setBoards(await server.boards())),
    [act, server],
  );
  const load = useCallback(
    (from?: Cursor) =>
      act('Listing the pictures', async () => {
        if (!server) return;
        const page = await server.gallery({ limit: PAGE, ...(board ? { board } : {}), ...(from ?? {}) });
        setItems((old) =>
          from ? [...old, ...page.items.filter((i) => !old.some((o) => keyOf(o) === keyOf(i)))] : page.items,
        );
        setNext(page.next);
      }),
    [act, server, board],
  );
  useEffect(() => void loadBoards(), [loadBoards]);
  useEffect(() => void load(), [load]);

  if (!server) return null;
  const update = (item: GalleryItem, boardsOn: string[]) =>
    setItems((old) =>
      old
        .map((i) => (keyOf(i) === keyOf(item) ? { ...i, boards: boardsOn } : i))
        // In a board's view, a picture taken off it leaves the view.
        .filter((i) => !board || i.boards.includes(board)),
    );
  const runDoc = async (runId: string) => {
    const detail = await server.getRun(runId);
    const loaded = loadDocument(detail.workflow);
    if (!loaded.ok) throw new Error(loaded.errors[0]?.message ?? 'unreadable workflow');
    return { detail, doc: loaded.value };
  };
  return (
    <Modal className="gallery" testId="gallery" onClose={props.onClose} title="Gallery">
      <div className="gallery-body">
        <nav className="gallery-boards">
          <button
            type="button"
            className={board === undefined ? 'current' : ''}
            onClick={() => setBoard(undefined)}
            data-testid="gallery-all"
          >
            All pictures
          </button>
          {boards.map((b) => (
            <div key={b.id} className={`board-row${board === b.id ? ' current' : ''}`}>
              <button type="button" onClick={() => setBoard(b.id)} data-testid={`gallery-board-${b.name}`}>
                {b.name} <span className="count">{b.count}</span>
              </button>
              <button
                type="button"
                className="link"
                title="rename"
                data-testid={`gallery-rename-${b.name}`}
                onClick={async () => {
                  const name = await ask({ title: 'Rename board', label: 'New name of the board', initial: b.name });
                  if (name && name !== b.name)
                    void act('Renaming', async () => (await server.renameBoard(b.id, name), loadBoards()));
                }}
              >
                ✎
              </button>
              <button
                type="button"
                className="link"
                title="delete the board (its pictures stay with their runs)"
                data-testid={`gallery-delete-${b.name}`}
                onClick={() => {
                  if (!window.confirm(`Delete the board “${b.name}”? Its pictures stay with their runs.`)) return;
                  void act('Deleting the board', async () => {
                    await server.deleteBoard(b.id);
                    if (board === b.id) setBoard(undefined);
                    await loadBoards();
                    await load();
                  });
                }}
              >
                ×
              </button>
            </div>
          ))}
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const name = newName.trim();
              if (!name) return;
              void act('Making the board', async () => {
                await server.createBoard(name);
                setNewName('');
                await loadBoards();
              });
            }}
          >
            <input
              value={newName}
              onChange={(e) => setNewName(e.target.value)}
              placeholder="New board…"
              maxLength={100}
              data-testid="gallery-new-board"
            />
          </form>
        </nav>
        <div className="gallery-main">
          <ul className="gallery-grid">
            {items.length === 0 && (
              <li className="hint">
                {board ? 'no pictures on this board yet' : 'no pictures yet: run a workflow on the server'}
              </li>
            )}
            {items.map((item) => (
              <Tile
                key={keyOf(item)}
                item={item}
                boards={boards}
                onAdd={(i, b) =>
                  void act('Putting it on the board', async () => {
                    await server.addToBoard(b, { runId: i.runId, output: i.output });
                    update(i, [...i.boards, b]);
                    await loadBoards();
                  })
                }
                onRemove={(i, b) =>
                  void act('Taking it off the board', async () => {
                    await server.removeFromBoard(b, { runId: i.runId, output: i.output });
                    update(
                      i,
                      i.boards.filter((x) => x !== b),
                    );
                    await loadBoards();
                  })
                }
                onOpen={(i) =>
                  void act('Opening the graph', async () => {
                    const { doc, detail } = await runDoc(i.runId);
                    props.onOpenGraph(doc, detail);
                  })
                }
                onEdit={(i) =>
                  void act('Taking the picture', async () => {
                    const { detail, doc } = await runDoc(i.runId);
                    // Its place among the pictures its node saved: the source first, then each edit.
                    const index = detail.outputs
                      .filter((o) => o.nodeId === i.nodeId && o.mime.startsWith('image/'))
                      .findIndex((o) => o.name === i.output);
                    const bytes = await server.fetchOutput(i.runId, i.output);
                    props.onEditPicture({ bytes, name: i.output, mime: i.mime }, Math.max(0, index), doc);
                  })
                }
              />
            ))}
          </ul>
          {next && (
            <button type="button" onClick={() => void load(next)} data-testid="gallery-more">
              Load more
            </button>
          )}
        </div>
      </div>
    </Modal>
  );
}
