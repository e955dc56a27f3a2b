// The Team view's tiles from the central figures, pure (unit-tested in test/renderer/ops-figures.test.ts).
// A tile that combines several control points says how (sums of counts; % within SLA from the summed
// achieved and breached cycles, never an average of percentages; the oldest age is the max of maxes),
// and lists the items behind it from the figures it combines.
import { formatLaborMinutes } from '../../../shared/durations';
import type { ControlPointMetrics, Recompute, TeamMetrics } from '../../../shared/ops-api';
import type { TeamView } from '../../../shared/ops-desk';
import type { Explained } from './FigureExplain';

const count = (n: number | null) => (n === null ? '—' : n.toLocaleString('en'));
const percent = (p: number | null) => (p === null ? '—' : `${(Math.round(p * 10) / 10).toLocaleString('en')} %`);

/** The union of several figures' items: listed ids (deduplicated), their total, and the filters side by side. */
export function unionRecompute(parts: readonly Recompute[], filter: Recompute['filter']): Recompute {
  const ids = [...new Set(parts.flatMap((p) => p.itemIds))];
  return { itemIds: ids.slice(0, 500), itemIdsTotal: Math.max(ids.length, parts.reduce((a, p) => a + p.itemIdsTotal, 0)), filter };
}

const queuesFilter = (cps: readonly ControlPointMetrics[]) => ({ queueIds: cps.map((c) => c.queueId) });

/** Labor per outcome over a team answer: Σ reviewers' labor (rework apart) ÷ throughput. */
export function laborPerOutcome(team: TeamMetrics): number | null {
  const outcomes = team.throughput.value ?? 0;
  if (outcomes === 0) return null;
  return team.reviewers.reduce((a, r) => a + r.laborMinutes, 0) / outcomes;
}

export function withinSlaOverall(cps: readonly ControlPointMetrics[]): { percent: number | null; n: number } {
  const achieved = cps.reduce((a, c) => a + c.withinSla.achieved, 0);
  const breached = cps.reduce((a, c) => a + c.withinSla.breached, 0);
  const n = achieved + breached;
  return { percent: n === 0 ? null : (achieved / n) * 100, n };
}

export function teamTiles(v: TeamView): (Explained & { key: string })[] {
  const cps = v.controlPoints.controlPoints;
  const cpInterval = v.controlPoints.interval;
  const sla = withinSlaOverall(cps);
  const backlog = cps.reduce((a, c) => a + (c.depth.value ?? 0), 0);
  const oldest = cps.reduce<number | null>((a, c) => (c.age.max === null ? a : Math.max(a ?? 0, c.age.max)), null);
  const atRisk = cps.reduce((a, c) => a + c.atRisk.length, 0);
  const lpo = laborPerOutcome(v.today);
  const across = `over ${cps.length} control point${cps.length === 1 ? '' : 's'}`;
  return [
    {
      key: 'outcomes-today', label: 'Outcomes today', metric: 'throughput', value: count(v.today.throughput.value), n: v.today.throughput.n,
      interval: v.today.throughput.interval, recompute: v.today.throughput.recompute, note: v.today.throughput.note,
    },
    {
      key: 'labor-per-outcome', label: 'Labor per outcome today', metric: 'labor_minutes_per_outcome', value: formatLaborMinutes(lpo),
      n: v.today.throughput.value, interval: v.today.throughput.interval, recompute: v.today.throughput.recompute,
      combined: `Σ labor of ${v.today.reviewers.length} reviewer(s), rework apart, ÷ outcomes today`,
    },
    {
      key: 'within-sla', label: '% within SLA', metric: 'within_sla', value: percent(sla.percent), n: sla.n, interval: cpInterval,
      recompute: unionRecompute(cps.map((c) => c.withinSla.percent.recompute), queuesFilter(cps)),
      combined: `Σ achieved ÷ Σ (achieved + breached) ${across}`,
    },
    {
      key: 'backlog', label: 'Backlog', metric: 'queue_depth', value: count(backlog), n: backlog, interval: null,
      recompute: unionRecompute(cps.map((c) => c.depth.recompute), queuesFilter(cps)), combined: `sum ${across}`,
    },
    {
      key: 'oldest', label: 'Oldest open item', metric: 'age', value: formatLaborMinutes(oldest), n: backlog, interval: null,
      recompute: unionRecompute(cps.map((c) => c.age.recompute), queuesFilter(cps)), combined: `largest max ${across}`,
    },
    {
      key: 'at-risk', label: 'At risk', metric: 'at_risk', value: count(atRisk), n: atRisk, interval: null,
      recompute: { itemIds: cps.flatMap((c) => c.atRisk.map((a) => a.itemId)).slice(0, 500), itemIdsTotal: atRisk, filter: { ...queuesFilter(cps), atRisk: true } },
      combined: `sum ${across}`,
    },
    {
      key: 'active-now', label: 'Reviewers active now', metric: 'active_reviewers_now', value: count(v.today.activeNow.count), n: v.today.activeNow.count,
      interval: { from: v.today.activeNow.since, to: v.today.computedAt }, recompute: null,
      note: v.today.activeNow.reviewerIds.length ? v.today.activeNow.reviewerIds.join(', ') : undefined,
    },
  ];
}
