// Design signals and the operations scorecard (DESIGN §8): each signal with its evidence (the rule with its
// numbers, n, interval), the items behind it (read-only item view), the minutes a week it would save; an
// owner accepts it (an action item in the weekly review) or dismisses it, with a reason. The scorecard
// answers the five questions per workflow, green / amber / red (in words, not only in colour) with evidence.
import { useState } from 'react';
import type { DesignSignal, ScorecardAnswer } from '../../../shared/ops-api';
import type { OpsWindow } from '../../../shared/ops-windows';
import { errorMessage } from '../../desk/desk-error';
import { pushToast, useApp } from '../../state/app-store';
import { desk } from '../../state/desk';
import { useOpsRead } from '../../state/ops-store';
import { ExplainPanel, ItemsDialog, useExplain, type Explained } from './FigureExplain';
import { OpsViewHead } from './OpsViewHead';

const REFRESH_MS = 60_000;
const fmt = (v: number, unit: 'percent' | 'minutes') => (unit === 'percent' ? `${v.toLocaleString('en', { maximumFractionDigits: 1 })} %` : `${v.toLocaleString('en', { maximumFractionDigits: 1 })} min`);

const signalFigure = (s: DesignSignal): Explained => ({
  label: s.title, metric: s.metric, value: fmt(s.evidence.value, s.evidence.unit), n: s.evidence.n, interval: s.evidence.interval,
  recompute: s.evidence.recompute, note: s.evidence.rule,
});
const answerFigure = (workflow: string, a: ScorecardAnswer): Explained => ({
  label: `${workflow}: ${a.text}`, metric: 'scorecard', definition: a.definition, formula: 'met ÷ n × 100', note: a.detail,
  value: a.percent === null ? '—' : `${a.percent.toLocaleString('en', { maximumFractionDigits: 1 })} % (${a.rating})`,
  n: a.n, interval: a.interval, recompute: a.recompute,
});

export function SignalsView() {
  const [win, setWin] = useState<OpsWindow>('28d');
  const signals = useOpsRead('ops.signals', { window: win }, REFRESH_MS);
  const scorecard = useOpsRead('ops.scorecard', { window: win }, REFRESH_MS);
  const { figure, explain, items, openItems, closeItems } = useExplain();
  const roles = useApp((s) => s.session?.user?.roles ?? []);
  const me = useApp((s) => s.session?.user?.id ?? null);
  const list = signals.value?.data.signals ?? [];
  const mayDecide = (s: DesignSignal) => roles.includes('admin') || (roles.includes('owner') && me !== null && s.ownerIds.includes(me));

  return (
    <section className="view ops-view" data-testid="view-signals" aria-labelledby="signals-h">
      <OpsViewHead headingId="signals-h" title="Design signals" win={win} onWindow={setWin} windowTestId="signals-window"
        freshness={signals.value?.freshness} loading={signals.loading} error={signals.error ?? scorecard.error} />
      <section className="panel" aria-labelledby="signals-list-h">
        <h2 id="signals-list-h" className="panel-title">Signals ({list.length})</h2>
        {signals.value && list.length === 0 && <p className="muted" data-testid="signals-empty">No signal fired over this window.</p>}
        <ul className="signal-list" data-testid="signals-list">
          {list.map((s) => (
            <SignalCard key={s.id} signal={s} mayDecide={mayDecide(s)} onExplain={() => explain(signalFigure(s))} onItems={() => s.evidence.recompute.itemIds.length > 0 && openItems(signalFigure(s))}
              onDecided={() => signals.reload()} />
          ))}
        </ul>
      </section>
      <ExplainPanel figure={figure} onOpenItems={openItems} />
      <section className="panel" aria-labelledby="scorecard-h" data-testid="scorecard">
        <h2 id="scorecard-h" className="panel-title">Operations scorecard</h2>
        {scorecard.value?.data.workflows.map((w) => (
          <div key={w.workflow} className="ops-table-wrap" tabIndex={0} role="region" aria-label={`Scorecard of ${w.workflow}`}>
            <table className="ops-table" data-testid="scorecard-workflow" data-workflow={w.workflow}>
              <caption className="panel-title">{w.workflow} · owners {w.ownerIds.join(', ') || 'none'}</caption>
              <thead>
                <tr>
                  <th scope="col">Question</th>
                  <th scope="col">Answer</th>
                  <th scope="col">Share</th>
                  <th scope="col">Evidence</th>
                </tr>
              </thead>
              <tbody>
                {w.answers.map((a) => (
                  <tr key={a.question} data-testid="scorecard-answer" data-question={a.question} data-rating={a.rating}>
                    <th scope="row">{a.text}</th>
                    <td>
                      <span className={`rating rating-${a.rating}`}>{a.rating}</span>
                    </td>
                    <td>
                      <button type="button" className="sort-btn" onFocus={() => explain(answerFigure(w.workflow, a))} onClick={() => a.recompute.itemIds.length > 0 && openItems(answerFigure(w.workflow, a))}>
                        {a.percent === null ? '—' : `${Math.round(a.percent)} %`} ({a.met}/{a.n})
                      </button>
                    </td>
                    <td className="muted">{a.detail}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      </section>
      {items && <ItemsDialog figure={items} onClose={closeItems} />}
    </section>
  );
}

function SignalCard({ signal: s, mayDecide, onExplain, onItems, onDecided }: {
  signal: DesignSignal; mayDecide: boolean; onExplain: () => void; onItems: () => void; onDecided: () => void;
}) {
  const [deciding, setDeciding] = useState<'accept' | 'dismiss' | null>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const send = async () => {
    if (!deciding) return;
    if (!reason.trim()) return setError('Give a reason.');
    try {
      await desk().call('ops.decideSignal', { signalId: s.id, decision: deciding, reason: reason.trim() });
      pushToast(deciding === 'accept' ? `Accepted: “${s.title}” is an action item of this week's review` : `Dismissed: ${s.title}`, 'success');
      setDeciding(null);
      setReason('');
      onDecided();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <li className="signal" data-testid="signal" data-signal-id={s.id} data-status={s.status} data-kind={s.kind}>
      <div className="signal-head">
        <button type="button" className="sort-btn signal-title" onFocus={onExplain} onMouseEnter={onExplain} onClick={onItems} data-testid="signal-items"
          aria-label={`${s.title}: open the ${s.evidence.recompute.itemIdsTotal} items behind it`}>
          {s.title}
        </button>
        <span className={`pill signal-status-${s.status}`} data-testid="signal-status">{s.status}</span>
      </div>
      <p>{s.summary}</p>
      <p className="muted" data-testid="signal-evidence">
        {s.evidence.rule} · n = {s.evidence.n.toLocaleString('en')} · {s.evidence.recompute.itemIdsTotal.toLocaleString('en')} items behind it
      </p>
      <p>
        Saves about <strong data-testid="signal-minutes">{Math.round(s.minutesPerWeekSaved).toLocaleString('en')}</strong> minutes a week <span className="muted">({s.savedBasis})</span>
      </p>
      {s.decision && (
        <p className="muted" data-testid="signal-decision">
          {s.decision.decision === 'accept' ? 'Accepted' : 'Dismissed'} by {s.decision.by}: “{s.decision.reason}”
        </p>
      )}
      {mayDecide && !deciding && (
        <div className="ops-controls">
          <button type="button" className="btn btn-sm" onClick={() => { setDeciding('accept'); setError(null); }} data-testid="signal-accept">Accept…</button>
          <button type="button" className="btn btn-sm" onClick={() => { setDeciding('dismiss'); setError(null); }} data-testid="signal-dismiss">Dismiss…</button>
        </div>
      )}
      {deciding && (
        <form className="override-form" onSubmit={(e) => { e.preventDefault(); void send(); }} aria-label={`${deciding === 'accept' ? 'Accept' : 'Dismiss'} ${s.title}`}>
          <label className="override-reason">
            {deciding === 'accept' ? 'Why accept (it becomes an action item)' : 'Why dismiss'}
            <input className="input" autoFocus value={reason} onChange={(e) => setReason(e.target.value)} data-testid="signal-reason" maxLength={4000}
              onKeyDown={(e) => { if (e.key === 'Escape') { e.stopPropagation(); setDeciding(null); } }} />
          </label>
          {error && <p className="error" role="alert" data-testid="signal-error">{error}</p>}
          <div className="ops-controls">
            <button type="submit" className="btn btn-primary btn-sm" data-testid="signal-send">{deciding === 'accept' ? 'Accept' : 'Dismiss'}</button>
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setDeciding(null)}>Cancel</button>
          </div>
        </form>
      )}
    </li>
  );
}
