import type { ExceptionReason } from '../../shared/domain';

/** Why the item is an exception: policy hits, failed checks, rules, low scores. */
export function ReasonsList({ reasons }: { reasons: ExceptionReason[] }) {
  if (reasons.length === 0) return <p className="muted">No reasons recorded.</p>;
  return (
    <ul className="reasons" data-testid="triage-reasons" aria-label="Reasons">
      {reasons.map((r, i) => (
        <li key={`${r.code}-${i}`} className={`reason sev-${r.severity}`}>
          <span className="reason-sev">{r.severity}</span>
          <span className="reason-code">{r.code}</span>
          <span className="reason-msg">{r.message}</span>
          {r.field && <span className="reason-field">field: {r.field}</span>}
        </li>
      ))}
    </ul>
  );
}
