import { useState, type KeyboardEvent } from 'react';
import { Dialog } from './Dialog';

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
}

/** Keys the picker handles itself; anything else printable gets a word on what the keys are. */
const NAV_KEYS = new Set(['ArrowDown', 'ArrowUp', 'j', 'k', 'Enter', ' ', 'Tab', 'Escape']);

/**
 * A list of choices picked with 1-9 (or arrows and Enter, or the mouse). A key that picks nothing says so
 * (issue 14 item 6); a choice that needs a comment asks for it before anything is decided.
 */
export function PickerDialog({ title, description, options, onPick, onClose }: Props) {
  const [message, setMessage] = useState<string | null>(null);
  const [commentFor, setCommentFor] = useState<PickerOption | null>(null);
  const [comment, setComment] = useState('');
  const last = Math.min(options.length, 9);

  const choose = (o: PickerOption) => {
    if (o.needsComment) {
      setCommentFor(o);
      setMessage(null);
    } else onPick(o.value);
  };
  const submitComment = () => {
    if (!commentFor) return;
    if (!comment.trim()) {
      setMessage(`“${commentFor.label}” needs a comment: say what is wrong.`);
      return;
    }
    onPick(commentFor.value, comment.trim());
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
    <Dialog title={title} description={description} onClose={onClose} testId="reason-picker" onKey={onKey} size="sm">
      {commentFor ? (
        <div className="picker-comment">
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
            onChange={(e) => {
              setComment(e.target.value);
              if (e.target.value.trim()) setMessage(null);
            }}
          />
          <div className="dialog-actions">
            <span className="muted">
              <kbd className="kbd">Ctrl</kbd>+<kbd className="kbd">Enter</kbd> submit · <kbd className="kbd">Esc</kbd> cancel
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
