// Team (supervisor): live tiles, throughput over the chosen window, the per-reviewer table. Re-read
// every 15 s while open; offline, the last figures with their age (Freshness).
import { useMemo, useState } from 'react';
import { formatLaborMinutes } from '../../../shared/durations';
import type { TeamMetrics } from '../../../shared/ops-api';
import { OPS_WINDOW_LABELS, type OpsWindow } from '../../../shared/ops-windows';
import { TimeChart, type ChartSeries } from '../../components/charts/TimeChart';
import { useOpsRead } from '../../state/ops-store';
import { ExplainPanel, FigureTile, ItemsDialog, useExplain, type Explained } from './FigureExplain';
import { OpsViewHead } from './OpsViewHead';
import { teamTiles } from './team-figures';

export const TEAM_REFRESH_MS = 15_000;

const dayFmt = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const hourFmt = (ms: number) => `${new Date(ms).toISOString().slice(0, 13).replace('T', ' ')}:00`;

/** Outcomes (left axis) and labor minutes (right axis) per bucket; a server without buckets: outcomes per day. */
export function teamChart(team: TeamMetrics): { bucket: 'hour' | 'day'; x: number[]; series: ChartSeries[] } {
  const count = (n: number) => n.toLocaleString('en');
  if (!team.buckets) {
    return { bucket: 'day', x: team.perDay.map((d) => Date.parse(`${d.day}T00:00:00Z`)),
      series: [{ label: 'Outcomes', values: team.perDay.map((d) => d.outcomes), colorVar: '--accent', format: count }] };
  }
  const pts = team.buckets.points;
  return {
    bucket: team.buckets.bucket === 'hour' ? 'hour' : 'day',
    x: pts.map((p) => Date.parse(p.start)),
    series: [
      { label: 'Outcomes', values: pts.map((p) => p.outcomes), colorVar: '--accent', format: count },
      { label: 'Labor (min)', values: pts.map((p) => p.laborMinutes + p.reworkLaborMinutes), colorVar: '--warn', rightAxis: true, format: (n) => formatLaborMinutes(n) },
    ],
  };
}
const minutes = (v: number | null) => (v === null ? '—' : formatLaborMinutes(v));

export function TeamView() {
  const [win, setWin] = useState<OpsWindow>('28d');
  const [bucket, setBucket] = useState<'hour' | 'day'>('day');
  const read = useOpsRead('ops.team', { window: win, bucket }, TEAM_REFRESH_MS);
  const { figure, explain, items, openItems, closeItems } = useExplain();
  const v = read.value?.data ?? null;
  const tiles = useMemo(() => (v ? teamTiles(v) : []), [v]);
  const chart = useMemo(() => (v ? teamChart(v.team) : null), [v]);
  const active = new Set(v?.today.activeNow.reviewerIds ?? []);
  const reviewerFigure = (r: NonNullable<typeof v>['team']['reviewers'][number]): Explained => ({
    label: `Outcomes of ${r.reviewerId}`, metric: 'throughput', value: (r.outcomes.value ?? 0).toLocaleString('en'), n: r.outcomes.n,
    interval: r.outcomes.interval, recompute: r.outcomes.recompute,
  });

  return (
    <section className="view ops-view" data-testid="view-team" aria-labelledby="team-h">
      <OpsViewHead headingId="team-h" title="Team" win={win} onWindow={setWin} windowTestId="team-window"
        freshness={read.value?.freshness} loading={read.loading} error={read.error} />
      {v && (
        <>
          <div className="tiles" role="group" aria-label="Team figures" data-testid="team-tiles">
            {tiles.map((t) => (
              <FigureTile key={t.key} figure={t} testId={`team-tile-${t.key}`} onExplain={explain} onOpenItems={openItems} />
            ))}
          </div>
          <ExplainPanel figure={figure} onOpenItems={openItems} />
          <label className="ops-controls">
            <span className="muted">Chart by</span>
            <select className="select" value={bucket} onChange={(e) => setBucket(e.target.value as 'hour' | 'day')} data-testid="team-bucket">
              <option value="day">Day</option>
              <option value="hour">Hour</option>
            </select>
          </label>
          {chart && (
            <TimeChart title={`Throughput and labor, ${OPS_WINDOW_LABELS[win].toLowerCase()} (UTC ${chart.bucket === 'hour' ? 'hours' : 'days'})`}
              x={chart.x} series={chart.series} formatX={chart.bucket === 'hour' ? hourFmt : dayFmt} testId="team-chart" />
          )}
          <section className="panel" aria-labelledby="team-reviewers-h">
            <h2 id="team-reviewers-h" className="panel-title">
              Reviewers · {OPS_WINDOW_LABELS[win]}
            </h2>
            <div className="ops-table-wrap" tabIndex={0} role="region" aria-label="Reviewers table">
              <table className="ops-table" data-testid="team-reviewers">
                <thead>
                  <tr>
                    <th scope="col">Reviewer</th>
                    <th scope="col">Outcomes</th>
                    <th scope="col">Per staffed hour</th>
                    <th scope="col">Labor</th>
                    <th scope="col">Rework labor</th>
                    <th scope="col">Handle p50</th>
                    <th scope="col">Handle p90</th>
                    <th scope="col">Active now</th>
                  </tr>
                </thead>
                <tbody>
                  {v.team.reviewers.map((r) => (
                    <tr key={r.reviewerId} data-testid="team-reviewer-row" data-reviewer-id={r.reviewerId}>
                      <th scope="row">{r.reviewerId}</th>
                      <td>
                        <button type="button" className="sort-btn" onFocus={() => explain(reviewerFigure(r))} onClick={() => openItems(reviewerFigure(r))}
                          aria-label={`${r.outcomes.value ?? 0} outcomes by ${r.reviewerId}`}>
                          {(r.outcomes.value ?? 0).toLocaleString('en')}
                        </button>
                      </td>
                      <td>{r.outcomesPerStaffedHour.value === null ? '—' : r.outcomesPerStaffedHour.value.toFixed(1)}</td>
                      <td>{minutes(r.laborMinutes)}</td>
                      <td>{minutes(r.reworkLaborMinutes)}</td>
                      <td title={r.handleTime.note}>{minutes(r.handleTime.p50)}</td>
                      <td title={r.handleTime.note}>{minutes(r.handleTime.p90)}</td>
                      <td>{active.has(r.reviewerId) ? 'yes' : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p className="muted">Handle-time percentiles are hidden (—) below n = 20 decisions.</p>
          </section>
        </>
      )}
      {items && <ItemsDialog figure={items} onClose={closeItems} />}
    </section>
  );
}
