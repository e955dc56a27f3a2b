// Tripped rollback triggers, as alerts for the owner: the rule, the evidence, and the proposed filter,
// which opens the guided rollback prefilled. Acknowledging is an event on the server.
import { format } from 'date-fns';
import type { RollbackAlert } from '../../../shared/ops-api';
import { errorMessage } from '../../desk/desk-error';
import { pushToast, useApp } from '../../state/app-store';
import { desk } from '../../state/desk';
import { loadOps, useOpsRead } from '../../state/ops-store';
import { Freshness } from './Freshness';

const NO_INPUT = {} as const;

function ruleText(a: RollbackAlert): string {
  const r = a.rule;
  return r.kind === 'corrections_count'
    ? `≥ ${r.atLeast} downstream corrections in ${r.windowHours} h`
    : `correction rate ≥ ${r.atLeastPercent} % of approvals over ${r.windowDays} days`;
}

export function AlertsPanel({ onRollback }: { onRollback: (a: RollbackAlert) => void }) {
  const read = useOpsRead('ops.alerts', NO_INPUT, 30_000);
  const queues = useApp((s) => s.queues);
  const alerts = read.value?.data.alerts ?? [];
  const ack = async (a: RollbackAlert) => {
    try {
      await desk().call('ops.ackAlert', { alertId: a.id });
      pushToast('Alert acknowledged', 'success');
      await loadOps('ops.alerts', NO_INPUT);
    } catch (e) {
      pushToast(`Acknowledge failed: ${errorMessage(e)}`, 'error');
    }
  };
  if (!read.value && !read.error) return null;
  return (
    <section className="panel" aria-labelledby="alerts-h" data-testid="ops-alerts">
      <h2 id="alerts-h" className="panel-title">
        Rollback alerts
        <span className="panel-hint">
          <Freshness freshness={read.value?.freshness} />
        </span>
      </h2>
      {read.error && <p className="error" role="alert">{read.error.message}</p>}
      {read.value && alerts.length === 0 && <p className="muted">No rollback trigger has tripped.</p>}
      <ul className="alert-list" aria-live="polite">
        {alerts.map((a) => (
          <li key={a.id} className="alert-row" data-testid="ops-alert" data-alert-id={a.id}>
            <strong>{queues.find((q) => q.id === a.queueId)?.name ?? a.queueId}</strong>: {ruleText(a)} — tripped {format(new Date(a.trippedAt), 'MMM d, HH:mm')}.
            <span className="tile-sub">
              {' '}
              Evidence: {a.evidence.corrections} corrections
              {a.evidence.ratePercent !== null ? ` (${Math.round(a.evidence.ratePercent * 10) / 10} % of ${a.evidence.approvals} approvals)` : ''} between{' '}
              {format(new Date(a.evidence.windowFrom), 'MMM d, HH:mm')} and {format(new Date(a.evidence.windowTo), 'MMM d, HH:mm')}.
            </span>
            <div className="ops-controls">
              <button type="button" className="btn btn-sm btn-primary" onClick={() => onRollback(a)} data-testid="ops-alert-rollback">
                Roll back with the proposed filter…
              </button>
              <button type="button" className="btn btn-sm" onClick={() => void ack(a)} data-testid="ops-alert-ack">
                Acknowledge
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
