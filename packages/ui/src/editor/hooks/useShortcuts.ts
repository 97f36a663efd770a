import { useEffect, useRef } from 'react';
import type { EditorActions } from '../services/useEditorActions';
import type { EditorStore } from '../model/EditorStore';

/** Keys typed into a field belong to the field (except save). */
function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

/** A dialog is open: the keys are its own, the canvas behind it must not change. */
const dialogOpen = () => document.querySelector('[role="dialog"], dialog[open]') !== null;

/**
 * ctrl/cmd + z undo, + shift + z (or y) redo, + g group the selection, + a select every node, + c copy,
 * + v paste (nodes or a workflow JSON; + shift: with the links that fed them), + s save, + Enter run (ComfyUI's queue key); Delete/Backspace
 * removes the selection; Escape leaves an open block. None of them while a dialog is open (Enter and
 * save work from a field too). Also warns before leaving the page with unsaved changes.
 */
export function useShortcuts(actions: EditorActions, store: EditorStore, run: () => void): void {
  const runRef = useRef(run);
  runRef.current = run;
  useEffect(() => {
    // Where the mouse is: Ctrl+V pastes nodes there when it is over the canvas.
    let pointer: { x: number; y: number } | undefined;
    // The paste event does not say whether Shift was down: Ctrl+Shift+V (paste with the links that
    // fed the copies, ComfyUI's) is noted on keydown for the paste that follows.
    let withInputs = false;
    const onMove = (e: PointerEvent) => {
      pointer = { x: e.clientX, y: e.clientY };
    };
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 'v') withInputs = e.shiftKey;
      if (mod && key === 's') {
        e.preventDefault();
        void actions.save(e.shiftKey);
        return;
      }
      if (mod && e.key === 'Enter' && !dialogOpen()) {
        e.preventDefault();
        runRef.current();
        return;
      }
      if (isTyping(e.target) || dialogOpen()) return;
      if (mod && key === 'z') {
        e.preventDefault();
        if (e.shiftKey) actions.redo();
        else actions.undo();
      } else if (mod && key === 'y') {
        e.preventDefault();
        actions.redo();
      } else if (mod && key === 'g' && !e.shiftKey) {
        e.preventDefault();
        store.groupSelection();
      } else if (mod && (key === 'b' || key === 'm') && !e.shiftKey) {
        e.preventDefault();
        store.toggleMode(key === 'b' ? 'bypass' : 'mute');
      } else if (mod && key === 'a') {
        e.preventDefault();
        store.selectOnly(store.getState().graph.nodes.map((n) => n.id));
      } else if (mod && key === 'c') {
        actions.copy();
      } else if (!mod && (e.key === 'Delete' || e.key === 'Backspace')) {
        e.preventDefault();
        actions.deleteSelection();
      } else if (e.key === 'Escape' && store.getState().scope && !document.querySelector('[role="menu"]')) {
        // Out of an open block, one level (an open menu's Escape is its own, as a dialog's is).
        store.closeBlock();
      }
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
