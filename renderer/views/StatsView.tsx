import { useEffect, useState } from 'react';
import type { TodayStats } from '../../shared/desk-api';
import { errorMessage } from '../desk/desk-error';
import { formatLaborMinutes } from '../../shared/durations';
import { useApp } from '../state/app-store';
import { desk } from '../state/desk';

function Figure({ label, value, testId, hint }: { label: string; value: string; testId: string; hint?: string }) {
  return (
    <div className="figure" data-testid={testId}>
      <dt>{label}</dt>
      <dd>
        <span className="figure-value">{value}</span>
        {hint && <span className="figure-hint">{hint}</span>}
      </dd>
    </div>
  );
}

const fmt = (n: number | null, digits = 1) => (n === null ? '—' : n.toLocaleString(undefined, { maximumFractionDigits: digits }));

/** My day: today's outcomes and the labor they took (stats.today). */
export function StatsView() {
  const [stats, setStats] = useState<TodayStats | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pending = useApp((s) => s.sync?.pending);

  useEffect(() => {
    let live = true;
    desk()
      .call('stats.today', {})
      .then((s) => live && (setStats(s), setError(null)))
      .catch((e) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [pending]);

  return (
    <section className="view stats-view" data-testid="view-stats" aria-labelledby="stats-h">
      <header className="view-head">
        <h1 id="stats-h">My day</h1>
        {stats && <span className="muted">{stats.day}</span>}
      </header>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {stats && (
        <>
          <dl className="figures">
            <Figure label="Outcomes" value={fmt(stats.totalOutcomes, 0)} testId="stats-total-outcomes" />
            <Figure label="Labor per outcome" value={formatLaborMinutes(stats.laborMinutesPerOutcome)} testId="stats-labor-per-outcome" hint="Active labor ÷ outcomes" />
            <Figure label="Active labor" value={formatLaborMinutes(stats.laborMinutes)} testId="stats-labor" hint="Rework not included" />
            <Figure label="Rework labor" value={formatLaborMinutes(stats.reworkLaborMinutes)} testId="stats-rework" hint={`${stats.reverts} ${stats.reverts === 1 ? 'revert' : 'reverts'}`} />
            <Figure label="Escalations" value={fmt(stats.escalations, 0)} testId="stats-escalations" />
            <Figure label="Defers" value={fmt(stats.defers, 0)} testId="stats-defers" />
          </dl>
          <section className="panel" aria-labelledby="mix-h">
            <h2 id="mix-h" className="panel-title">
              Outcome mix
            </h2>
            <table className="mix-table" data-testid="stats-mix">
              <thead>
                <tr>
                  <th scope="col">Outcome</th>
                  <th scope="col">Count</th>
                  <th scope="col">Share</th>
                </tr>
              </thead>
              <tbody>
                {(['approve', 'reject', 'correct'] as const).map((k) => {
                  const n = stats.outcomes[k];
                  const share = stats.totalOutcomes ? n / stats.totalOutcomes : 0;
                  return (
                    <tr key={k} data-outcome={k}>
                      <th scope="row">{k[0].toUpperCase() + k.slice(1)}</th>
                      <td>{n.toLocaleString()}</td>
                      <td>
                        <span className="share-bar" aria-hidden="true">
                          <span className={`share-fill out-${k}`} style={{ width: `${Math.round(share * 100)}%` }} />
                        </span>
                        {Math.round(share * 100)}%
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
        </>
      )}
    </section>
  );
}
