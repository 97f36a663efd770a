import { useEffect, useRef } from 'react';
import type { EditorActions } from '../services/useEditorActions';
import type { EditorStore } from '../model/EditorStore';
import { bindingFor, type KeyCommand } from '../model/keyBindings';

/** Keys typed into a field belong to the field (except the bindings marked `inFields`). */
function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

/** A dialog is open: the keys are its own, the canvas behind it must not change. */
const dialogOpen = () => document.querySelector('[role="dialog"], dialog[open]') !== null;

/** What the keys do that the store and actions do not cover. */
export interface ShortcutHandlers {
  /** Ctrl+Enter (front: Ctrl+Shift+Enter). */
  run(front: boolean): void;
  /** Shift+? */
  help(): void;
}

/**
 * The keys of KEY_BINDINGS (keyBindings.ts, which the shortcuts dialog lists too): while a dialog is
 * open only those marked `inDialogs`, while typing in a field only those marked `inFields`. Also pastes
 * from the system clipboard.
 */
export function useShortcuts(actions: EditorActions, store: EditorStore, handlers: ShortcutHandlers): void {
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;
  useEffect(() => {
    // Where the mouse is: Ctrl+V pastes nodes there when it is over the canvas.
    let pointer: { x: number; y: number } | undefined;
    // The paste event does not say whether Shift was down: Ctrl+Shift+V (paste with the links that
    // fed the copies, ComfyUI's) is noted on keydown for the paste that follows.
    let withInputs = false;
    const onMove = (e: PointerEvent) => {
      pointer = { x: e.clientX, y: e.clientY };
    };
    const commands: Record<KeyCommand, () => void> = {
      run: () => handlersRef.current.run(false),
      runFront: () => handlersRef.current.run(true),
      save: () => void actions.save(false),
      saveAs: () => void actions.save(true),
      undo: () => actions.undo(),
      redo: () => actions.redo(),
      selectAll: () => store.selectOnly(store.getState().graph.nodes.map((n) => n.id)),
      copy: () => actions.copy(),
      // The paste event that follows does the pasting.
      paste: () => (withInputs = false),
      pasteWithLinks: () => (withInputs = true),
      delete: () => actions.deleteSelection(),
      group: () => void store.groupSelection(),
      bypass: () => void store.toggleMode('bypass'),
      mute: () => void store.toggleMode('mute'),
      collapse: () => void store.toggleCollapsed(),
      closeBlock: () => store.closeBlock(),
      help: () => handlersRef.current.help(),
    };
    // Keys the browser's own default must keep (copy and paste fill the clipboard events).
    const keepDefault = new Set<KeyCommand>(['copy', 'paste', 'pasteWithLinks']);
    const onKey = (e: KeyboardEvent) => {
      const binding = bindingFor(e);
      if (!binding || (dialogOpen() && !binding.inDialogs) || (isTyping(e.target) && !binding.inFields)) return;
      // Escape belongs to an open menu first, and means something only inside a block.
      if (binding.command === 'closeBlock' && (!store.getState().scope || document.querySelector('[role="menu"]')))
        return;
      if (!keepDefault.has(binding.command)) e.preventDefault();
      commands[binding.command]();
    };
    // Pasting reads the system clipboard through the paste event (no permission prompt).
    const onPaste = (e: ClipboardEvent) => {
      if (isTyping(e.target) || dialogOpen()) return;
      e.preventDefault();
      actions.paste(e.clipboardData?.getData('text/plain') ?? '', pointer, withInputs);
      withInputs = false;
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('paste', onPaste);
    window.addEventListener('pointermove', onMove);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('paste', onPaste);
      window.removeEventListener('pointermove', onMove);
    };
  }, [actions, store]);

  useEffect(() => {
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (!store.getState().dirty) return;
      // Browsers show their own wording; both calls are needed across engines.
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [store]);
}
