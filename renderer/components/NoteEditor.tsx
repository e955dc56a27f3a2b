import { useState, type KeyboardEvent } from 'react';
import { closeOverlay, pushToast } from '../state/app-store';
import { drafts } from '../state/drafts';
import { decide, useTriage } from '../state/triage-store';
import { Dialog } from './Dialog';
import { DraftRestored } from './DraftRestored';

/**
 * `n`: a note on the focused item; Ctrl+Enter saves. Esc closes and keeps what was typed as this item's
 * draft (issue 14 item 2): `n` on the same item brings it back.
 */
export function NoteEditor() {
  const itemId = useTriage((s) => s.current?.item.id) ?? '';
  const [restored] = useState(() => drafts.get(itemId, 'note'));
  const [text, setText] = useState(restored ?? '');
  const change = (value: string) => {
    setText(value);
    drafts.put(itemId, 'note', value);
  };
  const save = () => {
    if (!text.trim()) return;
    drafts.clear(itemId, 'note');
    closeOverlay();
    void decide('note', { text: text.trim() });
  };
  const close = () => {
    if (text.trim()) pushToast('Note kept as a draft: n brings it back', 'info');
    closeOverlay();
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      save();
    }
  };
  return (
    <Dialog title="Add a note" onClose={close} testId="note-editor" onKey={onKey} size="sm">
      {restored && <DraftRestored what="note" onDiscard={() => change('')} />}
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
        onChange={(e) => change(e.target.value)}
      />
      <div className="dialog-actions">
        <span className="muted">
          <kbd className="kbd">Ctrl</kbd>+<kbd className="kbd">Enter</kbd> save · <kbd className="kbd">Esc</kbd> close, keep as draft
        </span>
        <button type="button" className="btn btn-primary" disabled={!text.trim()} onClick={save} data-testid="note-save">
          Add note
        </button>
      </div>
    </Dialog>
  );
}
