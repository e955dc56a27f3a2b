import { format } from 'date-fns';
import type { Conflict } from '../../shared/desk-api';
import { canResubmit, conflictHeadline, hiddenServerItemText } from '../logic/conflict-text';
import { ReadableValue } from './ReadableValue';

const KIND_LABEL: Record<string, string> = {
  approve: 'Approve', reject: 'Reject', correct: 'Correct', escalate: 'Escalate', defer: 'Defer',
  reclassify: 'Reclassify', note: 'Note', revert: 'Revert (undo)',
};

interface Props {
  conflict: Conflict;
  /** The item's title from this desk's cache, when the server no longer shows it. */
  localTitle?: string;
  active: boolean;
  busy: boolean;
  onFocus: () => void;
  onResolve: (action: 'discard' | 'resubmit') => void;
}

/** One conflict: the server's item beside the reviewer's decision, with discard / resubmit. */
export function ConflictCard({ conflict, localTitle, active, busy, onFocus, onResolve }: Props) {
  const server = conflict.serverItem;
  const resubmittable = canResubmit(conflict);
  const hiddenId = `conflict-hidden-${conflict.id}`;
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
        <span className="conflict-item" data-testid="conflict-item">
          {server?.title ?? localTitle ?? (
            <>
              Item <code>{conflict.itemId}</code>
            </>
          )}
        </span>
        <span className="muted">{format(new Date(conflict.createdAt), 'MMM d, HH:mm')}</span>
      </div>
      <p className="conflict-msg">{conflictHeadline(conflict.code)}</p>
      {conflict.message && (
        <p className="conflict-server-msg muted">
          Server: <q>{conflict.message}</q>
        </p>
      )}
      <div className="conflict-sides">
        <section aria-label="Your decision">
          <h3>Your decision</h3>
          <p className="conflict-kind">{KIND_LABEL[conflict.kind] ?? conflict.kind}</p>
          {Object.keys(conflict.payload).length > 0 ? <ReadableValue value={conflict.payload} /> : <p className="muted">No comment or other details.</p>}
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
            <p className="conflict-hidden" id={hiddenId} data-testid="conflict-server-hidden">
              {hiddenServerItemText(conflict.code)}
            </p>
          )}
        </section>
      </div>
      <div className="conflict-actions">
        <button type="button" className="btn btn-sm" data-testid="conflict-discard" disabled={busy} onClick={() => onResolve('discard')}>
          Discard mine
        </button>
        <button
          type="button"
          className="btn btn-sm btn-primary"
          data-testid="conflict-resubmit"
          disabled={busy || !resubmittable}
          aria-describedby={resubmittable ? undefined : hiddenId}
          title={resubmittable ? undefined : 'Nothing to resubmit against: the server no longer shows you this item'}
          onClick={() => onResolve('resubmit')}
        >
          Resubmit
        </button>
      </div>
    </li>
  );
}
