import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A dialog over the editor with its heading and close button: closed by that button, its backdrop or Escape (the topmost one only, so a dialog
 * opened from another closes first). `role="dialog"` also tells the editor's shortcuts that Escape
 * is the dialog's.
 */
export function Modal({
  className,
  testId,
  label,
  title,
  onClose,
  children,
}: {
  className: string;
  testId: string;
  /** For assistive tech when the title is not plain text. */
  label?: string;
  /** The heading, beside the close button. */
  title: ReactNode;
  onClose(): void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      const open = document.querySelectorAll('.modal[role="dialog"]');
      if (open[open.length - 1] !== ref.current) return;
      e.preventDefault();
      close.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  // Keys go to the dialog while it is open (a field in it may have taken focus already), not to the
  // node focused behind it: React Flow deselects a focused node on Escape. Focus goes back on close.
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    if (!ref.current?.contains(before)) ref.current?.focus();
    return () => {
      if (before?.isConnected) before.focus();
    };
  }, []);
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div
        ref={ref}
        className={`modal ${className}`}
        data-testid={testId}
        role="dialog"
        tabIndex={-1}
        aria-modal="true"
        aria-label={label ?? (typeof title === 'string' ? title : undefined)}
        onClick={(e) => e.stopPropagation()}
      >
        <header>
          <h2>{title}</h2>
          <button type="button" onClick={onClose} aria-label="close">
            ×
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}
