// The exception-operations contract (shared/ops-api.ts) and the pure metric computations
// (shared/metrics-definitions.ts): percentiles by nearest rank with the n ≥ 20 rule, ISO weeks, and the
// schemas refusing what they must refuse.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  costToCompletion, exceptionTax, isAtRisk, isoWeekBounds, isoWeekOf, METRIC_DEFINITIONS, METRIC_NAMES, nearestRank,
  reworkRatePercent, slaCycle, slaMinutesLeft, slaResolutionMinutes, summarizePercentiles, withinSlaPercent, dueAfterPause,
} from '../../shared/metrics-definitions';
import * as ops from '../../shared/ops-api';

describe('metric definitions', () => {
  it('defines every metric once, with a definition and a formula', () => {
    for (const name of METRIC_NAMES) {
      expect(METRIC_DEFINITIONS[name].name).toBe(name);
      expect(METRIC_DEFINITIONS[name].definition.length).toBeGreaterThan(20);
      expect(METRIC_DEFINITIONS[name].formula.length).toBeGreaterThan(5);
    }
  });

  it('nearest-rank percentiles: the value at rank ⌈p/100 · n⌉', () => {
    const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(nearestRank(v, 50)).toBe(5);
    expect(nearestRank(v, 90)).toBe(9);
    expect(nearestRank(v, 91)).toBe(10);
    expect(nearestRank(v, 100)).toBe(10);
    expect(nearestRank(v, 0)).toBe(1);
    expect(nearestRank([], 50)).toBeNull();
  });

  it('hides p50 / p90 below n = 20 and shows them at exactly 20; max always', () => {
    const nineteen = Array.from({ length: 19 }, (_, i) => 19 - i);
    expect(summarizePercentiles(nineteen)).toEqual({ n: 19, p50: null, p90: null, max: 19 });
    const twenty = Array.from({ length: 20 }, (_, i) => 20 - i); // unsorted on purpose
    expect(summarizePercentiles(twenty)).toEqual({ n: 20, p50: 10, p90: 18, max: 20 });
    expect(summarizePercentiles([])).toEqual({ n: 0, p50: null, p90: null, max: null });
  });

  it('ratios are null, never infinite, without a denominator', () => {
    expect(withinSlaPercent(3, 1)).toBe(75);
    expect(withinSlaPercent(0, 0)).toBeNull();
    expect(reworkRatePercent({ reverts: 1, overrides: 1, rolledBack: 1, corrections: 1, outcomes: 8 })).toBe(50);
    expect(reworkRatePercent({ reverts: 1, overrides: 0, rolledBack: 0, corrections: 0, outcomes: 0 })).toBeNull();
    expect(costToCompletion(100, 50, 0)).toEqual({ withExceptions: null, withoutExceptions: null });
    expect(costToCompletion(100, 50, 10)).toEqual({ withExceptions: 15, withoutExceptions: 10 });
  });

  it('exception tax: labor, rework and correction minutes at the hourly rate, plus correction amounts', () => {
    expect(exceptionTax({ laborMinutes: 60, reworkLaborMinutes: 30, correctionMinutes: 30, correctionAmount: 5, costPerHour: 40 })).toBe(85);
  });

  it('at risk: under 20 % of the target left and not yet breached', () => {
    expect(isAtRisk(11.99, 60)).toBe(true);
    expect(isAtRisk(12, 60)).toBe(false);
    expect(isAtRisk(0, 60)).toBe(false);
    expect(isAtRisk(-5, 60)).toBe(false);
  });

  it('SLA clock: a wait on the owner that began before the due time moves it; one that began after does not', () => {
    const t = (min: number) => new Date(Date.UTC(2026, 10, 2, 8, min)).toISOString();
    // Enqueued +0, target 60: escalated +40, owner's outcome +100 → due 60 + 60 = +120.
    expect(dueAfterPause(t(60), t(40), t(100))).toBe(t(120));
    // Escalated at the due time itself (+60) or after: the cycle had breached, the due time stays.
    expect(dueAfterPause(t(60), t(60), t(100))).toBe(t(60));
    expect(dueAfterPause(t(60), t(70), t(100))).toBe(t(60));
    const clock = { enqueuedAt: t(0), dueAt: t(120), pausedSince: null, pausedMinutesBeforeOutcome: 60, firstOutcomeAt: t(100) };
    expect(slaCycle(clock, t(150))).toEqual({ state: 'achieved', at: t(100) });
    expect(slaResolutionMinutes(clock)).toBe(40);
    expect(slaCycle({ ...clock, firstOutcomeAt: t(121) }, t(150))).toEqual({ state: 'breached', at: t(120) });
    // Waiting on the owner since +50 (before the due +60): paused, neither at risk nor breaching, even past +60.
    const waiting = { enqueuedAt: t(0), dueAt: t(60), pausedSince: t(50), pausedMinutesBeforeOutcome: 0, firstOutcomeAt: null };
    expect(slaCycle(waiting, t(200))).toEqual({ state: 'paused' });
    expect(slaMinutesLeft(waiting, t(55))).toBeNull();
    // Waiting since +70, after the due +60: breached at +60.
    expect(slaCycle({ ...waiting, pausedSince: t(70) }, t(200))).toEqual({ state: 'breached', at: t(60) });
    expect(slaMinutesLeft({ ...waiting, pausedSince: null }, t(55))).toBe(5);
    expect(slaCycle({ ...waiting, pausedSince: null }, t(55))).toEqual({ state: 'running' });
  });

  it('ISO weeks: Monday-based, week 1 holds the first Thursday', () => {
    expect(isoWeekOf(new Date('2026-11-30T11:00:00Z'))).toBe('2026-W49');
    expect(isoWeekOf(new Date('2021-01-03T23:59:59Z'))).toBe('2020-W53');
    expect(isoWeekOf(new Date('2024-12-30T00:00:00Z'))).toBe('2025-W01');
    expect(isoWeekBounds('2026-W49')).toEqual({ from: new Date('2026-11-30T00:00:00Z'), to: new Date('2026-12-07T00:00:00Z') });
    expect(isoWeekBounds('2020-W53').from.toISOString()).toBe('2020-12-28T00:00:00.000Z');
    expect(isoWeekBounds('2026-W53').from.toISOString()).toBe('2026-12-28T00:00:00.000Z'); // 2026 starts on a Thursday
    expect(() => isoWeekBounds('2025-W53')).toThrow(/no ISO week/);
  });
});

describe('ops contract schemas', () => {
  const t0 = '2026-11-01T00:00:00.000Z';
  const t1 = '2026-11-02T00:00:00.000Z';

  it('every request and response schema converts to JSON Schema (it is served in /v1/openapi.json)', () => {
    for (const [name, s] of Object.entries(ops)) {
      if (s instanceof z.ZodType) expect(() => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }), name).not.toThrow();
    }
  });

  it('refuses a run period that ends before it starts, a bad currency and a negative run count', () => {
    const ok = { source: 's', workflow: 'w', periodStart: t0, periodEnd: t1, runs: 10, straightThroughCost: { amount: 5, currency: 'EUR' } };
    expect(ops.RunsRequest.safeParse({ runs: [ok] }).success).toBe(true);
    expect(ops.RunsRequest.safeParse({ runs: [{ ...ok, periodEnd: t0 }] }).success).toBe(false);
    expect(ops.RunsRequest.safeParse({ runs: [{ ...ok, straightThroughCost: { amount: 5, currency: 'eur' } }] }).success).toBe(false);
    expect(ops.RunsRequest.safeParse({ runs: [{ ...ok, runs: -1 }] }).success).toBe(false);
    expect(ops.RunsRequest.safeParse({ runs: [] }).success).toBe(false);
  });

  it('a correction names its item exactly one way', () => {
    const base = { source: 's', detectedAt: t0, cost: { minutes: 5 }, note: 'wrong vendor' };
    expect(ops.CorrectionsRequest.safeParse({ corrections: [{ ...base, itemId: 'i1' }] }).success).toBe(true);
    expect(ops.CorrectionsRequest.safeParse({ corrections: [{ ...base, externalId: 'e1' }] }).success).toBe(true);
    expect(ops.CorrectionsRequest.safeParse({ corrections: [{ ...base, itemId: 'i1', externalId: 'e1' }] }).success).toBe(false);
    expect(ops.CorrectionsRequest.safeParse({ corrections: [base] }).success).toBe(false);
  });

  it('an override to reject needs a reason code, to correct a corrected output; every override a reason', () => {
    expect(ops.OverridePayload.safeParse({ outcome: 'approve', reason: 'policy allows it' }).success).toBe(true);
    expect(ops.OverridePayload.safeParse({ outcome: 'approve' }).success).toBe(false);
    expect(ops.OverridePayload.safeParse({ outcome: 'reject', reason: 'x' }).success).toBe(false);
    expect(ops.OverridePayload.safeParse({ outcome: 'correct', reason: 'x' }).success).toBe(false);
    expect(ops.OverridePayload.safeParse({ outcome: 'correct', reason: 'x', correctedOutput: { a: 1 } }).success).toBe(true);
  });

  it('a rollback filter needs a forward time window and a sane metadata path', () => {
    const filter = { from: t0, to: t1, metadata: { path: 'output.modelVersion', equals: 'm-7' } };
    expect(ops.RollbackRequest.safeParse({ mode: 'preview', filter }).success).toBe(true);
    expect(ops.RollbackRequest.safeParse({ mode: 'preview', filter: { ...filter, to: t0 } }).success).toBe(false);
    expect(ops.RollbackRequest.safeParse({ mode: 'preview', filter: { ...filter, metadata: { path: 'constructor', equals: 1 } } }).success).toBe(false);
    expect(ops.RollbackRequest.safeParse({ mode: 'apply', filter, reason: 'model m-7 misreads VAT' }).success).toBe(false);
    expect(ops.RollbackRequest.safeParse({ mode: 'apply', rollbackId: 'rb-2026-11-vat', filter, reason: 'model m-7 misreads VAT' }).success).toBe(true);
  });

  it('queue policy updates are strict and bounded', () => {
    expect(ops.QueuePolicyUpdate.safeParse({ queueId: 'q', laborCost: { amountPerHour: 42, currency: 'EUR' } }).success).toBe(true);
    expect(ops.QueuePolicyUpdate.safeParse({ queueId: 'q', rollbackTrigger: { kind: 'corrections_count', atLeast: 5, windowHours: 24 } }).success).toBe(true);
    expect(ops.QueuePolicyUpdate.safeParse({ queueId: 'q', rollbackTrigger: { kind: 'correction_rate', atLeastPercent: 0, windowDays: 7 } }).success).toBe(false);
    expect(ops.QueuePolicyUpdate.safeParse({ queueId: 'q', slaTargetMinutes: 0 }).success).toBe(false);
    expect(ops.QueuePolicyUpdate.safeParse({ queueId: 'q', owner: 'x' }).success).toBe(false);
  });

  it('metrics intervals run forward and are bounded', () => {
    expect(ops.MetricsQuery.safeParse({ from: t0, to: t1 }).success).toBe(true);
    expect(ops.MetricsQuery.safeParse({ from: t1, to: t0 }).success).toBe(false);
    expect(ops.MetricsQuery.safeParse({ from: '2024-01-01T00:00:00Z', to: t1 }).success).toBe(false);
    expect(ops.ExceptionTaxQuery.parse({ from: t0, to: t1 }).groupBy).toBe('workflow');
    expect(ops.WeeklyReviewQuery.safeParse({ ownerId: 'olivia', week: '2026-W54' }).success).toBe(false);
  });
});
