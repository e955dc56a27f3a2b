// Sorting the SLA board, pure. Absent values (percentiles hidden under n = 20, no SLA cycles yet) sort
// last in either direction, so "worst first" never starts with a blank.
import type { ControlPointMetrics } from '../../../shared/ops-api';

export type BoardSortKey = 'name' | 'depth' | 'ageP50' | 'ageP90' | 'ageMax' | 'withinSla' | 'breached' | 'approvalP90';
export interface BoardSort { key: BoardSortKey; dir: 'asc' | 'desc' }

const name = (c: ControlPointMetrics) => `${c.workflow} / ${c.stage} / ${c.exceptionClass}`;

const VALUE: Record<Exclude<BoardSortKey, 'name'>, (c: ControlPointMetrics) => number | null> = {
  depth: (c) => c.depth.value,
  ageP50: (c) => c.age.p50,
  ageP90: (c) => c.age.p90,
  ageMax: (c) => c.age.max,
  withinSla: (c) => c.withinSla.percent.value,
  breached: (c) => c.breachedWhileOpen.value,
  approvalP90: (c) => c.approvalLatency.p90,
};

export function sortControlPoints(rows: readonly ControlPointMetrics[], sort: BoardSort): ControlPointMetrics[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    if (sort.key === 'name') return sign * name(a).localeCompare(name(b));
    const va = VALUE[sort.key](a);
    const vb = VALUE[sort.key](b);
    if (va === null || vb === null) return va === vb ? name(a).localeCompare(name(b)) : va === null ? 1 : -1;
    return sign * (va - vb) || name(a).localeCompare(name(b));
  });
}
