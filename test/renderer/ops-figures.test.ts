// The Team tiles and the SLA board order, worked out by hand from small central answers.
import { describe, expect, it } from 'vitest';
import type { ControlPointMetrics, TeamMetrics } from '../../shared/ops-api';
import type { TeamView } from '../../shared/ops-desk';
import { sortControlPoints } from '../../renderer/views/ops/control-points-sort';
import { laborPerOutcome, teamTiles, unionRecompute, withinSlaOverall } from '../../renderer/views/ops/team-figures';

const I = { from: '2026-11-21T00:00:00.000Z', to: '2026-11-28T00:00:00.000Z' };
const rc = (ids: string[], total = ids.length) => ({ itemIds: ids, itemIdsTotal: total, filter: {} });
const fig = (metric: string, value: number | null, n: number, ids: string[] = []) => ({ metric, value, n, interval: I, recompute: rc(ids) }) as ControlPointMetrics['depth'];
const pct = (metric: string, p50: number | null, p90: number | null, max: number | null, n: number) =>
  ({ metric, n, p50, p90, max, interval: I, recompute: rc([]) }) as ControlPointMetrics['age'];

function cp(queueId: string, o: { depth: number; achieved: number; breached: number; ageMax: number | null; ageP90?: number | null; atRisk: string[]; breachedOpen?: number }): ControlPointMetrics {
  const n = o.achieved + o.breached;
  return {
    queueId, workflow: `wf-${queueId}`, stage: 's', exceptionClass: 'policy', ownerId: 'olivia', slaTargetMinutes: 240,
    depth: fig('queue_depth', o.depth, o.depth, [`${queueId}-d1`, 'shared']), age: pct('age', null, o.ageP90 ?? null, o.ageMax, o.depth),
    timeToFirstTouch: pct('time_to_first_touch', null, null, null, 0), resolutionTime: pct('resolution_time', null, null, null, 0),
    withinSla: { achieved: o.achieved, breached: o.breached, percent: fig('within_sla', n ? (o.achieved / n) * 100 : null, n) },
    breachedWhileOpen: fig('breached_while_open', o.breachedOpen ?? 0, o.breachedOpen ?? 0),
    atRisk: o.atRisk.map((itemId) => ({ itemId, slaDueAt: I.to, minutesLeft: 10, status: 'open', assigneeId: null })),
    approvalLatency: pct('approval_latency', null, null, null, 0),
  };
}

function team(outcomes: number, labor: number[]): TeamMetrics {
  return {
    interval: I, computedAt: I.to, throughput: fig('throughput', outcomes, outcomes, ['o1']), perDay: [],
    reviewers: labor.map((m, i) => ({
      reviewerId: `r${i}`, outcomes: fig('throughput', 1, 1), staffedHours: 1, outcomesPerStaffedHour: fig('outcomes_per_staffed_hour', 1, 1),
      laborMinutes: m, reworkLaborMinutes: 100, handleTime: pct('handle_time', null, null, null, 0),
    })),
    activeNow: { count: 2, reviewerIds: ['r0', 'r1'], since: I.from },
  };
}

describe('team tiles', () => {
  const cps = [
    cp('a', { depth: 10, achieved: 90, breached: 10, ageMax: 300, atRisk: ['x1', 'x2'] }),
    cp('b', { depth: 5, achieved: 1, breached: 9, ageMax: 1200, atRisk: ['x3'] }),
  ];
  const view: TeamView = { team: team(100, [60]), today: team(12, [30, 18]), controlPoints: { interval: I, computedAt: I.to, controlPoints: cps } };
  const tiles = Object.fromEntries(teamTiles(view).map((t) => [t.key, t]));

  it('% within SLA is Σ achieved ÷ Σ cycles (91 / 110), never the mean of the percentages (50 %)', () => {
    expect(withinSlaOverall(cps)).toEqual({ percent: (91 / 110) * 100, n: 110 });
    expect(tiles['within-sla'].value).toBe('82.7 %');
    expect(tiles['within-sla'].n).toBe(110);
  });
  it('backlog sums depth, oldest is the max of maxes, at risk counts and lists the items', () => {
    expect(tiles.backlog.value).toBe('15');
    expect(tiles.backlog.recompute!.itemIds).toEqual(['a-d1', 'shared', 'b-d1']);
    expect(tiles.oldest.value).toBe('20 h 0 min');
    expect(tiles['at-risk'].value).toBe('3');
    expect(tiles['at-risk'].recompute!.itemIds).toEqual(['x1', 'x2', 'x3']);
  });
  it('labor per outcome today is Σ labor (rework apart) ÷ outcomes: 48 min ÷ 12 = 4 min', () => {
    expect(laborPerOutcome(view.today)).toBe(4);
    expect(tiles['labor-per-outcome'].value).toBe('4 min');
    expect(laborPerOutcome(team(0, [5]))).toBeNull();
    expect(tiles['outcomes-today'].value).toBe('12');
    expect(tiles['active-now'].value).toBe('2');
  });
  it('a union of items counts each listed id once', () => {
    expect(unionRecompute([rc(['a', 'b']), rc(['b', 'c'])], {}).itemIds).toEqual(['a', 'b', 'c']);
  });
});

describe('SLA board order', () => {
  const rows = [
    cp('a', { depth: 3, achieved: 9, breached: 1, ageMax: 10, ageP90: 8, atRisk: [] }),
    cp('b', { depth: 7, achieved: 0, breached: 0, ageMax: null, atRisk: [] }),
    cp('c', { depth: 1, achieved: 1, breached: 3, ageMax: 50, ageP90: null, atRisk: [] }),
  ];
  const ids = (key: Parameters<typeof sortControlPoints>[1]['key'], dir: 'asc' | 'desc') => sortControlPoints(rows, { key, dir }).map((r) => r.queueId);
  it('sorts by a figure both ways, with absent values last either way', () => {
    expect(ids('withinSla', 'asc')).toEqual(['c', 'a', 'b']);
    expect(ids('withinSla', 'desc')).toEqual(['a', 'c', 'b']);
    expect(ids('depth', 'desc')).toEqual(['b', 'a', 'c']);
    expect(ids('ageP90', 'asc')).toEqual(['a', 'b', 'c']);
    expect(ids('name', 'desc')).toEqual(['c', 'b', 'a']);
  });
});

describe('figures over time (Team chart, Exception tax chart)', () => {
  it('Team charts outcomes and labor (rework included) per bucket; an answer without buckets falls back to outcomes per day', async () => {
    const { teamChart } = await import('../../renderer/views/ops/TeamView');
    const base = { perDay: [{ day: '2026-11-27', outcomes: 3 }, { day: '2026-11-28', outcomes: 5 }] } as unknown as TeamMetrics;
    expect(teamChart(base)).toMatchObject({ bucket: 'day', x: [Date.parse('2026-11-27T00:00:00Z'), Date.parse('2026-11-28T00:00:00Z')] });
    expect(teamChart(base).series.map((s) => s.values)).toEqual([[3, 5]]);
    const hourly = { ...base, buckets: { bucket: 'hour', points: [
      { start: '2026-11-28T08:00:00.000Z', outcomes: 2, laborMinutes: 10, reworkLaborMinutes: 0 },
      { start: '2026-11-28T09:00:00.000Z', outcomes: 1, laborMinutes: 4, reworkLaborMinutes: 2.5 },
    ] } } as TeamMetrics;
    const c = teamChart(hourly);
    expect(c.bucket).toBe('hour');
    expect(c.series.map((s) => [s.label, s.values, !!s.rightAxis])).toEqual([['Outcomes', [2, 1], false], ['Labor (min)', [10, 6.5], true]]);
  });

  it('the tax chart follows one group (key and currency) through the buckets; a bucket without it has no value', async () => {
    const { taxChart, formatMoney, groupLabel } = await import('../../renderer/views/ops/tax-figures');
    const pt = (key: string, currency: string | null, tax: number | null) => ({ key, currency, outcomes: 1, laborMinutesPerOutcome: 3, reworkRate: 0, taxPerOutcome: tax, costToCompletion: null, costToCompletionWithoutExceptions: null });
    const res = { series: { bucket: 'day', points: [
      { start: '2026-11-27T00:00:00.000Z', groups: [pt('wf', 'EUR', 4), pt('wf', 'USD', 9)] },
      { start: '2026-11-28T00:00:00.000Z', groups: [pt('wf', 'USD', 7)] },
    ] } } as never;
    const eur = taxChart(res, { key: 'wf', currency: 'EUR' })!;
    expect(eur.series[0]).toMatchObject({ label: 'Tax per outcome (EUR)', values: [4, null] });
    expect(taxChart(res, { key: 'wf', currency: 'USD' })!.series[0].values).toEqual([9, 7]);
    expect(formatMoney(14.7, 'EUR')).toBe('€14.70');
    expect(formatMoney(0.5, 'USD')).toBe('$0.50');
    // Under one unit a third decimal shows (cost per run is often cents).
    expect(formatMoney(1.235 - 1, 'USD')).toBe('$0.235');
    expect(formatMoney(null, 'EUR')).toBe('—');
    expect(groupLabel({ key: 'wf', currency: 'EUR' })).toBe('wf (EUR)');
  });
});
