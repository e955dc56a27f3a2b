// The metrics of exception operations (DESIGN.md §8), each defined once: its name, what it means, the
// formula, and the pure, dialect-free computations both the server and the desk may use. The server
// computes every figure from the append-only event log with these; the desk shows `definition` and
// `formula` beside each figure so a number can always be explained and recomputed.
import { z } from 'zod';

/** Percentiles (not means) for ages and latencies; below this n only the maximum is shown. */
export const MIN_N_FOR_PERCENTILES = 20;
/** An open item is at risk when less than this share of its SLA target is left. */
export const AT_RISK_SHARE_LEFT = 0.2;
/** "Active now": a reviewer with a decision, defer, escalation, note or claim in the last this many minutes. */
export const ACTIVE_NOW_MINUTES = 15;

/**
 * Thresholds of the five design signals (DESIGN §8), in whole percents so a rule compares integers
 * (count × 100 ≥ percent × n): each fires at its threshold, never one below it.
 */
export const SIGNAL_THRESHOLDS = {
  /** 1. trust the AI further: approve-as-is share of a queue's outcomes, over at least `minOutcomes`. */
  trustAiFurther: { minApprovePercent: 95, minOutcomes: 200 },
  /** 2. delegate override authority: a control point whose approval latency p90 exceeds its SLA target (p90 needs n ≥ 20). */
  delegateOverride: { minEscalations: MIN_N_FOR_PERCENTILES },
  /** 3. tighten an input constraint: one validation code behind this share of a data-integrity queue's exceptions. */
  tightenInput: { minPercent: 40, minItems: 20 },
  /** 4. simplify a decision branch: a reason code followed by the same outcome this share of the time. */
  simplifyBranch: { minSameOutcomePercent: 90, minItems: 20 },
  /** 5. move a control earlier: one stage holds at least this share of a workflow's downstream corrections. */
  moveControlEarlier: { minStagePercent: 50, minCorrections: 10 },
} as const;

/** True when count ÷ n ≥ percent %, in integers (no floating-point edge at the threshold); false when n = 0. */
export const atLeastPercent = (count: number, n: number, percent: number): boolean => n > 0 && count * 100 >= percent * n;

/** The rule of each design signal, once: the server decides with these, the desk explains with them. */
export const SIGNAL_RULES = {
  trustAiFurther: (approves: number, outcomes: number) =>
    outcomes >= SIGNAL_THRESHOLDS.trustAiFurther.minOutcomes && atLeastPercent(approves, outcomes, SIGNAL_THRESHOLDS.trustAiFurther.minApprovePercent),
  /** `p90Minutes` null (n < 20) never fires. */
  delegateOverride: (escalations: number, p90Minutes: number | null, slaTargetMinutes: number) =>
    escalations >= SIGNAL_THRESHOLDS.delegateOverride.minEscalations && p90Minutes !== null && p90Minutes > slaTargetMinutes,
  tightenInput: (withCode: number, items: number) =>
    items >= SIGNAL_THRESHOLDS.tightenInput.minItems && atLeastPercent(withCode, items, SIGNAL_THRESHOLDS.tightenInput.minPercent),
  simplifyBranch: (sameOutcome: number, withCode: number) =>
    withCode >= SIGNAL_THRESHOLDS.simplifyBranch.minItems && atLeastPercent(sameOutcome, withCode, SIGNAL_THRESHOLDS.simplifyBranch.minSameOutcomePercent),
  moveControlEarlier: (inStage: number, inWorkflow: number) =>
    inWorkflow >= SIGNAL_THRESHOLDS.moveControlEarlier.minCorrections && atLeastPercent(inStage, inWorkflow, SIGNAL_THRESHOLDS.moveControlEarlier.minStagePercent),
} as const;

/** A signal that fired over [from, to − this many days) is due a decision (accept or dismiss) by `to` (scorecard question 5). */
export const SIGNAL_DECISION_DUE_DAYS = 14;
/** The weekly review pack shows the signals that fire over the this many days ending with its week (a week alone is rarely n ≥ 200). */
export const PACK_SIGNAL_LOOKBACK_DAYS = 28;

/**
 * The operations scorecard's colours (DESIGN §8), per question, in whole percents of `met ÷ n`:
 * green at or above `green`, amber at or above `amber`, red below; grey when n = 0 (nothing to measure).
 */
export const SCORECARD_THRESHOLDS = {
  classified: { green: 95, amber: 80 },
  control_points_with_sla: { green: 100, amber: 80 },
  one_owner_per_path: { green: 100, amber: 80 },
  tax_measured: { green: 100, amber: 50 },
  feeding_redesign: { green: 80, amber: 50 },
} as const;
export type ScorecardRating = 'green' | 'amber' | 'red' | 'grey';

export function scorecardRating(question: keyof typeof SCORECARD_THRESHOLDS, met: number, n: number): ScorecardRating {
  if (n === 0) return 'grey';
  const t = SCORECARD_THRESHOLDS[question];
  return atLeastPercent(met, n, t.green) ? 'green' : atLeastPercent(met, n, t.amber) ? 'amber' : 'red';
}

export const METRIC_NAMES = [
  'throughput', 'outcomes_per_staffed_hour', 'active_reviewers_now', 'queue_depth', 'age', 'time_to_first_touch',
  'resolution_time', 'within_sla', 'breached_while_open', 'at_risk', 'approval_latency', 'handle_time',
  'labor_minutes_per_outcome', 'rework_rate', 'exception_tax_per_outcome', 'cost_to_completion',
  'cost_to_completion_without_exceptions', 'exception_rate',
  'signal_trust_ai_further', 'signal_delegate_override', 'signal_tighten_input', 'signal_simplify_branch',
  'signal_move_control_earlier',
] as const;
export const MetricName = z.enum(METRIC_NAMES);
export type MetricName = z.infer<typeof MetricName>;

export interface MetricDefinition {
  name: MetricName;
  label: string;
  definition: string;
  formula: string;
  unit: 'count' | 'minutes' | 'percent' | 'per_hour' | 'money' | 'money_per_outcome' | 'minutes_per_week';
}

const def = (name: MetricName, label: string, unit: MetricDefinition['unit'], definition: string, formula: string): MetricDefinition =>
  ({ name, label, unit, definition, formula });

export const METRIC_DEFINITIONS: Record<MetricName, MetricDefinition> = {
  throughput: def('throughput', 'Throughput', 'count',
    'Outcomes (approve, reject, correct, override) recorded in the interval, attributed to the interval in which the item was completed.',
    'count(decided events with an outcome kind, at in [from, to))'),
  outcomes_per_staffed_hour: def('outcomes_per_staffed_hour', 'Outcomes per staffed hour', 'per_hour',
    'A reviewer\'s outcomes divided by their staffed hours; a staffed hour is a clock hour (UTC) in which the reviewer recorded at least one decision, defer, escalation or note.',
    'outcomes(reviewer) ÷ count(distinct UTC hours with an event by the reviewer)'),
  active_reviewers_now: def('active_reviewers_now', 'Active reviewers now', 'count',
    `Reviewers with a claim, decision, defer, escalation or note in the last ${ACTIVE_NOW_MINUTES} minutes.`,
    `count(distinct actor of claimed/decided/deferred/escalated/noted events, at ≥ now − ${ACTIVE_NOW_MINUTES} min)`),
  queue_depth: def('queue_depth', 'Queue depth', 'count',
    'Items not yet resolved or withdrawn (open, leased or escalated) in the control point now.',
    'count(items with status in (open, leased, escalated))'),
  age: def('age', 'Age', 'minutes',
    'Minutes from first enqueue to now for unresolved items; a reclassification does not reset it. p50 / p90 by nearest rank, shown only when n ≥ 20; max always.',
    'now − enqueuedAt; p = value at rank ⌈p/100 · n⌉ of the sorted ages'),
  time_to_first_touch: def('time_to_first_touch', 'Time to first touch', 'minutes',
    'Minutes from first enqueue to the start of the first labor segment on the item (the earliest labor.openedAt), for items first touched in the interval.',
    'min(labor.openedAt) − enqueuedAt'),
  resolution_time: def('resolution_time', 'Resolution time', 'minutes',
    'Minutes on the SLA clock from first enqueue to the first outcome of the item, for items whose first outcome is in the interval; the clock stands still while the item waits on its owner (SLA clock pause).',
    'first outcome at − enqueuedAt − paused minutes before it'),
  within_sla: def('within_sla', '% resolved within SLA', 'percent',
    'Share of SLA cycles completed in the interval that were achieved: an item completes its cycle at its first outcome (achieved if at or before its due time) or at its due time while still unresolved (breached). The due time is paused-adjusted (SLA clock pause).',
    'achieved ÷ (achieved + breached) × 100; due = enqueuedAt + SLA target + paused minutes'),
  breached_while_open: def('breached_while_open', 'Breached while open', 'count',
    'Unresolved items whose paused-adjusted SLA due time has passed; an item whose clock is paused now (waiting on its owner since before its due time) is not breaching.',
    'count(unresolved items, not paused now, with due < now)'),
  at_risk: def('at_risk', 'At risk', 'count',
    `Unresolved items not yet breached with less than ${AT_RISK_SHARE_LEFT * 100} % of their SLA target left on the paused-adjusted due time; an item paused now is not at risk.`,
    `count(unresolved items, not paused now, with 0 < due − now < ${AT_RISK_SHARE_LEFT} × slaTarget)`),
  approval_latency: def('approval_latency', 'Approval latency', 'minutes',
    'Minutes from an escalation to the owner\'s outcome on that escalation, per workflow stage, for owner outcomes in the interval.',
    'owner outcome at − escalated at'),
  handle_time: def('handle_time', 'Handle time', 'minutes',
    'Active labor-clock minutes per decision (DESIGN §6).',
    'labor.activeMs ÷ 60,000'),
  labor_minutes_per_outcome: def('labor_minutes_per_outcome', 'Review-labor minutes per completed outcome', 'minutes',
    'All active labor recorded in the interval (decisions, defers, escalations, notes) divided by the outcomes in the interval; rework labor (after a revert) is shown apart.',
    'Σ labor.activeMs ÷ 60,000 ÷ outcomes (flow ratio)'),
  rework_rate: def('rework_rate', 'Rework rate', 'percent',
    'Reverts, overrides, rolled-back outcomes and outcomes corrected downstream in the interval, divided by the outcomes in the interval.',
    '(reverts + overrides + rolled back + corrections) ÷ outcomes × 100'),
  exception_tax_per_outcome: def('exception_tax_per_outcome', 'Exception tax per completed outcome', 'money_per_outcome',
    'Labor cost + rework labor cost + downstream correction cost, per completed outcome, at the queue\'s loaded labor cost per hour (correction minutes are costed at the same rate; correction amounts are added as given).',
    '(labor h × rate + rework h × rate + Σ correction minutes/60 × rate + Σ correction amounts) ÷ outcomes'),
  cost_to_completion: def('cost_to_completion', 'Cost to completion (with exceptions)', 'money_per_outcome',
    'What one run of the workflow costs once its exceptions are paid for.',
    '(Σ straight-through cost of all runs + exception tax) ÷ runs'),
  cost_to_completion_without_exceptions: def('cost_to_completion_without_exceptions', 'Cost to completion (straight-through only)', 'money_per_outcome',
    'What one run would cost if no exception were raised.',
    'Σ straight-through cost ÷ runs'),
  exception_rate: def('exception_rate', 'Exception rate', 'percent',
    'Exceptions raised in the interval divided by the runs reported for the interval.',
    'items created ÷ runs × 100'),
  signal_trust_ai_further: def('signal_trust_ai_further', 'Trust the AI further', 'minutes_per_week',
    `A queue whose outcomes in the interval are ≥ ${SIGNAL_THRESHOLDS.trustAiFurther.minApprovePercent} % approve-as-is over n ≥ ${SIGNAL_THRESHOLDS.trustAiFurther.minOutcomes}: widen the authority boundary so the AI decides these alone. Saves the labor spent approving them.`,
    `approves ÷ outcomes ≥ ${SIGNAL_THRESHOLDS.trustAiFurther.minApprovePercent} % and outcomes ≥ ${SIGNAL_THRESHOLDS.trustAiFurther.minOutcomes}; saves Σ labor.activeMs of the approve decisions ÷ 60,000 ÷ weeks of the interval`),
  signal_delegate_override: def('signal_delegate_override', 'Delegate override authority', 'minutes_per_week',
    `A control point whose approval latency p90 (escalation → owner's outcome, owner outcomes in the interval) exceeds its SLA target, with n ≥ ${SIGNAL_THRESHOLDS.delegateOverride.minEscalations}: delegate the authority to decide these. Saves the owner labor spent on them.`,
    'p90(approval latency) > slaTargetMinutes and n ≥ 20; saves Σ labor.activeMs of those owner outcomes ÷ 60,000 ÷ weeks'),
  signal_tighten_input: def('signal_tighten_input', 'Tighten an input constraint', 'minutes_per_week',
    `One validation code (an exception reason code of the item) behind ≥ ${SIGNAL_THRESHOLDS.tightenInput.minPercent} % of the exceptions a data-integrity queue received in the interval (n ≥ ${SIGNAL_THRESHOLDS.tightenInput.minItems}): validate it at the input. Saves the labor spent on those items.`,
    `items with the code ÷ items created in the queue ≥ ${SIGNAL_THRESHOLDS.tightenInput.minPercent} %; saves Σ labor.activeMs on those items in the interval ÷ 60,000 ÷ weeks`),
  signal_simplify_branch: def('signal_simplify_branch', 'Simplify a decision branch', 'minutes_per_week',
    `A reason code given on an escalation or a reclassification, followed by the same outcome ≥ ${SIGNAL_THRESHOLDS.simplifyBranch.minSameOutcomePercent} % of the time (n ≥ ${SIGNAL_THRESHOLDS.simplifyBranch.minItems} branches that reached an outcome in the interval): make that outcome the rule. Saves the labor spent after the branch.`,
    `max over outcomes(branches with the code then that outcome) ÷ branches with the code ≥ ${SIGNAL_THRESHOLDS.simplifyBranch.minSameOutcomePercent} %; saves Σ labor.activeMs after the branch up to and with the outcome ÷ 60,000 ÷ weeks`),
  signal_move_control_earlier: def('signal_move_control_earlier', 'Move a control earlier', 'minutes_per_week',
    `One workflow stage holds ≥ ${SIGNAL_THRESHOLDS.moveControlEarlier.minStagePercent} % of the workflow's downstream corrections detected in the interval (n ≥ ${SIGNAL_THRESHOLDS.moveControlEarlier.minCorrections}): move its check earlier. Saves the correction minutes and the rework labor on those items.`,
    `corrections in stage ÷ corrections in workflow ≥ ${SIGNAL_THRESHOLDS.moveControlEarlier.minStagePercent} %; saves (Σ correction minutes + Σ rework labor.activeMs ÷ 60,000 on those items in the interval) ÷ weeks`),
};

// ---------- pure computations (no I/O, no dialect) ----------

/** Nearest-rank percentile of already sorted values: the value at rank ⌈p/100 · n⌉ (1-based); null when empty. */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export interface PercentileSummary { n: number; p50: number | null; p90: number | null; max: number | null }

/** p50 / p90 hidden (null) when n < 20; max shown for any n ≥ 1. */
export function summarizePercentiles(values: readonly number[]): PercentileSummary {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const show = n >= MIN_N_FOR_PERCENTILES;
  return { n, p50: show ? nearestRank(sorted, 50) : null, p90: show ? nearestRank(sorted, 90) : null, max: n > 0 ? sorted[n - 1] : null };
}

/** A ratio that is null (not zero, not infinity) when its denominator is zero. */
export const ratio = (numerator: number, denominator: number): number | null => (denominator === 0 ? null : numerator / denominator);

/** Rounded for display and comparison (money to cents, minutes to 0.01). */
export const round2 = (x: number | null): number | null => (x === null ? null : Math.round(x * 100) / 100);

export const withinSlaPercent = (achieved: number, breached: number) => {
  const r = ratio(achieved, achieved + breached);
  return r === null ? null : r * 100;
};

export const reworkRatePercent = (c: { reverts: number; overrides: number; rolledBack: number; corrections: number; outcomes: number }) => {
  const r = ratio(c.reverts + c.overrides + c.rolledBack + c.corrections, c.outcomes);
  return r === null ? null : r * 100;
};

export interface TaxInputs {
  laborMinutes: number;
  reworkLaborMinutes: number;
  correctionMinutes: number;
  correctionAmount: number;
  costPerHour: number;
}

/** Exception tax in money: labor + rework labor + corrections, at the queue's loaded labor cost per hour. */
export const exceptionTax = (t: TaxInputs) =>
  ((t.laborMinutes + t.reworkLaborMinutes + t.correctionMinutes) / 60) * t.costPerHour + t.correctionAmount;

/** Cost to completion with exceptions and straight-through only; null without runs. */
export const costToCompletion = (straightThroughCost: number, tax: number, runs: number) => ({
  withExceptions: ratio(straightThroughCost + tax, runs),
  withoutExceptions: ratio(straightThroughCost, runs),
});

// ---------- the SLA clock, with its pause ----------

/**
 * The SLA clock of a control point (DESIGN §8 "resolution time on the SLA clock"), with the one pause the
 * design implies: while an item waits on its owner, from an escalation to the end of that escalation (the
 * owner's outcome, or the escalation taken back, deferred or reassigned), its clock stands still, because
 * that wait is measured apart as approval latency against the owner's stage (signal 2). A pause that starts
 * after the clock ran out does not move the due time (the cycle had already breached). The server keeps
 * the pause in the item_facts roll-up (sla_due_at, sla_paused_since, sla_paused_ms), derived from the log.
 */
export const SLA_CLOCK = {
  definition: 'The SLA clock runs from first enqueue and stands still while the item waits on its owner: from an escalation to the owner\'s outcome (or to the escalation being taken back, deferred or reassigned). That wait is measured apart as approval latency. Due time = enqueue + SLA target + the paused minutes that began before the clock ran out; a pause that begins after the due time does not move it.',
  recompute: 'for each item: due = enqueuedAt + slaTarget; for each escalated event, paired with the next decided/deferred/reverted/assigned event of the item: if escalated.at < due then due += (end − escalated.at); paused now = an escalation without its end that began before due',
} as const;

/** The facts of one item's SLA clock (items + the item_facts roll-up). */
export interface SlaClockFacts {
  /** Due time adjusted by the pauses that have ended (enqueue + target + their minutes). */
  dueAt: string;
  /** Start of a pause still running (the item is escalated), or null. */
  pausedSince: string | null;
  /** Paused minutes before the first outcome (what the SLA clock's resolution time leaves out). */
  pausedMinutesBeforeOutcome: number;
  enqueuedAt: string;
  firstOutcomeAt: string | null;
}

/** The due time after a pause [start, end) ended: moved by its length when it began before the due time. */
export function dueAfterPause(dueAt: string, pauseStart: string, pauseEnd: string): string {
  return pauseStart < dueAt ? new Date(Date.parse(dueAt) + Math.max(0, Date.parse(pauseEnd) - Date.parse(pauseStart))).toISOString() : dueAt;
}

/** The clock is paused now: a pause runs that began before the due time (one begun after it changes nothing). */
export const slaPausedNow = (c: Pick<SlaClockFacts, 'dueAt' | 'pausedSince'>): boolean => c.pausedSince !== null && c.pausedSince < c.dueAt;

export type SlaCycle = { state: 'achieved'; at: string } | { state: 'breached'; at: string } | { state: 'running' } | { state: 'paused' };

/**
 * Where an item's SLA cycle stands at `now`: completed at its first outcome (achieved, if by the due time),
 * completed at the due time while unresolved (breached), running, or paused (waiting on the owner).
 */
export function slaCycle(c: SlaClockFacts, now: string): SlaCycle {
  if (c.firstOutcomeAt !== null && c.firstOutcomeAt <= c.dueAt) return { state: 'achieved', at: c.firstOutcomeAt };
  if (c.firstOutcomeAt === null && slaPausedNow(c)) return { state: 'paused' };
  if (c.dueAt <= now) return { state: 'breached', at: c.dueAt };
  return { state: 'running' };
}

/** Resolution time on the SLA clock: first outcome − enqueue − the paused minutes before it; null before an outcome. */
export const slaResolutionMinutes = (c: SlaClockFacts): number | null =>
  c.firstOutcomeAt === null ? null : (Date.parse(c.firstOutcomeAt) - Date.parse(c.enqueuedAt)) / 60_000 - c.pausedMinutesBeforeOutcome;

/** Minutes left on the clock of an unresolved item at `now`; null while it is paused (neither at risk nor breaching). */
export const slaMinutesLeft = (c: Pick<SlaClockFacts, 'dueAt' | 'pausedSince'>, now: string): number | null =>
  slaPausedNow(c) ? null : (Date.parse(c.dueAt) - Date.parse(now)) / 60_000;

/** True when an open item with `minutesLeft` to its SLA due time is at risk (not yet breached, < 20 % left). */
export const isAtRisk = (minutesLeft: number, slaTargetMinutes: number) => minutesLeft > 0 && minutesLeft < AT_RISK_SHARE_LEFT * slaTargetMinutes;

// ---------- ISO weeks (the weekly review) ----------

export const IsoWeek = z.string().regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, 'an ISO week like 2026-W48');
export type IsoWeek = z.infer<typeof IsoWeek>;

/** The ISO week (Monday-based, week 1 holds the year's first Thursday) of a UTC instant. */
export function isoWeekOf(d: Date): IsoWeek {
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const dow = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - dow);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** [Monday 00:00 UTC, next Monday 00:00 UTC) of an ISO week; throws on a week the year does not have. */
export function isoWeekBounds(week: IsoWeek): { from: Date; to: Date } {
  const m = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!m) throw new Error(`not an ISO week: ${week}`);
  const year = Number(m[1]);
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const mondayOfWeek1 = Date.UTC(year, 0, 4 - ((jan4.getUTCDay() || 7) - 1));
  const from = new Date(mondayOfWeek1 + (Number(m[2]) - 1) * 7 * 86_400_000);
  if (isoWeekOf(from) !== week) throw new Error(`${year} has no ISO week ${m[2]}`);
  return { from, to: new Date(from.getTime() + 7 * 86_400_000) };
}
