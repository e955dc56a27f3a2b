import { useState, type KeyboardEvent } from 'react';
import { closeOverlay } from '../state/app-store';
import { decide } from '../state/triage-store';
import { Dialog } from './Dialog';

/** `n`: a note on the focused item; Ctrl+Enter saves, Esc cancels. The item stays focused. */
export function NoteEditor() {
  const [text, setText] = useState('');
  const save = () => {
    if (!text.trim()) return;
    closeOverlay();
    void decide('note', { text: text.trim() });
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      save();
    }
  };
  return (
    <Dialog title="Add a note" onClose={closeOverlay} testId="note-editor" onKey={onKey} size="sm">
      <label htmlFor="note-text" className="sr-only">
        Note
      </label>
      <textarea
        id="note-text"
        className="note-text"
        rows={5}
        maxLength={4000}
        value={text}
        data-testid="note-text"
        data-autofocus
        onChange={(e) => setText(e.target.value)}
      />
      <div className="dialog-actions">
        <span className="muted">
          <kbd className="kbd">Ctrl</kbd>+<kbd className="kbd">Enter</kbd> save · <kbd className="kbd">Esc</kbd> cancel
        </span>
        <button type="button" className="btn btn-primary" disabled={!text.trim()} onClick={save} data-testid="note-save">
          Add note
        </button>
      </div>
    </Dialog>
  );
}
