import { useState, type KeyboardEvent } from 'react';
import { pushToast } from '../state/app-store';
import { drafts } from '../state/drafts';
import { Dialog } from './Dialog';
import { DraftRestored } from './DraftRestored';

export interface PickerOption {
  value: string;
  label: string;
  hint?: string;
  /** Picking it asks for a comment first ("Other (explain in a comment)"). */
  needsComment?: boolean;
}

interface Props {
  title: string;
  description?: string;
  options: PickerOption[];
  onPick: (value: string, comment?: string) => void;
  onClose: () => void;
  /**
   * Keep a comment typed for a reason as a draft of this item (issue 14 item 2): Esc closes the picker and
   * picking the same reason of the same picker on the same item brings the comment back. `scope` names the picker.
   */
  draft?: { itemId: string; scope: string };
}

/** Keys the picker handles itself; anything else printable gets a word on what the keys are. */
const NAV_KEYS = new Set(['ArrowDown', 'ArrowUp', 'j', 'k', 'Enter', ' ', 'Tab', 'Escape']);

/**
 * A list of choices picked with 1-9 (or arrows and Enter, or the mouse). A key that picks nothing says so
 * (issue 14 item 6); a choice that needs a comment asks for it before anything is decided.
 */
export function PickerDialog({ title, description, options, onPick, onClose, draft }: Props) {
  const [message, setMessage] = useState<string | null>(null);
  const [commentFor, setCommentFor] = useState<PickerOption | null>(null);
  const [comment, setComment] = useState('');
  const [restored, setRestored] = useState(false);
  const last = Math.min(options.length, 9);
  const draftKey = (o: PickerOption) => `${draft?.scope ?? ''}:${o.value}`;

  const choose = (o: PickerOption) => {
    if (o.needsComment) {
      const kept = draft ? drafts.getReason(draft.itemId, draftKey(o)) : undefined;
      setCommentFor(o);
      setComment(kept ?? '');
      setRestored(kept !== undefined);
      setMessage(null);
    } else onPick(o.value);
  };
  const changeComment = (value: string) => {
    setComment(value);
    if (value.trim()) setMessage(null);
    if (draft && commentFor) drafts.putReason(draft.itemId, draftKey(commentFor), value);
  };
  const submitComment = () => {
    if (!commentFor) return;
    if (!comment.trim()) {
      setMessage(`“${commentFor.label}” needs a comment: say what is wrong.`);
      return;
    }
    if (draft) drafts.putReason(draft.itemId, draftKey(commentFor), '');
    onPick(commentFor.value, comment.trim());
  };
  const close = () => {
    if (draft && commentFor && comment.trim()) pushToast(`Comment kept as a draft: pick “${commentFor.label}” again to bring it back`, 'info');
    onClose();
  };

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.ctrlKey || e.metaKey || e.altKey) {
      if (commentFor && e.key === 'Enter') {
        e.preventDefault();
        submitComment();
      }
      return;
    }
    if (commentFor) return; // typing the comment
    if (/^[0-9]$/.test(e.key)) {
      e.preventDefault();
      const n = Number(e.key);
      if (n >= 1 && n <= last) choose(options[n - 1]);
      else setMessage(`No choice ${e.key} here: press 1–${last}${options.length > 9 ? ', or use the arrows for the rest' : ''}.`);
      return;
    }
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp' || e.key === 'j' || e.key === 'k') {
      const buttons = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('.picker-option')];
      const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
      const delta = e.key === 'ArrowDown' || e.key === 'j' ? 1 : -1;
      buttons[(at + delta + buttons.length) % buttons.length]?.focus();
      e.preventDefault();
      return;
    }
    if (e.key.length === 1 && !NAV_KEYS.has(e.key)) {
      e.preventDefault();
      setMessage(`“${e.key}” does nothing here: press 1–${last} to pick, Esc to cancel.`);
    }
  };

  return (
    <Dialog title={title} description={description} onClose={close} testId="reason-picker" onKey={onKey} size="sm">
      {commentFor ? (
        <div className="picker-comment">
          {restored && <DraftRestored what="comment" onDiscard={() => changeComment('')} />}
          <label htmlFor="reason-comment">{commentFor.label}: what is wrong?</label>
          <textarea
            id="reason-comment"
            rows={3}
            maxLength={4000}
            value={comment}
            data-testid="reason-comment"
            data-autofocus
            aria-required="true"
            autoFocus
            onChange={(e) => changeComment(e.target.value)}
            // A restored draft goes on where it stopped (focus() alone puts the caret before it).
            onFocus={(e) => e.currentTarget.setSelectionRange(e.currentTarget.value.length, e.currentTarget.value.length)}
          />
          <div className="dialog-actions">
            <span className="muted">
              <kbd className="kbd">Ctrl</kbd>+<kbd className="kbd">Enter</kbd> submit · <kbd className="kbd">Esc</kbd> {draft ? 'close, keep as draft' : 'cancel'}
            </span>
            <button type="button" className="btn btn-primary" data-testid="reason-comment-save" onClick={submitComment}>
              Submit
            </button>
          </div>
        </div>
      ) : (
        <ul className="picker-list" aria-label={title}>
          {options.map((o, i) => (
            <li key={o.value}>
              <button type="button" className="picker-option" data-testid={`reason-option-${i + 1}`} data-value={o.value} onClick={() => choose(o)}>
                <kbd className="kbd">{i < 9 ? i + 1 : ' '}</kbd>
                <span className="picker-label">{o.label}</span>
                {o.hint && <span className="picker-hint">{o.hint}</span>}
                {o.needsComment && <span className="picker-hint">needs a comment</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
      <p className="picker-message" role="status" aria-live="polite" data-testid="picker-message">
        {message}
      </p>
      {!commentFor && (
        <p className="dialog-foot">
          <kbd className="kbd">1</kbd>–<kbd className="kbd">{last}</kbd> pick · <kbd className="kbd">Esc</kbd> cancel
        </p>
      )}
    </Dialog>
  );
}
