// The owner's escalations as their own inbox (not mixed with ordinary work): the list on the left, on
// the right why the item came (who escalated, the reason in words, their note, the item's history).
// Decided in place with the triage keys of the user's keymap (approve, reject with a reason); Enter
// opens the item in triage for everything else (correct, note). The shown escalation is the core's
// focused item while this view is open, so the owner's labor on it counts (DESIGN §6).
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { format } from 'date-fns';
import type { ItemDetail } from '../../../shared/desk-api';
import type { Escalation } from '../../../shared/ops-desk';
import { ClassBadge } from '../../components/ClassBadge';
import { HistoryList } from '../../components/HistoryList';
import { PickerDialog } from '../../components/PickerDialog';
import { ReadableValue } from '../../components/ReadableValue';
import { SlaBadge } from '../../components/SlaBadge';
import { Kbd } from '../../components/Kbd';
import { errorMessage } from '../../desk/desk-error';
import { chordFromEvent } from '../../keyboard/chords';
import { isTypingTarget } from '../../keyboard/typing-target';
import { pushToast, setView, useApp } from '../../state/app-store';
import { desk } from '../../state/desk';
import { createSerial } from '../../state/serial';
import { openItem, triage } from '../../state/triage-store';
import { loadOps, useOpsRead } from '../../state/ops-store';

const NO_INPUT = {} as const;

// The owner's open/decide/close calls reach the core in key order, and after whatever the triage store
// queued before (leaving triage queues a triage.close that must not land after this view's open).
const ownSerial = createSerial();
const serial = <T,>(fn: () => Promise<T>): Promise<T> => ownSerial(async () => {
  await triage.settled();
  return fn();
});

export function EscalationsInbox() {
  const read = useOpsRead('ops.escalations', NO_INPUT);
  const escalations = read.value?.escalations ?? [];
  const [cursor, setCursor] = useState(0);
  const [detail, setDetail] = useState<ItemDetail | null>(null);
  const [picking, setPicking] = useState(false);
  const keymap = useApp((s) => s.keymap);
  const listRef = useRef<HTMLDivElement>(null);
  const current: Escalation | undefined = escalations[Math.min(cursor, escalations.length - 1)];
  const currentId = current?.item.id ?? null;

  // A sync or a decision elsewhere changes the set: read it again.
  useEffect(() => desk().on('queue.changed', () => void loadOps('ops.escalations', NO_INPUT)), []);
  // Keys work at once after `g o`: the list takes the focus when it first appears (unless something else has it).
  const hasList = escalations.length > 0;
  useEffect(() => {
    const active = document.activeElement;
    if (hasList && (!active || active === document.body || active.closest('nav'))) listRef.current?.focus();
  }, [hasList]);

  // The shown escalation is the focused item (labor); leaving the view unfocuses it unless triage takes over.
  useEffect(() => {
    if (!currentId) return;
    let live = true;
    serial(() => desk().call('triage.open', { itemId: currentId }))
      .then((d) => live && setDetail(d))
      .catch((e) => live && pushToast(`Could not open the escalation: ${errorMessage(e)}`, 'error'));
    return () => {
      live = false;
    };
  }, [currentId]);
  useEffect(() => () => {
    if (useApp.getState().view !== 'triage') void serial(() => desk().call('triage.close', {})).catch(() => undefined);
  }, []);

  const decide = useCallback(async (kind: 'approve' | 'reject', reasonCode?: string) => {
    if (!current) return;
    const itemId = current.item.id;
    try {
      if (kind === 'approve') await serial(() => desk().call('triage.decide', { itemId, kind: 'approve', payload: {} }));
      else await serial(() => desk().call('triage.decide', { itemId, kind: 'reject', payload: { reasonCode: reasonCode! } }));
      pushToast(`${kind === 'approve' ? 'Approved' : 'Rejected'}: ${current.item.title}`, 'success');
    } catch (e) {
      pushToast(`${kind === 'approve' ? 'Approve' : 'Reject'} failed: ${errorMessage(e)}`, 'error');
    }
    await loadOps('ops.escalations', NO_INPUT);
    listRef.current?.focus();
  }, [current]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.defaultPrevented || isTypingTarget(e.target) || picking) return;
    const chord = chordFromEvent(e);
    if (!chord) return;
    const is = (action: string) => (keymap[action] ?? []).includes(chord);
    let handled = true;
    if (is('item.next') || chord === 'down') setCursor((c) => Math.min(c + 1, Math.max(0, escalations.length - 1)));
    else if (is('item.prev') || chord === 'up') setCursor((c) => Math.max(c - 1, 0));
    else if (is('decide.approve') && current) void decide('approve');
    else if (is('decide.reject') && current) setPicking(true);
    else if (chord === 'enter' && current) {
      void openItem(current.item.id);
      setView('triage');
    } else handled = false;
    if (handled) e.preventDefault();
  };

  return (
    <section className="panel ops-escalations" aria-labelledby="esc-h" data-testid="ops-escalations">
      <h2 id="esc-h" className="panel-title">
        Escalations to you
        <span className="panel-hint" data-testid="ops-escalations-count" data-count={escalations.length}>
          {escalations.length} open
        </span>
      </h2>
      {read.error && <p className="error" role="alert">{read.error.message}</p>}
      {escalations.length === 0 && read.value && (
        <p className="muted" data-testid="ops-escalations-empty">No escalation waits for you.</p>
      )}
      {escalations.length > 0 && (
        <div className="esc-layout">
          <div
            ref={listRef}
            className="esc-list"
            role="listbox"
            tabIndex={0}
            aria-label="Escalations"
            aria-activedescendant={current ? `esc-${current.item.id}` : undefined}
            onKeyDown={onKeyDown}
            data-testid="ops-escalations-list"
          >
            {escalations.map((e, i) => (
              <div
                key={e.item.id}
                id={`esc-${e.item.id}`}
                role="option"
                aria-selected={e === current}
                className={`esc-row${e === current ? ' is-current' : ''}`}
                data-testid="ops-escalation-row"
                data-item-id={e.item.id}
                onClick={() => setCursor(i)}
              >
                <span className="esc-title">{e.item.title}</span>
                <span className="esc-meta">
                  {e.item.escalation?.by} · {e.reasonLabel}
                </span>
              </div>
            ))}
          </div>
          {current && (
            <article className="esc-detail" aria-label="Why it came to you" data-testid="ops-escalation-detail" data-item-id={current.item.id}>
              <header className="esc-detail-head">
                <h3>{current.item.title}</h3>
                <ClassBadge value={current.item.exceptionClass} />
                <SlaBadge enqueuedAt={current.item.enqueuedAt} slaDueAt={current.item.slaDueAt} targetMinutes={current.queue?.slaTargetMinutes} />
              </header>
              <dl className="esc-why" data-testid="ops-escalation-why">
                <dt>Escalated by</dt>
                <dd data-testid="ops-escalation-by">{current.item.escalation?.by}</dd>
                <dt>When</dt>
                <dd>{current.item.escalation ? format(new Date(current.item.escalation.at), 'MMM d, HH:mm') : '—'}</dd>
                <dt>Reason</dt>
                <dd data-testid="ops-escalation-reason">{current.reasonLabel}</dd>
                <dt>Their note</dt>
                <dd data-testid="ops-escalation-note">{current.item.escalation?.comment ?? <span className="muted">no note</span>}</dd>
                <dt>Path</dt>
                <dd>
                  {current.item.workflow} / {current.item.stage} · {current.queue?.name ?? current.item.queueId}
                </dd>
              </dl>
              {current.item.summary && <p>{current.item.summary}</p>}
              <section aria-label="AI output" className="esc-output">
                <ReadableValue value={current.item.output} />
              </section>
              {detail && detail.item.id === current.item.id && <HistoryList detail={detail} />}
              <p className="dialog-foot">
                <Kbd sequence={keymap['decide.approve']?.[0] ?? 'a'} /> approve · <Kbd sequence={keymap['decide.reject']?.[0] ?? 'r'} /> reject ·{' '}
                <Kbd sequence="enter" /> open in triage (correct, note) · <Kbd sequence={keymap['item.next']?.[0] ?? 'j'} />/
                <Kbd sequence={keymap['item.prev']?.[0] ?? 'k'} /> move
              </p>
            </article>
          )}
        </div>
      )}
      {picking && current && (
        <PickerDialog
          title="Reject: why is the output wrong?"
          options={(current.queue?.reasonCodes ?? [{ code: 'other', label: 'Other' }]).map((r) => ({ value: r.code, label: r.label }))}
          onClose={() => {
            setPicking(false);
            requestAnimationFrame(() => listRef.current?.focus());
          }}
          onPick={(code) => {
            setPicking(false);
            void decide('reject', code);
          }}
        />
      )}
    </section>
  );
}
