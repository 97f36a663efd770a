import { KEY_BINDINGS, MOUSE_GESTURES } from '../model/keyBindings';
import { Modal } from './Modal';

/** Mac keyboards say Cmd where the bindings say Ctrl. */
const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** The keyboard shortcuts (the table the keys are handled from) and the mouse gestures: `?` or the toolbar's `?`. */
export function KeysDialog({ onClose }: { onClose(): void }) {
  // Keys that do the same thing share a row: "Ctrl+Shift+Z / Ctrl+Y  redo".
  const rows = new Map<string, string[]>();
  for (const b of KEY_BINDINGS) rows.set(b.does, [...(rows.get(b.does) ?? []), b.keys]);
  const shown = (keys: string) => (isMac ? keys.replace(/Ctrl\+/g, 'Cmd+') : keys);
  return (
    <Modal className="keys" testId="keys-dialog" onClose={onClose} title="Keyboard shortcuts">
      <table className="keys-table">
        <tbody>
          {[...rows].map(([does, keys]) => (
            <tr key={does} data-testid={`keys-${keys[0]}`}>
              <td>
                {keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 && ' / '}
                    <kbd>{shown(k)}</kbd>
                  </span>
                ))}
              </td>
              <td>{does}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Mouse</h3>
      <table className="keys-table">
        <tbody>
          {MOUSE_GESTURES.map((g) => (
            <tr key={g.gesture}>
              <td>{g.gesture}</td>
              <td>{g.does}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">Keys act on the canvas; in a text field only Ctrl+Enter and the save keys do.</p>
    </Modal>
  );
}
