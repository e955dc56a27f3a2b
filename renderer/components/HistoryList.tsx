import { formatLaborMs } from '../../shared/durations';
import { format } from 'date-fns';
import type { ItemDetail } from '../../shared/desk-api';

interface Entry {
  at: string;
  who: string;
  text: string;
  tag: string;
}

const STATE_LABEL: Record<string, string> = {
  pending: 'not sent yet',
  sent: 'sent',
  settled: 'synced',
  conflict: 'conflict',
  rejected: 'rejected by server',
};

function summary(payload: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof payload.reasonCode === 'string') parts.push(payload.reasonCode);
  if (typeof payload.exceptionClass === 'string') parts.push(`→ ${payload.exceptionClass}`);
  if (typeof payload.text === 'string') parts.push(payload.text);
  if (typeof payload.comment === 'string') parts.push(payload.comment);
  return parts.join(' · ');
}

function entries(detail: ItemDetail): Entry[] {
  const { item, decisions } = detail;
  const out: Entry[] = [{ at: item.enqueuedAt, who: item.source, text: 'Raised as an exception', tag: 'enqueued' }];
  if (item.escalation) {
    out.push({ at: item.escalation.at, who: item.escalation.by, text: `Escalated · ${item.escalation.reasonCode}${item.escalation.comment ? ` · ${item.escalation.comment}` : ''}`, tag: 'escalate' });
  }
  for (const n of item.notes) out.push({ at: n.at, who: n.by, text: n.text, tag: 'note' });
  if (item.outcome) out.push({ at: item.outcome.at, who: item.outcome.by, text: `Outcome: ${item.outcome.kind}${item.outcome.reasonCode ? ` · ${item.outcome.reasonCode}` : ''}`, tag: item.outcome.kind });
  for (const d of decisions) {
    // Notes already synced appear in item.notes too; show this desk's copy only while unsettled.
    if (d.kind === 'note' && d.state === 'settled') continue;
    const labor = d.labor ? ` · ${formatLaborMs(d.labor.activeMs)} active` : '';
    const detailText = summary(d.payload);
    out.push({ at: d.at, who: 'you', text: `${d.kind}${detailText ? ` · ${detailText}` : ''}${labor} (${STATE_LABEL[d.state] ?? d.state})`, tag: d.kind });
  }
  return out.sort((a, b) => a.at.localeCompare(b.at));
}

/** Notes and history: the item's notes, escalation and outcome, and this desk's decisions. */
export function HistoryList({ detail }: { detail: ItemDetail }) {
  const list = entries(detail);
  return (
    <ol className="history" data-testid="triage-history" aria-label="Notes and history">
      {list.map((e, i) => (
        <li key={i} className={`history-entry tag-${e.tag}`}>
          <time dateTime={e.at}>{format(new Date(e.at), 'MMM d, HH:mm')}</time>
          <span className="history-who">{e.who}</span>
          <span className="history-text">{e.text}</span>
        </li>
      ))}
    </ol>
  );
}
