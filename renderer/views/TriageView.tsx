import { memo, useEffect, useLayoutEffect, useMemo } from 'react';
import type { ItemDetail } from '../../shared/desk-api';
import type { KeymapActionId } from '../../shared/keymap';
import { ActionHints } from '../components/ActionHints';
import { CorrectEditor } from '../components/CorrectEditor';
import { HistoryList } from '../components/HistoryList';
import { ItemHeader } from '../components/ItemHeader';
import { ReadableValue } from '../components/ReadableValue';
import { ReasonsList } from '../components/ReasonsList';
import { runAction } from '../keyboard/actions';
import { usePace } from '../hooks/use-pace';
import { paceText } from '../logic/pace';
import { escalateRefusal } from '../../shared/escalation';
import { useApp } from '../state/app-store';
import { useStore } from 'zustand';
import { drafts, type ItemDrafts } from '../state/drafts';
import { runSyncNow } from '../state/sync-actions';
import { reportFirstItemPainted, reportNoFirstItem } from '../state/startup-marks';
import { acknowledge, ensureItem, useTriage } from '../state/triage-store';
import type { Departed } from '../state/triage-model';

// Keys not offered on an item, as constants: the hint bar (memoized) re-renders only when they change.
const HIDE_NONE: readonly string[] = [];
const HIDE_ESCALATE: readonly string[] = ['decide.escalate'];
const runHint = (action: string) => runAction(action as KeymapActionId);

/**
 * The focused item: what it is, why it is an exception, input beside output, notes and history.
 *
 * Keypress -> next item painted within one frame (issue 14): a decision changes `current` only, so the
 * commit that paints the next item renders the item body and nothing else; the position line, the pace
 * and the hint bar subscribe to their own slices and re-render when those change (a look-ahead refill,
 * the pace answer, a remap), never as part of the whole view.
 */
export function TriageView() {
  const current = useTriage((s) => s.current);
  const loading = useTriage((s) => s.loading);
  const empty = useTriage((s) => s.empty);
  const departed = useTriage((s) => s.departed);
  const id = current?.item.id;

  useEffect(() => {
    void ensureItem();
  }, []);

  // The UI bench's "next item painted" mark: set in the commit that shows the item.
  useLayoutEffect(() => {
    if (id) {
      document.body.dataset.focusedItemId = id;
      reportFirstItemPainted();
    } else delete document.body.dataset.focusedItemId;
  }, [id]);
  useEffect(() => () => void delete document.body.dataset.focusedItemId, []);
  useEffect(() => {
    if (empty) reportNoFirstItem();
  }, [empty]);

  const me = useApp((s) => s.session?.user?.id ?? null);
  // The correct editor opens beside the item (issue 14 item 1): the item stays readable.
  const correcting = useApp((s) => s.overlay?.kind === 'correct');
  // The item's owner is not offered escalate (issue 14 item 11): it would go to themself.
  const escalateRefused = current ? escalateRefusal(current.queue, current.item.status, me) !== null : false;
  const itemDrafts = useStore(drafts.store, (s) => (id ? s.byItem[id] : undefined));

  if (!current) {
    return (
      <section className="view triage-view" data-testid="view-triage" aria-label="Triage" aria-busy={loading}>
        {empty ? (
          <div className="empty-state" data-testid="triage-empty">
            <h1>Queue clear</h1>
            <p className="muted">Nothing assigned to you right now. New items arrive with the next sync.</p>
            <button type="button" className="btn" onClick={() => void runSyncNow()}>
              Sync now
            </button>
          </div>
        ) : (
          <div className="empty-state muted" data-testid="triage-loading">
            Loading…
          </div>
        )}
      </section>
    );
  }

  const { item } = current;
  return (
    <section className={`view triage-view${correcting ? ' triage-view-split' : ''}`} data-testid="view-triage" aria-label="Triage">
      <article
        className={`triage-item${departed ? ' triage-item-departed' : ''}`}
        data-testid="triage-item"
        data-item-id={item.id}
        data-departed={departed ? departed.departure : undefined}
        aria-labelledby="triage-title-h"
      >
        <div id="triage-title-h" className="sr-only">
          {item.title}
        </div>
        <ItemHeader detail={current} />
        {!departed && <TriagePosition itemId={item.id} />}
        <DraftMarks itemDrafts={itemDrafts} />
        {departed ? <DepartedNotice departed={departed} /> : <ActionHints onRun={runHint} hide={escalateRefused ? HIDE_ESCALATE : HIDE_NONE} />}
        <ItemBody detail={current} />
      </article>
      {correcting && <CorrectEditor key={item.id} />}
    </section>
  );
}

/**
 * "12 of 50 · 38 after this one · ~25 min at your pace · 3 decided here" (issue 14 item 7): its own slice of the
 * store. The count of decisions says an approval counted even when a sync refilled the queue behind it.
 */
function TriagePosition({ itemId }: { itemId: string }) {
  const position = useTriage((s) => s.position);
  const total = useTriage((s) => s.total);
  const decided = useTriage((s) => s.decided);
  const perItem = usePace(itemId);
  if (position === null || total === null) return null;
  const pace = paceText(total - position, perItem);
  return (
    <p className="triage-position muted" data-testid="triage-position" data-position={position + 1} data-total={total} data-minutes-per-item={perItem ?? undefined} data-decided={decided}>
      {position + 1} of {total} · {total - position - 1} after this one
      {pace && <span data-testid="triage-pace"> · {pace}</span>}
      {decided > 0 && <span data-testid="triage-decided"> · {decided.toLocaleString('en')} decided here</span>}
    </p>
  );
}

/** Why it needs you, input beside output, notes and history: rendered again only for another detail. */
const ItemBody = memo(function ItemBody({ detail }: { detail: ItemDetail }) {
  const { item } = detail;
  const flagged = useMemo(() => new Set(item.reasons.map((r) => r.field).filter((f): f is string => !!f)), [item.reasons]);
  return (
    <>
      <section className="panel" aria-labelledby="reasons-h">
        <h2 id="reasons-h" className="panel-title">
          Why it needs you
        </h2>
        <ReasonsList reasons={item.reasons} />
      </section>
      <div className="io-grid">
        <section className="panel" aria-labelledby="input-h" data-testid="triage-input">
          <h2 id="input-h" className="panel-title">
            Input
          </h2>
          <ReadableValue value={item.input} highlight={flagged} />
        </section>
        <section className="panel panel-output" aria-labelledby="output-h" data-testid="triage-output">
          <h2 id="output-h" className="panel-title">
            AI output
          </h2>
          <ReadableValue value={item.output} highlight={flagged} />
        </section>
      </div>
      <section className="panel" aria-labelledby="history-h">
        <h2 id="history-h" className="panel-title">
          Notes and history
        </h2>
        <HistoryList detail={detail} />
      </section>
    </>
  );
});

/**
 * Stands in for the decision keys when the shown item left under the reviewer (issue 8 item 1): the
 * item stays readable, and the next decision or move key acknowledges this instead of deciding.
 */
function DepartedNotice({ departed }: { departed: Departed }) {
  const changed = departed.departure === 'changed';
  return (
    <div className="departed-notice" role="alert" data-testid="triage-departed" data-departure={departed.departure} data-armed={departed.armed}>
      <p>
        <strong>{departed.text}</strong> Nothing was decided on it.{' '}
        {changed ? 'The next key shows its current version.' : 'The next key moves on to your next item.'}
      </p>
      <button type="button" className="btn" data-testid="triage-departed-continue" onClick={() => void acknowledge({ force: true })}>
        {changed ? 'Show current version' : 'Continue'}
      </button>
    </div>
  );
}

/** Typed work kept for this item (issue 14 item 2), so the reviewer knows it is there to come back to. */
function DraftMarks({ itemDrafts }: { itemDrafts: ItemDrafts | undefined }) {
  if (!itemDrafts) return null;
  const kept = [itemDrafts.note !== undefined && 'a note (n)', itemDrafts.correct !== undefined && 'a correction (c)', itemDrafts.reason !== undefined && 'a reason comment'].filter(Boolean);
  if (!kept.length) return null;
  return (
    <p className="triage-drafts muted" data-testid="triage-drafts">
      Draft kept: {kept.join(' and ')}
    </p>
  );
}
