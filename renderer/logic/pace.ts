// "~25 min at your pace" (issue 14 item 7): what the work left would take at the reviewer's own measured
// pace today: active labor of every decision today (rework apart) per item handled (outcomes that stand,
// escalations, defers), from the labor clock (DESIGN §6), never a guess from wall time.
import type { TodayStats } from '../../shared/desk-api';
import { formatLaborMinutes } from '../../shared/durations';

/** Minutes of active labor per item handled today; null until something was handled with labor measured. */
export function minutesPerItem(stats: Pick<TodayStats, 'laborMinutes' | 'totalOutcomes' | 'escalations' | 'defers'>): number | null {
  const handled = stats.totalOutcomes + stats.escalations + stats.defers;
  return handled > 0 && stats.laborMinutes > 0 ? stats.laborMinutes / handled : null;
}

/** "~25 min at your pace" for `itemsLeft` items; null without a measured pace or with nothing left. */
export function paceText(itemsLeft: number, perItem: number | null): string | null {
  if (perItem === null || itemsLeft <= 0) return null;
  return `~${formatLaborMinutes(itemsLeft * perItem)} at your pace`;
}
