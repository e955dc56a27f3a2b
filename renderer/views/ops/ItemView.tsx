// The items behind a figure, read-only (issue 11): each with its outcome, escalation, notes, history, input
// and output, fetched through the core (ops.items; the last answer offline). An owner may override an
// outcome someone else decided, with a reason (o, or the button): sent at once through the core.
import { useEffect, useRef, useState } from 'react';
import type { Item, Queue } from '../../../shared/domain';
import type { ItemHistoryEntry } from '../../../shared/ops-api';
import { errorMessage } from '../../desk/desk-error';
import { isTypingTarget } from '../../keyboard/typing-target';
import { pushToast, useApp } from '../../state/app-store';
import { desk } from '../../state/desk';
import { useOpsRead } from '../../state/ops-store';

const when = (iso: string) => new Date(iso).toLocaleString();

/** Whether these roles may override this item's outcome (the server checks the queue's owner). */
export function mayOverride(item: Item, me: string | null, roles: readonly string[]): boolean {
  return (roles.includes('owner') || roles.includes('admin')) && item.status === 'resolved' && item.outcome !== null && item.outcome.by !== me;
}

/** A list of items (first up to 100 of a figure's evidence) and the one chosen, read-only; j / k move, o overrides. */
export function ItemsBrowser({ itemIds }: { itemIds: readonly string[] }) {
  const ids = itemIds.slice(0, 100);
  const read = useOpsRead('ops.items', { itemIds: ids });
  const [index, setIndex] = useState(0);
  const [overriding, setOverriding] = useState(false);
  const me = useApp((s) => s.session?.user?.id ?? null);
  const roles = useApp((s) => s.session?.user?.roles ?? []);
  const got = read.value?.data;
  const entries = got?.items ?? [];
  const current = entries[Math.min(index, Math.max(0, entries.length - 1))] ?? null;
  const can = current ? mayOverride(current.item, me, roles) : false;

  const host = useRef<HTMLDivElement>(null);
  const keys = useRef({ count: 0, can: false });
  keys.current = { count: entries.length, can };
  // The keys work wherever the focus is in the dialog (its close button, the filter), not only inside the list.
  useEffect(() => {
    const scope = host.current?.closest('[role="dialog"]') ?? host.current;
    if (!scope) return;
    const onKey = (e: Event) => {
      const k = e as globalThis.KeyboardEvent;
      if (isTypingTarget(k.target) || k.ctrlKey || k.metaKey || k.altKey) return;
      if (k.key === 'j' || k.key === 'k') {
        k.preventDefault();
        setOverriding(false);
        setIndex((i) => Math.max(0, Math.min(keys.current.count - 1, i + (k.key === 'j' ? 1 : -1))));
      } else if (k.key === 'o' && keys.current.can) {
        k.preventDefault();
        setOverriding(true);
      }
    };
    scope.addEventListener('keydown', onKey);
    return () => scope.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="items-browser" ref={host} data-testid="ops-items-browser">
      {read.error && <p className="error" role="alert">{read.error.message}</p>}
      {read.value?.freshness.fromCache && <p className="muted">Offline: the items as last read.</p>}
      <ul className="ops-item-ids" aria-label="Items" data-testid="ops-items-list">
        {ids.map((id) => {
          const i = entries.findIndex((x) => x.item.id === id);
          const entry = i >= 0 ? entries[i] : null;
          return (
            <li key={id}>
              {entry ? (
                <button type="button" className={`btn btn-ghost btn-sm${current?.item.id === id ? ' is-selected' : ''}`} aria-pressed={current?.item.id === id}
                  onClick={() => { setIndex(i); setOverriding(false); }} data-testid="ops-item-open" data-item-id={id}>
                  <code>{id}</code> {entry.item.title}
                </button>
              ) : (
                <span className="muted">
                  <code>{id}</code> {got ? '(not among your paths, or gone)' : ''}
                </span>
              )}
            </li>
          );
        })}
      </ul>
      {current && <ItemDetail item={current.item} history={current.history} />}
      {current && can && !overriding && (
        <button type="button" className="btn" onClick={() => setOverriding(true)} data-testid="ops-item-override">
          Override this outcome… <kbd className="kbd">o</kbd>
        </button>
      )}
      {current && overriding && <OverrideForm item={current.item} onDone={() => { setOverriding(false); read.reload(); }} />}
      <p className="dialog-foot">
        <kbd className="kbd">j</kbd>/<kbd className="kbd">k</kbd> next / previous item · <kbd className="kbd">o</kbd> override (owner) · <kbd className="kbd">Esc</kbd> close
      </p>
    </div>
  );
}

function ItemDetail({ item, history }: { item: Item; history: ItemHistoryEntry[] }) {
  return (
    <article className="item-detail" aria-label={`Item ${item.id}`} data-testid="ops-item-detail" data-item-id={item.id} data-status={item.status}>
      <h3>{item.title}</h3>
      <dl className="item-facts">
        <dt>Item</dt>
        <dd><code>{item.id}</code> · {item.queueId} · {item.workflow} / {item.stage} · {item.exceptionClass}</dd>
        <dt>Status</dt>
        <dd data-testid="ops-item-status">{item.status}{item.assigneeId ? ` (${item.assigneeId})` : ''}</dd>
        <dt>Outcome</dt>
        <dd data-testid="ops-item-outcome" data-kind={item.outcome?.kind ?? ''} data-by={item.outcome?.by ?? ''}>
          {item.outcome
            ? `${item.outcome.kind} by ${item.outcome.by}, ${when(item.outcome.at)}${item.outcome.reasonCode ? ` · ${item.outcome.reasonCode}` : ''}${item.outcome.comment ? ` · “${item.outcome.comment}”` : ''}`
            : 'none yet'}
        </dd>
        {item.escalation && (
          <>
            <dt>Escalated</dt>
            <dd>by {item.escalation.by}, {item.escalation.reasonCode}{item.escalation.comment ? ` · “${item.escalation.comment}”` : ''}</dd>
          </>
        )}
        <dt>SLA due</dt>
        <dd>{when(item.slaDueAt)}</dd>
      </dl>
      <h4>History</h4>
      <ol className="item-history" data-testid="ops-item-history">
        {history.map((h, i) => (
          <li key={i} data-type={h.type}>
            {when(h.at)} · {h.type}{h.outcome ? ` ${h.outcome}` : ''} · {h.actorId ?? 'system'}{h.reasonCode ? ` · ${h.reasonCode}` : ''}{h.comment ? ` · “${h.comment}”` : ''}
          </li>
        ))}
      </ol>
      <details>
        <summary>Input and output</summary>
        <pre className="item-json" tabIndex={0}>{JSON.stringify({ input: item.input, output: item.output }, null, 2)}</pre>
      </details>
    </article>
  );
}

/** Override: the owner's outcome and a reason (required), sent through the core; the server's refusal in its words. */
function OverrideForm({ item, onDone }: { item: Item; onDone: () => void }) {
  const [outcome, setOutcome] = useState<'approve' | 'reject'>(item.outcome?.kind === 'approve' ? 'reject' : 'approve');
  const [queue, setQueue] = useState<Queue | null>(null);
  const [reasonCode, setReasonCode] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void desk().call('queue.list', {}).then((r) => {
      const q = r.queues.find((x) => x.id === item.queueId) ?? null;
      setQueue(q);
      if (q?.reasonCodes[0]) setReasonCode((c) => c || q.reasonCodes[0].code);
    }).catch(() => undefined);
  }, [item.queueId]);

  const submit = async () => {
    if (!reason.trim()) return setError('Say why you override this outcome.');
    if (outcome === 'reject' && !reasonCode) return setError('Pick a reason code for a reject.');
    setBusy(true);
    setError(null);
    try {
      await desk().call('ops.override', {
        itemId: item.id, version: item.version, assignmentEpoch: item.assignmentEpoch,
        override: { outcome, reason: reason.trim(), ...(outcome === 'reject' ? { reasonCode } : {}) },
      });
      pushToast(`Overridden: ${item.title} is now ${outcome === 'approve' ? 'approved' : 'rejected'}`, 'success');
      onDone();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="override-form" data-testid="ops-override-form" aria-label="Override the outcome"
      onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <label>
        New outcome{' '}
        <select className="select" value={outcome} onChange={(e) => setOutcome(e.target.value as 'approve' | 'reject')} data-testid="ops-override-outcome" data-autofocus>
          <option value="approve">Approve</option>
          <option value="reject">Reject</option>
        </select>
      </label>
      {outcome === 'reject' && (
        <label>
          Reason code{' '}
          <select className="select" value={reasonCode} onChange={(e) => setReasonCode(e.target.value)} data-testid="ops-override-reason-code">
            {(queue?.reasonCodes ?? []).map((r) => (
              <option key={r.code} value={r.code}>{r.label}</option>
            ))}
          </select>
        </label>
      )}
      <label className="override-reason">
        Why (required)
        <textarea className="input" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="ops-override-reason" maxLength={2000}
          onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); void submit(); } }} />
      </label>
      {error && <p className="error" role="alert" data-testid="ops-override-error">{error}</p>}
      <button type="submit" className="btn btn-primary" disabled={busy} data-testid="ops-override-submit">
        Override <kbd className="kbd">Ctrl</kbd>+<kbd className="kbd">Enter</kbd>
      </button>
    </form>
  );
}
