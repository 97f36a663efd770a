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
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div
        ref={ref}
        className={`modal ${className}`}
        data-testid={testId}
        role="dialog"
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
