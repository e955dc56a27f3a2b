import type { KeyboardEvent } from 'react';
import { Dialog } from './Dialog';

export interface PickerOption {
  value: string;
  label: string;
  hint?: string;
}

interface Props {
  title: string;
  description?: string;
  options: PickerOption[];
  onPick: (value: string) => void;
  onClose: () => void;
}

/** A list of choices picked with 1-9 (or arrows and Enter, or the mouse). */
export function PickerDialog({ title, description, options, onPick, onClose }: Props) {
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const n = Number(e.key);
    if (Number.isInteger(n) && n >= 1 && n <= 9 && options[n - 1]) {
      e.preventDefault();
      onPick(options[n - 1].value);
      return;
    }
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp' || e.key === 'j' || e.key === 'k') {
      const buttons = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('.picker-option')];
      const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
      const delta = e.key === 'ArrowDown' || e.key === 'j' ? 1 : -1;
      buttons[(at + delta + buttons.length) % buttons.length]?.focus();
      e.preventDefault();
    }
  };
  return (
    <Dialog title={title} description={description} onClose={onClose} testId="reason-picker" onKey={onKey} size="sm">
      <ul className="picker-list" aria-label={title}>
        {options.map((o, i) => (
          <li key={o.value}>
            <button
              type="button"
              className="picker-option"
              data-testid={`reason-option-${i + 1}`}
              data-value={o.value}
              onClick={() => onPick(o.value)}
            >
              <kbd className="kbd">{i < 9 ? i + 1 : ' '}</kbd>
              <span className="picker-label">{o.label}</span>
              {o.hint && <span className="picker-hint">{o.hint}</span>}
            </button>
          </li>
        ))}
      </ul>
      <p className="dialog-foot">
        <kbd className="kbd">1</kbd>–<kbd className="kbd">9</kbd> pick · <kbd className="kbd">Esc</kbd> cancel
      </p>
    </Dialog>
  );
}
