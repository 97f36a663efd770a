import { TEMPLATES } from '../model/templates';
import { Modal } from './Modal';

/** The presets from examples/, bundled with the editor. */
export function TemplatesGallery({ onOpen, onClose }: { onOpen(id: string): void; onClose(): void }) {
  return (
    <Modal className="templates" testId="templates" onClose={onClose} title="Templates">
      <ul>
        {TEMPLATES.map((t) => (
          <li key={t.id}>
            <button type="button" data-testid={`template-${t.id}`} onClick={() => onOpen(t.id)}>
              <strong>{t.name}</strong>
              <span className="desc">{t.description}</span>
              <span className="tags">
                {t.document.nodes.length} nodes · {t.tags.join(', ')}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </Modal>
  );
}
