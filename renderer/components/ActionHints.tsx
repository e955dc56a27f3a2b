import { memo } from 'react';
import { useApp } from '../state/app-store';
import { Kbd } from './Kbd';

const HINTS: { id: string; label: string }[] = [
  { id: 'decide.approve', label: 'Approve' },
  { id: 'decide.reject', label: 'Reject' },
  { id: 'decide.correct', label: 'Correct' },
  { id: 'decide.escalate', label: 'Escalate' },
  { id: 'decide.defer', label: 'Defer' },
  { id: 'decide.reclassify', label: 'Reclassify' },
  { id: 'decide.note', label: 'Note' },
  { id: 'decide.undo', label: 'Undo' },
  { id: 'app.help', label: 'All keys' },
];

/** The decision keys under the item, from the live keymap (remaps show here at once); `hide`: keys not offered on this item. Memoized: pass a stable `onRun` and `hide`. */
export const ActionHints = memo(function ActionHints({ onRun, hide = [] }: { onRun: (id: string) => void; hide?: readonly string[] }) {
  const keymap = useApp((s) => s.keymap);
  return (
    <div className="action-hints" role="toolbar" aria-label="Decisions" data-testid="triage-actions">
      {HINTS.filter((h) => !hide.includes(h.id)).map((h) => (
        <button key={h.id} type="button" className="hint-btn" data-testid={`action-${h.id}`} onClick={() => onRun(h.id)}>
          <span>{h.label}</span>
          {keymap[h.id]?.[0] && <Kbd sequence={keymap[h.id][0]} />}
        </button>
      ))}
    </div>
  );
});
