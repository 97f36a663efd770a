/**
 * The editor's keyboard shortcuts, as data: the keydown handler looks keys up here and the
 * shortcuts dialog (?) lists the same table, so neither can drift from the other. Ctrl stands for
 * Cmd on a Mac. ComfyUI's keys where it has one.
 */
export type KeyCommand =
  | 'run'
  | 'runFront'
  | 'save'
  | 'saveAs'
  | 'undo'
  | 'redo'
  | 'selectAll'
  | 'copy'
  | 'paste'
  | 'pasteWithLinks'
  | 'delete'
  | 'group'
  | 'bypass'
  | 'mute'
  | 'collapse'
  | 'closeBlock'
  | 'help';

export interface KeyBinding {
  /** As shown and matched: modifiers (Ctrl, Shift, Alt) then the key, joined by "+". */
  readonly keys: string;
  readonly command: KeyCommand;
  readonly does: string;
  /** Also while typing in a field (otherwise the key is the field's). */
  readonly inFields?: boolean;
  /** Also while a dialog is open (otherwise the keys are the dialog's and the canvas must not change). */
  readonly inDialogs?: boolean;
}

export const KEY_BINDINGS: readonly KeyBinding[] = [
  { keys: 'Ctrl+Enter', command: 'run', does: 'run (while a server run goes on: queue behind it)', inFields: true },
  {
    keys: 'Ctrl+Shift+Enter',
    command: 'runFront',
    does: 'run on the server ahead of the runs waiting there',
    inFields: true,
  },
  { keys: 'Ctrl+S', command: 'save', does: 'save to the library (a new version)', inFields: true, inDialogs: true },
  { keys: 'Ctrl+Shift+S', command: 'saveAs', does: 'save as a new library entry', inFields: true, inDialogs: true },
  { keys: 'Ctrl+Z', command: 'undo', does: 'undo' },
  { keys: 'Ctrl+Shift+Z', command: 'redo', does: 'redo' },
  { keys: 'Ctrl+Y', command: 'redo', does: 'redo' },
  { keys: 'Ctrl+A', command: 'selectAll', does: 'select every node' },
  { keys: 'Ctrl+C', command: 'copy', does: 'copy the selected nodes' },
  { keys: 'Ctrl+V', command: 'paste', does: 'paste nodes at the mouse, or open a workflow JSON' },
  { keys: 'Ctrl+Shift+V', command: 'pasteWithLinks', does: 'paste with the links that fed the copied nodes' },
  { keys: 'Delete', command: 'delete', does: 'delete the selection' },
  { keys: 'Backspace', command: 'delete', does: 'delete the selection' },
  { keys: 'Ctrl+G', command: 'group', does: 'frame the selected nodes in a group' },
  {
    keys: 'Ctrl+B',
    command: 'bypass',
    does: 'bypass the selected nodes (outputs pass their inputs on), or bring them back',
  },
  {
    keys: 'Ctrl+M',
    command: 'mute',
    does: 'mute the selected nodes (they and what needs them do not run), or bring them back',
  },
  { keys: 'Alt+C', command: 'collapse', does: 'collapse the selected nodes to their sockets, or expand them' },
  { keys: 'Escape', command: 'closeBlock', does: 'leave the open block, one level' },
  { keys: 'Shift+?', command: 'help', does: 'these shortcuts' },
];

/** Mouse gestures the shortcuts dialog lists beside the keys. */
export const MOUSE_GESTURES: readonly { readonly gesture: string; readonly does: string }[] = [
  { gesture: 'double-click or right-click the empty canvas', does: 'search the node types, Enter adds one there' },
  { gesture: 'Ctrl+drag or Shift+drag on the empty canvas', does: 'select the nodes inside the box' },
  { gesture: 'right-click a link', does: 'add a reroute there, or delete the link' },
  {
    gesture: 'drag a link by its end (just beside its socket)',
    does: 'move it to another socket; let go on the canvas to remove it',
  },
  {
    gesture: 'right-click a node',
    does: 'its menu: run to here, bypass, mute, collapse, rename, colour, duplicate, group, delete',
  },
  { gesture: 'double-click a node’s title', does: 'rename it' },
  { gesture: 'drop a link on the empty canvas', does: 'add a node that takes it, linked' },
  { gesture: 'drop a link on a node', does: 'link it to the node’s first socket that takes it' },
  { gesture: 'drag a node with no links onto a link', does: 'put it into the link (the link widens first)' },
  { gesture: 'Shift+click Run', does: 'run on the server ahead of the runs waiting there' },
  { gesture: 'drag a node into a group frame', does: 'it joins the group (out of it: leaves)' },
  { gesture: 'drop a studio PNG or workflow JSON', does: 'open its workflow' },
  { gesture: 'click a node’s block badge', does: 'unfold the block' },
];

/** The parts of a keydown the bindings look at. */
export interface KeyPress {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  readonly altKey: boolean;
  /** The physical key: Alt+C types "ç" on a Mac, but its code is still KeyC. */
  readonly code?: string;
}

const signature = (mod: boolean, shift: boolean, alt: boolean, key: string) =>
  `${mod ? 'Ctrl+' : ''}${shift ? 'Shift+' : ''}${alt ? 'Alt+' : ''}${key}`;

const BY_SIGNATURE = new Map(
  KEY_BINDINGS.map((b) => {
    const parts = b.keys.split('+');
    const key = parts.pop()!;
    return [signature(parts.includes('Ctrl'), parts.includes('Shift'), parts.includes('Alt'), key.toLowerCase()), b];
  }),
);

/** The binding a keydown stands for, if any. */
export function bindingFor(e: KeyPress): KeyBinding | undefined {
  const letter = e.code?.startsWith('Key') ? e.code.slice(3) : undefined;
  const key = (e.altKey && letter ? letter : e.key).toLowerCase();
  return BY_SIGNATURE.get(signature(e.ctrlKey || e.metaKey, e.shiftKey, e.altKey, key));
}
