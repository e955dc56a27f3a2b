import { format } from 'date-fns';
import type { Conflict } from '../../shared/desk-api';
import { ReadableValue } from './ReadableValue';

const CODE_TEXT: Record<string, string> = {
  stale_version: 'The item changed on the server after you saw it.',
  not_assignee: 'The item is no longer assigned to you (reassigned or lease expired).',
  already_decided: 'Someone else decided the item first.',
};

interface Props {
  conflict: Conflict;
  active: boolean;
  busy: boolean;
  onFocus: () => void;
  onResolve: (action: 'discard' | 'resubmit') => void;
}

/** One conflict: the server's item beside the reviewer's decision, with discard / resubmit. */
export function ConflictCard({ conflict, active, busy, onFocus, onResolve }: Props) {
  const server = conflict.serverItem;
  return (
    <li
      className={`conflict${active ? ' is-cursor' : ''}`}
      data-testid="conflict-row"
      data-conflict-id={conflict.id}
      data-item-id={conflict.itemId}
      aria-current={active ? 'true' : undefined}
      onClick={onFocus}
    >
      <div className="conflict-head">
        <span className={`pill pill-${conflict.status}`}>{conflict.status}</span>
        <span className="conflict-code">{conflict.code}</span>
        <span className="muted">{format(new Date(conflict.createdAt), 'MMM d, HH:mm')}</span>
      </div>
      <p className="conflict-msg">{conflict.message ?? CODE_TEXT[conflict.code] ?? 'The server did not apply this decision.'}</p>
      <div className="conflict-sides">
        <section aria-label="Your decision">
          <h3>Your decision</h3>
          <p className="conflict-kind">{conflict.kind}</p>
          <ReadableValue value={conflict.payload} />
        </section>
        <section aria-label="Server item">
          <h3>Server item</h3>
          {server ? (
            <>
              <p className="conflict-kind">{server.title}</p>
              <ReadableValue
                value={{
                  status: server.status,
                  assignee: server.assigneeId,
                  version: server.version,
                  outcome: server.outcome ? `${server.outcome.kind} by ${server.outcome.by}` : null,
                }}
              />
            </>
          ) : (
            <p className="muted">No longer visible to you.</p>
          )}
        </section>
      </div>
      <div className="conflict-actions">
        <button type="button" className="btn btn-sm" data-testid="conflict-discard" disabled={busy} onClick={() => onResolve('discard')}>
          Discard mine
        </button>
        <button type="button" className="btn btn-sm btn-primary" data-testid="conflict-resubmit" disabled={busy} onClick={() => onResolve('resubmit')}>
          Resubmit
        </button>
      </div>
    </li>
  );
}
