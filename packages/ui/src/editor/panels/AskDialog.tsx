import { useState } from 'react';
import { Modal } from './Modal';

/** A question for a line of text (a name), asked in the page: see EditorServices.ask. */
export interface Question {
  title: string;
  label: string;
  initial?: string;
  /** The confirm button's text (default "OK"). */
  confirm?: string;
  /** An empty answer is an answer (e.g. "no title of its own"); otherwise it cannot be confirmed. */
  allowEmpty?: boolean;
}

/**
 * Asks for a name in the page instead of the browser's prompt(), which blocks the page and can be
 * turned off. Enter or the confirm button answers; Escape, × or Cancel answers undefined.
 */
export function AskDialog({ question, onAnswer }: { question: Question; onAnswer(text: string | undefined): void }) {
  const [text, setText] = useState(question.initial ?? '');
  const answer = text.trim();
  return (
    <Modal className="ask" testId="ask" title={question.title} onClose={() => onAnswer(undefined)}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (answer || question.allowEmpty) onAnswer(answer);
        }}
      >
        <label>
          {question.label}
          <input
            value={text}
            onChange={(e) => setText(e.target.value)}
            onFocus={(e) => e.target.select()}
            maxLength={200}
            autoFocus
            data-testid="ask-input"
          />
        </label>
        <div className="buttons">
          <button type="button" onClick={() => onAnswer(undefined)} data-testid="ask-cancel">
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!answer && !question.allowEmpty} data-testid="ask-ok">
            {question.confirm ?? 'OK'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
