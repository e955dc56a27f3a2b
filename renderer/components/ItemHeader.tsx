import type { ItemDetail } from '../../shared/desk-api';
import { ClassBadge } from './ClassBadge';
import { ConfidenceMeter } from './ConfidenceMeter';
import { SlaBadge } from './SlaBadge';

const LOCAL_LABEL: Record<string, string> = { pending: 'Decided here, not synced', synced: 'Synced', conflict: 'In conflict' };

/** Title and the facts a reviewer decides by: class, workflow / stage, queue, SLA, confidence. */
export function ItemHeader({ detail }: { detail: ItemDetail }) {
  const { item, queue, localState } = detail;
  return (
    <header className="item-header">
      <div className="item-meta">
        <ClassBadge value={item.exceptionClass} testId="triage-class" />
        <span className="meta-sep" aria-hidden="true" />
        <span className="meta" data-testid="triage-workflow">
          {item.workflow} <span aria-hidden="true">/</span>
          <span className="sr-only"> stage </span> {item.stage}
        </span>
        {queue && (
          <>
            <span className="meta-sep" aria-hidden="true" />
            <span className="meta">
              {queue.name} · owner {queue.ownerName}
            </span>
          </>
        )}
        {item.status === 'escalated' && <span className="pill pill-warn">Escalated</span>}
        {localState !== 'none' && <span className={`pill pill-${localState}`}>{LOCAL_LABEL[localState]}</span>}
      </div>
      <h1 className="item-title" data-testid="triage-title">
        {item.title}
      </h1>
      {item.summary && <p className="item-summary">{item.summary}</p>}
      <div className="item-facts">
        <SlaBadge enqueuedAt={item.enqueuedAt} slaDueAt={item.slaDueAt} targetMinutes={queue?.slaTargetMinutes} testId="triage-sla" />
        <ConfidenceMeter value={item.confidence} testId="triage-confidence" />
        <span className="meta muted">
          {item.source} · {item.externalId}
        </span>
      </div>
    </header>
  );
}
