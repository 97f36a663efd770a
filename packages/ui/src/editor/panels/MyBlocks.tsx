import { Fragment, useEffect, useState, type ReactNode } from 'react';
import { subgraphIdOf, type CatalogueEntry, type WorkflowSummary } from '@ptp/graph-core';
import { BLOCK_TAG, blockDocument, offerOf, SHIPPED_BLOCKS, type BlockOffer } from '../model/blocks';
import { useEditor } from '../hooks/useEditor';
import { useServices } from '../services/EditorContext';
import { hasAllTerms, searchTerms } from '../model/catalogueIndex';

/**
 * The palette's "my blocks": the blocks this workflow defines (drag or click like any node, save
 * one to the library), then the blocks it can add: the shipped ones (the CL P2P edit) and the
 * library's workflows tagged `block`.
 */
export function MyBlocks({
  entries: all,
  item,
  centre,
  query = '',
}: {
  entries: readonly CatalogueEntry[];
  item(entry: CatalogueEntry): ReactNode;
  centre(): { x: number; y: number };
  /** The palette's search: only the blocks whose name or description has every word (none: hidden). */
  query?: string;
}) {
  const { store, server, notify } = useServices();
  const [open, setOpen] = useState(true);
  const [library, setLibrary] = useState<WorkflowSummary[]>([]);
  const mine = useEditor((s) => s.graph.subgraphs);
  const revision = useEditor((s) => s.library?.version);
  useEffect(() => {
    if (!server) return;
    let live = true;
    server.listWorkflows({ tag: [BLOCK_TAG], limit: 100 }).then(
      (r) => live && setLibrary(r.workflows),
      () => live && setLibrary([]),
    );
    return () => {
      live = false;
    };
  }, [server, revision]);

  const names = new Set((mine ?? []).map((s) => s.name));
  const terms = searchTerms(query);
  const found = (...texts: string[]) => hasAllTerms(terms, ...texts);
  const entries = all.filter((e) => found(e.title, e.description, 'block'));
  const offers: (BlockOffer | WorkflowSummary)[] = [
    ...SHIPPED_BLOCKS.filter((o) => !names.has(o.name)),
    ...library.filter((w) => !names.has(w.name)),
  ].filter((o) => found(o.name, o.description, 'block', 'blockId' in o ? 'shipped' : 'library'));
  const add = async (offer: BlockOffer | WorkflowSummary) => {
    let block: BlockOffer | undefined = 'blockId' in offer ? offer : undefined;
    if (!block && server && 'id' in offer) {
      try {
        block = offerOf((await server.getWorkflow(offer.id)).document, { library: offer.id });
      } catch (err) {
        notify('error', `Could not load block “${offer.name}”: ${(err as Error).message}`, 'block-failed');
        return;
      }
    }
    if (!block) return;
    if (!store.addBlock(block.definitions, block.blockId, centre()))
      notify('error', `Block “${offer.name}” could not be added`, 'block-failed');
  };
  const save = async (entry: CatalogueEntry) => {
    const id = subgraphIdOf(entry.type);
    const doc = id === undefined ? undefined : blockDocument(store.getState().graph.subgraphs ?? [], id);
    if (!server || !doc) return;
    try {
      await server.createWorkflow({ document: doc });
      setLibrary((await server.listWorkflows({ tag: [BLOCK_TAG], limit: 100 })).workflows);
      notify('success', `Saved block “${entry.title}” to the library`, 'block-saved');
    } catch (err) {
      notify('error', `Could not save block: ${(err as Error).message}`, 'block-failed');
    }
  };
  if (terms.length && !entries.length && !offers.length) return null;
  return (
    <section className="palette-category my-blocks" data-testid="my-blocks">
      <h3 onClick={() => setOpen(!open)}>{open ? '▾' : '▸'} my blocks</h3>
      {open && (
        <ul className="palette-list">
          {entries.map((e) => (
            <Fragment key={e.type}>
              {item(e)}
              {server && (
                <li className="save-block-row">
                  <button
                    type="button"
                    className="save-block"
                    title="save this block to the library (reuse it in other workflows)"
                    data-testid={`save-block-${e.type}`}
                    onClick={() => void save(e)}
                  >
                    save to library
                  </button>
                </li>
              )}
            </Fragment>
          ))}
          {offers.map((o) => {
            const key = 'blockId' in o ? `shipped-${o.blockId}` : `library-${o.id}`;
            return (
              <li
                key={key}
                className="palette-item offer"
                data-testid={`block-offer-${key}`}
                title={`${o.description}\n\nclick to add to this workflow`}
                onClick={() => void add(o)}
              >
                <span className="name">{o.name}</span>
                <span className="type">{'blockId' in o ? 'shipped block' : 'library block'}</span>
              </li>
            );
          })}
          {!entries.length && !offers.length && !terms.length && (
            <li className="hint">select nodes and press Fold to make a block</li>
          )}
        </ul>
      )}
    </section>
  );
}
