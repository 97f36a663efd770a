import { useMemo, useState } from 'react';
import { planFold, type SubgraphParam } from '@ptp/graph-core';
import { shapeLookup } from '../model/blocks';
import { useServices } from '../services/EditorContext';
import { Modal } from './Modal';
import { paramLabel } from '../model/paramWidgets';

/**
 * Folds the selected nodes into a block: the user names it and picks what it exposes. Links that
 * cross the selection's border are exposed by default (unticking one drops that link); inner
 * sockets left unconnected and inner params can be exposed too.
 */
export function FoldDialog({ onClose }: { onClose(): void }) {
  const { store, notify } = useServices();
  const plan = useMemo(() => {
    const ids = store
      .getState()
      .graph.nodes.filter((n) => n.selected)
      .map((n) => n.id);
    // The canvas's graph: inside an open block, its inner nodes.
    return planFold(store.canvasDocument(), ids, shapeLookup(store.getState().index));
  }, [store]);
  const [name, setName] = useState('My block');
  const [inputs, setInputs] = useState(() => new Set(plan.inputs.filter((i) => i.crossing).map((i) => i.name)));
  const [outputs, setOutputs] = useState(() => new Set(plan.outputs.filter((o) => o.crossing).map((o) => o.name)));
  const [params, setParams] = useState<ReadonlySet<string>>(new Set());
  const toggle = (set: ReadonlySet<string>, key: string) => {
    const next = new Set(set);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    return next;
  };
  const fold = () => {
    const chosen: SubgraphParam[] = plan.params.filter((p) => params.has(p.name));
    const r = store.foldSelection({ name, inputs: [...inputs], outputs: [...outputs], params: chosen });
    if (r.ok) notify('success', `Folded into block “${name}” (node ${r.nodeId})`, 'folded');
    else notify('error', `Could not fold: ${r.message}`, 'fold-failed');
    onClose();
  };
  const row = (key: string, label: string, checked: boolean, onChange: () => void, note?: string) => (
    <li key={key}>
      <label>
        <input type="checkbox" checked={checked} onChange={onChange} data-testid={`fold-${key}`} /> {label}
        {note && <span className="hint"> {note}</span>}
      </label>
    </li>
  );
  return (
    <Modal className="fold" testId="fold-dialog" onClose={onClose} title="Fold into a block">
      <label className="fold-name">
        Name{' '}
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          data-testid="fold-name"
          autoFocus
          maxLength={200}
        />
      </label>
      <div className="fold-columns">
        <section>
          <h3>Inputs</h3>
          <ul>
            {plan.inputs.map((i) =>
              row(
                `input-${i.name}`,
                i.name,
                inputs.has(i.name),
                () => setInputs(toggle(inputs, i.name)),
                i.source
                  ? `← ${i.source.node}.${i.source.output}`
                  : `(${i.targets.map((t) => `${t.node}.${t.input}`).join(', ')})`,
              ),
            )}
          </ul>
        </section>
        <section>
          <h3>Outputs</h3>
          <ul>
            {plan.outputs.map((o) =>
              row(
                `output-${o.name}`,
                o.name,
                outputs.has(o.name),
                () => setOutputs(toggle(outputs, o.name)),
                o.external.length ? `→ ${o.external.map((t) => t.node).join(', ')}` : `(${o.from.node})`,
              ),
            )}
          </ul>
        </section>
        <section>
          <h3>Params on the block</h3>
          <ul className="fold-params">
            {plan.params.map((p) =>
              row(
                `param-${p.name}`,
                paramLabel(p.param),
                params.has(p.name),
                () => setParams(toggle(params, p.name)),
                `(${p.node})`,
              ),
            )}
          </ul>
        </section>
      </div>
      <footer>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="primary" onClick={fold} data-testid="fold-confirm" disabled={!name.trim()}>
          Fold
        </button>
      </footer>
    </Modal>
  );
}
