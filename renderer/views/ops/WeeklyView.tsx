// The weekly review (DESIGN §8): an owner's pack for an ISO week, readable on screen (SLA per control point,
// breaches, rework, exception tax, top reason codes, design signals, alerts, rollbacks, action items), marked
// reviewed with notes and action items, exported as Markdown or CSV (the server makes the file with the
// shared export functions; saved through the shell or downloaded) and printable (print stylesheet).
import { useEffect, useMemo, useState } from 'react';
import type { WeeklyReviewPack } from '../../../shared/ops-api';
import { errorMessage } from '../../desk/desk-error';
import { printToPdf, saveFile, type SaveResult } from '../../desk/save-file';
import { pushToast, useApp } from '../../state/app-store';
import { desk } from '../../state/desk';
import { useOpsRead } from '../../state/ops-store';
import { Freshness } from './Freshness';
import { formatMinutes, formatMoney, formatPercent } from './tax-figures';

export function WeeklyView() {
  const roles = useApp((s) => s.session?.user?.roles ?? []);
  const me = useApp((s) => s.session?.user?.id ?? null);
  const isOwner = roles.includes('owner');
  const [owners, setOwners] = useState<string[]>([]);
  const [ownerId, setOwnerId] = useState<string | null>(isOwner ? me : null);
  const [week, setWeek] = useState<string | undefined>(undefined);
  useEffect(() => {
    void desk().call('queue.list', {}).then((r) => {
      const all = [...new Set(r.queues.map((q) => q.ownerId))].sort();
      setOwners(all);
      setOwnerId((o) => o ?? all[0] ?? null);
    }).catch(() => undefined);
  }, []);
  const input = useMemo(() => ({ ...(week ? { week } : {}), ...(ownerId && ownerId !== me ? { ownerId } : {}) }), [week, ownerId, me]);
  const read = useOpsRead('ops.weekly', input, 0);
  const pack = read.value?.data.pack ?? null;
  const weeks = read.value?.data.weeks ?? [];
  const mayMark = pack !== null && (roles.includes('admin') || (isOwner && pack.ownerId === me));

  const exportAs = async (format: 'md' | 'csv') => {
    if (!pack) return;
    try {
      const file = await desk().call('ops.weeklyExport', { week: pack.week, format, ...(pack.ownerId !== me ? { ownerId: pack.ownerId } : {}) });
      tellSaved(await saveFile(file), `Saved ${file.filename}`);
    } catch (e) {
      pushToast(`Export failed: ${errorMessage(e)}`, 'error');
    }
  };

  // In Electron a save dialog then printToPDF (the print stylesheet applies); in a browser, its print dialog.
  const print = async () => {
    if (!pack) return;
    try {
      tellSaved(await printToPdf(`weekly-review-${pack.ownerId}-${pack.week}.pdf`), null);
    } catch (e) {
      pushToast(`Print failed: ${errorMessage(e)}`, 'error');
    }
  };

  return (
    <section className="view ops-view weekly" data-testid="view-weekly" aria-labelledby="weekly-h">
      <header className="view-head">
        <h1 id="weekly-h">Weekly review</h1>
        <label className="ops-controls">
          <span className="muted">Week</span>
          <select className="select" value={pack?.week ?? week ?? ''} onChange={(e) => setWeek(e.target.value)} data-testid="weekly-week">
            {weeks.map((w) => <option key={w} value={w}>{w}</option>)}
          </select>
        </label>
        {!isOwner || roles.includes('supervisor') || roles.includes('admin') ? (
          <label className="ops-controls">
            <span className="muted">Owner</span>
            <select className="select" value={ownerId ?? ''} onChange={(e) => setOwnerId(e.target.value)} data-testid="weekly-owner">
              {owners.map((o) => <option key={o} value={o}>{o}</option>)}
            </select>
          </label>
        ) : null}
        <Freshness freshness={read.value?.freshness} loading={read.loading} />
        <div className="ops-controls ops-no-print">
          <button type="button" className="btn btn-sm" onClick={() => void exportAs('md')} disabled={!pack} data-testid="weekly-export-md">Export Markdown</button>
          <button type="button" className="btn btn-sm" onClick={() => void exportAs('csv')} disabled={!pack} data-testid="weekly-export-csv">Export CSV</button>
          <button type="button" className="btn btn-sm" onClick={() => void print()} disabled={!pack} data-testid="weekly-print">Print / Save as PDF</button>
        </div>
      </header>
      {read.error && <p className="error" role="alert" data-testid="ops-error">{read.error.message}</p>}
      {pack && <Pack pack={pack} />}
      {pack && mayMark && <MarkReviewed pack={pack} onMarked={() => read.reload()} />}
    </section>
  );
}

/** A toast for a save: the shell's answer in its own words, or `downloaded` for a browser download. */
function tellSaved(r: SaveResult, downloaded: string | null): void {
  if (r.answer) pushToast(r.answer.message, r.answer.status === 'saved' ? 'success' : r.answer.status === 'error' ? 'error' : 'info');
  else if (r.via === 'download' && downloaded) pushToast(downloaded, 'success');
}

function Pack({ pack }: { pack: WeeklyReviewPack }) {
  const r = pack.rework;
  return (
    <article className="weekly-pack" data-testid="weekly-pack" data-week={pack.week} data-owner-id={pack.ownerId}>
      <p data-testid="weekly-status">
        {pack.ownerId} · {pack.week} ({pack.interval.from.slice(0, 10)} – {pack.interval.to.slice(0, 10)}) ·{' '}
        {pack.review ? <strong>Reviewed by {pack.review.reviewedBy}, {new Date(pack.review.reviewedAt).toLocaleString()}</strong> : 'Not reviewed yet'}
      </p>
      <section className="panel" aria-labelledby="wk-sla-h">
        <h2 id="wk-sla-h" className="panel-title">SLA per control point</h2>
        <div className="ops-table-wrap" tabIndex={0} role="region" aria-label="SLA per control point">
          <table className="ops-table" data-testid="weekly-sla">
            <thead>
              <tr><th scope="col">Queue</th><th scope="col">% within SLA</th><th scope="col">n</th><th scope="col">Breached open</th><th scope="col">Approval latency p90</th></tr>
            </thead>
            <tbody>
              {pack.controlPoints.map((c) => (
                <tr key={c.queueId} data-testid="weekly-sla-row" data-queue-id={c.queueId}>
                  <th scope="row">{c.queueId}</th>
                  <td>{formatPercent(c.withinSla.percent.value)}</td>
                  <td>{c.withinSla.percent.n}</td>
                  <td>{c.breachedWhileOpen.value ?? 0}</td>
                  <td>{formatMinutes(c.approvalLatency.p90)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p data-testid="weekly-breaches">Breaches in the week: {pack.breaches.length}</p>
      </section>
      <section className="panel" aria-labelledby="wk-rework-h">
        <h2 id="wk-rework-h" className="panel-title">Rework</h2>
        <p data-testid="weekly-rework">
          {r.reverts} reverts · {r.overrides} overrides · {r.rolledBack} rolled back · {r.corrections} corrections, of {r.outcomes} outcomes: {formatPercent(r.rate.value)}
        </p>
      </section>
      <section className="panel" aria-labelledby="wk-tax-h">
        <h2 id="wk-tax-h" className="panel-title">Exception tax</h2>
        <div className="ops-table-wrap" tabIndex={0} role="region" aria-label="Exception tax per queue">
          <table className="ops-table" data-testid="weekly-tax">
            <thead>
              <tr><th scope="col">Queue</th><th scope="col">Outcomes</th><th scope="col">Tax per outcome</th><th scope="col">Cost to completion</th><th scope="col">Without exceptions</th></tr>
            </thead>
            <tbody>
              {pack.exceptionTax.map((g) => (
                <tr key={`${g.key}-${g.currency ?? ''}`}>
                  <th scope="row">{g.key}</th>
                  <td>{g.outcomes}</td>
                  <td>{formatMoney(g.taxPerOutcome.value, g.currency)}</td>
                  <td>{formatMoney(g.costToCompletion.value, g.currency)}</td>
                  <td>{formatMoney(g.costToCompletionWithoutExceptions.value, g.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <div className="ops-grid-2">
        <section className="panel" aria-labelledby="wk-reasons-h">
          <h2 id="wk-reasons-h" className="panel-title">Top reason codes</h2>
          <ol data-testid="weekly-reasons">
            {pack.topReasonCodes.slice(0, 10).map((t) => <li key={`${t.queueId}/${t.reasonCode}`}>{t.reasonCode} ({t.queueId}): {t.count}</li>)}
          </ol>
        </section>
        <section className="panel" aria-labelledby="wk-signals-h">
          <h2 id="wk-signals-h" className="panel-title">Design signals</h2>
          <p data-testid="weekly-signals">{pack.signals.open.length} open · {pack.signals.accepted.length} accepted · {pack.signals.dismissed.length} dismissed</p>
          <ul>
            {pack.signals.open.map((s) => <li key={s.id}>{s.title}</li>)}
          </ul>
        </section>
        <section className="panel" aria-labelledby="wk-alerts-h">
          <h2 id="wk-alerts-h" className="panel-title">Alerts and rollbacks</h2>
          <p data-testid="weekly-alerts">{pack.alerts.length} alert(s) · {pack.rollbacks.length} rollback(s)</p>
          <ul>
            {pack.rollbacks.map((b) => <li key={b.rollbackId}>{b.rollbackId}: {b.reverted} of {b.total} reverted, by {b.by} — {b.reason}</li>)}
          </ul>
        </section>
        <section className="panel" aria-labelledby="wk-actions-h">
          <h2 id="wk-actions-h" className="panel-title">Action items</h2>
          {pack.actionItems.length === 0 ? <p className="muted">None yet.</p> : (
            <ul data-testid="weekly-actions">
              {pack.actionItems.map((a, i) => <li key={i} data-source={a.source}>{a.text}{a.dueDate ? ` (due ${a.dueDate})` : ''}</li>)}
            </ul>
          )}
        </section>
      </div>
      {pack.review && (
        <section className="panel" aria-labelledby="wk-notes-h">
          <h2 id="wk-notes-h" className="panel-title">Review notes</h2>
          <p data-testid="weekly-notes" className="weekly-notes">{pack.review.notes}</p>
        </section>
      )}
    </article>
  );
}

function MarkReviewed({ pack, onMarked }: { pack: WeeklyReviewPack; onMarked: () => void }) {
  const [notes, setNotes] = useState(pack.review?.notes ?? '');
  const [actions, setActions] = useState((pack.review?.actionItems ?? []).map((a) => a.text).join('\n'));
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    try {
      const actionItems = actions.split('\n').map((t) => t.trim()).filter(Boolean).map((text) => ({ text }));
      const r = await desk().call('ops.markWeekly', { week: pack.week, notes, actionItems, ...(pack.ownerId !== useApp.getState().session?.user?.id ? { ownerId: pack.ownerId } : {}) });
      pushToast(r.recorded ? `${pack.week} marked reviewed` : `${pack.week} was already marked with these notes`, 'success');
      setError(null);
      onMarked();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <form className="panel override-form ops-no-print" aria-label="Mark the week reviewed" data-testid="weekly-mark" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <label className="override-reason">
        Notes
        <textarea className="input" rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} data-testid="weekly-notes-input" maxLength={20_000} />
      </label>
      <label className="override-reason">
        Action items (one a line)
        <textarea className="input" rows={3} value={actions} onChange={(e) => setActions(e.target.value)} data-testid="weekly-actions-input"
          onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); void submit(); } }} />
      </label>
      {error && <p className="error" role="alert">{error}</p>}
      <button type="submit" className="btn btn-primary" data-testid="weekly-mark-submit">Mark reviewed <kbd className="kbd">Ctrl</kbd>+<kbd className="kbd">Enter</kbd></button>
    </form>
  );
}
