// The reviewer's own figures for today, from this desk's outbox (DESIGN §8 definitions):
// outcomes are approve/reject/correct decisions made today that still stand (not reverted, not in the
// conflicts inbox); labor minutes are active labor of every decision today, rework labor apart;
// labor minutes per outcome = non-rework labor minutes ÷ standing outcomes.
import type { TodayStats } from '../../shared/desk-api';
import { isOutcomeKind, type Labor } from '../../shared/domain';
import type { OutboxRepo } from './outbox-repo';

export function todayStats(outbox: OutboxRepo, now: Date): TodayStats {
  const start = new Date(now);
  start.setHours(0, 0, 0, 0);
  const rows = outbox.since(start.getTime()).sort((a, b) => a.mutation_id - b.mutation_id);
  const standing = new Map<string, 'approve' | 'reject' | 'correct'>();
  let escalations = 0, defers = 0, reverts = 0, laborMs = 0, reworkMs = 0;
  for (const r of rows) {
    if (isOutcomeKind(r.kind)) standing.set(r.item_id, r.kind);
    else if (r.kind === 'revert') { reverts++; standing.delete(r.item_id); }
    else if (r.kind === 'escalate') escalations++;
    else if (r.kind === 'defer') defers++;
    if (r.labor_json) {
      const l = JSON.parse(r.labor_json) as Labor;
      if (l.rework) reworkMs += l.activeMs;
      else laborMs += l.activeMs;
    }
  }
  const outcomes = { approve: 0, reject: 0, correct: 0 };
  for (const k of standing.values()) outcomes[k]++;
  const totalOutcomes = outcomes.approve + outcomes.reject + outcomes.correct;
  const laborMinutes = laborMs / 60_000;
  const day = `${start.getFullYear()}-${String(start.getMonth() + 1).padStart(2, '0')}-${String(start.getDate()).padStart(2, '0')}`;
  return {
    day, outcomes, totalOutcomes, escalations, defers,
    laborMinutes, laborMinutesPerOutcome: totalOutcomes > 0 ? laborMinutes / totalOutcomes : null,
    reworkLaborMinutes: reworkMs / 60_000, reverts,
  };
}
