import { useRef, type ReactNode } from 'react';
import { useMenuPopup, type CanvasPoint } from './canvasPopup';

/** A menu on the canvas at `at` (node, group and link menus): closed by a press outside, Escape or an item. */
export function PopupMenu({
  at,
  label,
  testId,
  onClose,
  children,
}: {
  at: CanvasPoint;
  label: string;
  testId: string;
  onClose(): void;
  children: ReactNode;
}) {
  const box = useRef<HTMLDivElement>(null);
  useMenuPopup(box, onClose);
  return (
    <div
      ref={box}
      className="node-menu"
      role="menu"
      aria-label={label}
      data-testid={testId}
      style={{ left: at.screen.x, top: at.screen.y }}
      onContextMenu={(e) => e.preventDefault()}
    >
      {children}
    </div>
  );
}

/** One item of a PopupMenu: its label, its key when it has one; it acts, then the menu closes. */
export function MenuItem(props: {
  testId: string;
  label: string;
  keys?: string | undefined;
  danger?: boolean;
  onSelect(): void;
  onClose(): void;
}) {
  return (
    <button
      type="button"
      role="menuitem"
      className={props.danger ? 'danger' : undefined}
      data-testid={props.testId}
      onClick={() => {
        props.onSelect();
        props.onClose();
      }}
    >
      <span>{props.label}</span>
      {props.keys && <kbd>{props.keys}</kbd>}
    </button>
  );
}
