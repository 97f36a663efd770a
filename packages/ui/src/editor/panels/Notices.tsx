import type { Notice } from '../services/EditorContext';

/** Transient messages (refused links, saves, failures), newest last. */
export function Notices({ notices, onDismiss }: { notices: readonly Notice[]; onDismiss(id: number): void }) {
  return (
    <div className="notices" aria-live="polite">
      {notices.map((n) => (
        <div
          key={n.id}
          className={`notice ${n.kind}`}
          data-testid="notice"
          data-tag={n.tag}
          onClick={() => onDismiss(n.id)}
        >
          {n.text}
        </div>
      ))}
    </div>
  );
}
