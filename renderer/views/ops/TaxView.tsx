// Exception tax (DESIGN §8): per workflow, class or queue, labor per completed outcome, rework, corrections,
// the tax per outcome and cost to completion with and without exceptions, in the queue's currency, and the
// same over time (days or ISO weeks). Every figure explains itself on focus; Enter opens the items behind it.
import { useEffect, useMemo, useState } from 'react';
import type { ExceptionTaxGroup } from '../../../shared/ops-api';
import type { OpsWindow } from '../../../shared/ops-windows';
import { TimeChart } from '../../components/charts/TimeChart';
import { useOpsRead } from '../../state/ops-store';
import { ExplainPanel, ItemsDialog, useExplain } from './FigureExplain';
import { OpsViewHead } from './OpsViewHead';
import { explainTax, formatMoney, formatMinutes, groupId, groupLabel, TAX_COLUMNS, taxChart } from './tax-figures';

export const TAX_REFRESH_MS = 60_000;
type GroupBy = 'workflow' | 'class' | 'queue';
const GROUP_BY_LABELS: Record<GroupBy, string> = { workflow: 'Workflow', class: 'Exception class', queue: 'Queue' };
const dayFmt = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function TaxView() {
  const [win, setWin] = useState<OpsWindow>('28d');
  const [groupBy, setGroupBy] = useState<GroupBy>('workflow');
  const [bucket, setBucket] = useState<'day' | 'week'>('day');
  const read = useOpsRead('ops.tax', { window: win, groupBy, bucket }, TAX_REFRESH_MS);
  const { figure, explain, items, openItems, closeItems } = useExplain();
  const v = read.value?.data ?? null;
  const groups = useMemo(() => v?.groups ?? [], [v]);
  const [chartGroup, setChartGroup] = useState<string | null>(null);
  // The chart follows the first group until one is chosen; a choice that left the answer falls back too.
  const shown = groups.find((g) => groupId(g) === chartGroup) ?? groups.find((g) => g.outcomes > 0) ?? groups[0] ?? null;
  useEffect(() => {
    if (chartGroup && !groups.some((g) => groupId(g) === chartGroup)) setChartGroup(null);
  }, [groups, chartGroup]);
  const chart = useMemo(() => (v && shown ? taxChart(v, shown) : null), [v, shown]);

  const corrections = (g: ExceptionTaxGroup) => `${g.corrections.toLocaleString('en')}${g.correctionAmount > 0 ? ` · ${formatMoney(g.correctionAmount, g.currency)}` : ''}`;

  return (
    <section className="view ops-view" data-testid="view-tax" aria-labelledby="tax-h">
      <OpsViewHead headingId="tax-h" title="Exception tax" win={win} onWindow={setWin} windowTestId="tax-window"
        freshness={read.value?.freshness} loading={read.loading} error={read.error} />
      <div className="ops-controls-row">
        <label className="ops-controls">
          <span className="muted">Group by</span>
          <select className="select" value={groupBy} onChange={(e) => setGroupBy(e.target.value as GroupBy)} data-testid="tax-group-by">
            {(Object.keys(GROUP_BY_LABELS) as GroupBy[]).map((k) => (
              <option key={k} value={k}>
                {GROUP_BY_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
        <label className="ops-controls">
          <span className="muted">Chart by</span>
          <select className="select" value={bucket} onChange={(e) => setBucket(e.target.value as 'day' | 'week')} data-testid="tax-bucket">
            <option value="day">Day</option>
            <option value="week">ISO week</option>
          </select>
        </label>
      </div>
      {v && (
        <>
          <section className="panel" aria-labelledby="tax-table-h">
            <h2 id="tax-table-h" className="panel-title">
              Per {GROUP_BY_LABELS[groupBy].toLowerCase()}, in each queue&apos;s currency
            </h2>
            <div className="ops-table-wrap" tabIndex={0} role="region" aria-label="Exception tax table">
              <table className="ops-table" data-testid="tax-table">
                <thead>
                  <tr>
                    <th scope="col">{GROUP_BY_LABELS[groupBy]}</th>
                    <th scope="col">Outcomes</th>
                    <th scope="col">Labor</th>
                    <th scope="col">Rework labor</th>
                    <th scope="col">Corrections</th>
                    {TAX_COLUMNS.map((c) => (
                      <th scope="col" key={c.key}>
                        {c.label}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {groups.map((g) => (
                    <tr key={groupId(g)} data-testid="tax-row" data-key={g.key} data-currency={g.currency ?? ''}>
                      <th scope="row">{groupLabel(g)}</th>
                      <td data-testid="tax-outcomes">{g.outcomes.toLocaleString('en')}</td>
                      <td>{formatMinutes(g.laborMinutes)}</td>
                      <td>{formatMinutes(g.reworkLaborMinutes)}</td>
                      <td title={`reverts ${g.rework.reverts}, overrides ${g.rework.overrides}, rolled back ${g.rework.rolledBack}`}>{corrections(g)}</td>
                      {TAX_COLUMNS.map((c) => {
                        const e = explainTax(g, c);
                        return (
                          <td key={c.key}>
                            <button type="button" className="sort-btn" data-testid={`tax-${c.key}`} data-value={c.figure(g).value ?? ''}
                              onFocus={() => explain(e)} onMouseEnter={() => explain(e)}
                              onClick={() => { setChartGroup(groupId(g)); if (e.recompute && e.recompute.itemIdsTotal > 0) openItems(e); }}
                              aria-label={`${e.label}: ${e.value}`}>
                              {e.value}
                            </button>
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {groups.length === 0 && <p className="muted">No queues of yours in this window.</p>}
            <p className="muted">
              Tax = review labor (rework included) and correction minutes at the queue&apos;s labor cost, plus correction amounts. Cost to completion
              = (straight-through cost of all runs + tax) ÷ runs; without exceptions = straight-through cost ÷ runs.
            </p>
          </section>
          <ExplainPanel figure={figure} onOpenItems={openItems} />
          {shown && chart && (
            <>
              <label className="ops-controls">
                <span className="muted">Chart of</span>
                <select className="select" value={groupId(shown)} onChange={(e) => setChartGroup(e.target.value)} data-testid="tax-chart-group">
                  {groups.map((g) => (
                    <option key={groupId(g)} value={groupId(g)}>
                      {groupLabel(g)}
                    </option>
                  ))}
                </select>
              </label>
              <TimeChart title={`${groupLabel(shown)} over time (${bucket === 'day' ? 'UTC days' : 'ISO weeks'})`} x={chart.x} series={chart.series}
                formatX={dayFmt} testId="tax-chart" />
            </>
          )}
        </>
      )}
      {items && <ItemsDialog figure={items} onClose={closeItems} />}
    </section>
  );
}
