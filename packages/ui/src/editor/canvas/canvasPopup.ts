import { useEffect, type MouseEvent as ReactMouseEvent, type RefObject } from 'react';

/** Where a popup on the canvas opened: on the screen (inside the canvas) and in the flow. */
export interface CanvasPoint {
  screen: { x: number; y: number };
  flow: { x: number; y: number };
}

/**
 * Where a popup of `size` opens for a pointer event: at the pointer, kept inside the canvas
 * (`box`), and the flow position under the pointer (where a node it adds goes). Undefined without
 * a point (a touch list that is empty).
 */
export function popupAt(
  event: MouseEvent | TouchEvent | ReactMouseEvent,
  box: DOMRect,
  size: { width: number; height: number },
  toFlow: (p: { x: number; y: number }) => { x: number; y: number },
): CanvasPoint | undefined {
  const point = 'changedTouches' in event ? event.changedTouches[0] : event;
  if (!point) return undefined;
  return {
    screen: {
      x: Math.max(0, Math.min(point.clientX - box.left, box.width - size.width)),
      y: Math.max(0, Math.min(point.clientY - box.top, box.height - size.height)),
    },
    flow: toFlow({ x: point.clientX, y: point.clientY }),
  };
}

/** A press anywhere outside `ref` closes the popup, as a menu does. */
export function usePressOutside(ref: RefObject<HTMLElement | null>, onClose: () => void): void {
  useEffect(() => {
    const onDown = (e: PointerEvent) => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    window.addEventListener('pointerdown', onDown, true);
    return () => window.removeEventListener('pointerdown', onDown, true);
  }, [ref, onClose]);
}

/** A popup menu's behaviour: a press outside or Escape closes it; its first item has focus. */
export function useMenuPopup(ref: RefObject<HTMLElement | null>, onClose: () => void): void {
  usePressOutside(ref, onClose);
  useEffect(() => {
    ref.current?.querySelector('button')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [ref, onClose]);
}
