import { dismissToast, useApp } from '../state/app-store';
import { undoLast } from '../state/triage-store';

/** Decision and error toasts; decision toasts offer Undo (also `z`). */
export function Toasts() {
  const toasts = useApp((s) => s.toasts);
  return (
    <div className="toasts" role="status" aria-live="polite" aria-label="Notifications" data-testid="toasts">
      {toasts.map((t) => (
        // Decision toasts keep to one line (the title may be cut); messages, errors and a defer's where wrap, whole.
        <div key={t.id} className={`toast toast-${t.tone}${t.undo && !t.whole ? '' : ' toast-wrap'}`} data-testid="toast" data-tone={t.tone}>
          <span className="toast-text" title={t.undo && !t.whole ? t.text : undefined}>
            {t.text}
          </span>
          {t.undo && (
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              data-testid="toast-undo"
              onClick={() => {
                dismissToast(t.id);
                void undoLast();
              }}
            >
              Undo <kbd className="kbd">Z</kbd>
            </button>
          )}
          <button type="button" className="toast-close" aria-label="Dismiss" onClick={() => dismissToast(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
