// The design-signal, scorecard and weekly-pack contract (shared/ops-api.ts, shared/metrics-definitions.ts,
// shared/weekly-pack-export.ts): each signal rule fires at its threshold and not one below it, the
// scorecard colours change exactly at their boundaries, signal ids have one spelling, and the bodies
// refuse what they must refuse.
import { describe, expect, it } from 'vitest';
import { atLeastPercent, SCORECARD_THRESHOLDS, scorecardRating, SIGNAL_RULES, SIGNAL_THRESHOLDS } from '../../shared/metrics-definitions';
import * as ops from '../../shared/ops-api';
import { csvField, MD_MAX_ITEM_IDS, recomputeText } from '../../shared/weekly-pack-export';

describe('design signal rules (DESIGN §8), at and one below each threshold', () => {
  it('integer percent comparison has no floating-point edge', () => {
    expect(atLeastPercent(40, 100, 40)).toBe(true);
    expect(atLeastPercent(8, 20, 40)).toBe(true); // 0.4 exactly
    expect(atLeastPercent(7, 20, 40)).toBe(false);
    expect(atLeastPercent(0, 0, 0)).toBe(false);
  });

  it('1. trust the AI further: ≥ 95 % approve over n ≥ 200', () => {
    expect(SIGNAL_THRESHOLDS.trustAiFurther).toEqual({ minApprovePercent: 95, minOutcomes: 200 });
    expect(SIGNAL_RULES.trustAiFurther(190, 200)).toBe(true);
    expect(SIGNAL_RULES.trustAiFurther(189, 200)).toBe(false);
    expect(SIGNAL_RULES.trustAiFurther(199, 199)).toBe(false);
  });

  it('2. delegate override authority: p90 latency strictly above the SLA target, n ≥ 20', () => {
    expect(SIGNAL_RULES.delegateOverride(20, 61, 60)).toBe(true);
    expect(SIGNAL_RULES.delegateOverride(20, 60, 60)).toBe(false);
    expect(SIGNAL_RULES.delegateOverride(19, 600, 60)).toBe(false);
    expect(SIGNAL_RULES.delegateOverride(20, null, 60)).toBe(false);
  });

  it('3. tighten an input constraint: one code behind ≥ 40 % of n ≥ 20', () => {
    expect(SIGNAL_RULES.tightenInput(8, 20)).toBe(true);
    expect(SIGNAL_RULES.tightenInput(7, 20)).toBe(false);
    expect(SIGNAL_RULES.tightenInput(19, 19)).toBe(false);
  });

  it('4. simplify a decision branch: the same outcome ≥ 90 % of n ≥ 20', () => {
    expect(SIGNAL_RULES.simplifyBranch(18, 20)).toBe(true);
    expect(SIGNAL_RULES.simplifyBranch(17, 20)).toBe(false);
    expect(SIGNAL_RULES.simplifyBranch(19, 19)).toBe(false);
  });

  it('5. move a control earlier: one stage ≥ 50 % of n ≥ 10 corrections', () => {
    expect(SIGNAL_RULES.moveControlEarlier(5, 10)).toBe(true);
    expect(SIGNAL_RULES.moveControlEarlier(4, 10)).toBe(false);
    expect(SIGNAL_RULES.moveControlEarlier(9, 9)).toBe(false);
  });
});

describe('scorecard colours', () => {
  it('green at the green threshold, amber one below it down to the amber threshold, red below; grey with n = 0', () => {
    for (const [q, t] of Object.entries(SCORECARD_THRESHOLDS) as [keyof typeof SCORECARD_THRESHOLDS, { green: number; amber: number }][]) {
      // Over n = 100 a percent is a count.
      expect(scorecardRating(q, t.green, 100), q).toBe('green');
      expect(scorecardRating(q, t.green - 1, 100), q).toBe('amber');
      expect(scorecardRating(q, t.amber, 100), q).toBe('amber');
      expect(scorecardRating(q, t.amber - 1, 100), q).toBe('red');
      expect(scorecardRating(q, 0, 0), q).toBe('grey');
    }
  });
});

describe('signal ids', () => {
  it('round-trip every kind, with separators and unicode in the parts', () => {
    const refs: ops.SignalSubjectRef[] = [
      { kind: 'trust_ai_further', queueId: 'support-drafts' },
      { kind: 'delegate_override', queueId: 'q/1' },
      { kind: 'tighten_input', queueId: 'invoices-ledger', code: 'VAT_ID_FORMAT' },
      { kind: 'simplify_branch', queueId: 'kyc', code: 'needs.owner' },
      { kind: 'move_control_earlier', workflow: 'invoice extraction/ä', stage: 'post-to-ledger' },
    ];
    for (const ref of refs) {
      const id = ops.signalId(ref);
      expect(ops.parseSignalId(id)).toEqual(ref);
      expect(ops.SignalId.safeParse(id).success).toBe(true);
    }
    expect(ops.signalId({ kind: 'delegate_override', queueId: 'q/1' })).toBe('delegate_override/q%2F1');
  });

  it('refuse unknown kinds, wrong part counts, empty parts and non-canonical spellings', () => {
    for (const bad of ['nope/q', 'trust_ai_further', 'trust_ai_further/a/b', 'tighten_input/q', 'tighten_input/q/', 'move_control_earlier/w/%',
      'trust_ai_further/%71', '']) {
      expect(ops.parseSignalId(bad), bad).toBeNull();
      expect(ops.SignalId.safeParse(bad).success, bad).toBe(false);
    }
  });
});

describe('bodies', () => {
  it('a signal decision needs a known id, accept or dismiss, and a reason; nothing else', () => {
    const ok = { signalId: 'trust_ai_further/support-drafts', decision: 'accept', reason: 'widen the boundary for drafts' };
    expect(ops.SignalDecisionRequest.safeParse(ok).success).toBe(true);
    expect(ops.SignalDecisionRequest.safeParse({ ...ok, reason: '' }).success).toBe(false);
    expect(ops.SignalDecisionRequest.safeParse({ ...ok, decision: 'ignore' }).success).toBe(false);
    expect(ops.SignalDecisionRequest.safeParse({ ...ok, signalId: 'x' }).success).toBe(false);
    expect(ops.SignalDecisionRequest.safeParse({ ...ok, extra: 1 }).success).toBe(false);
  });

  it('a weekly mark needs an ISO week the year has, bounded notes and action items', () => {
    const ok = { week: '2026-W48', notes: 'fine', actionItems: [{ text: 'raise the SLA', dueDate: '2026-12-04' }] };
    expect(ops.WeeklyReviewMark.parse(ok).actionItems).toHaveLength(1);
    expect(ops.WeeklyReviewMark.parse({ week: '2026-W48', notes: '' }).actionItems).toEqual([]);
    expect(ops.WeeklyReviewMark.safeParse({ ...ok, week: '2026-48' }).success).toBe(false);
    expect(ops.WeeklyReviewMark.safeParse({ ...ok, notes: 'x'.repeat(20_001) }).success).toBe(false);
    expect(ops.WeeklyReviewMark.safeParse({ ...ok, actionItems: [{ text: '' }] }).success).toBe(false);
    expect(ops.WeeklyReviewMark.safeParse({ ...ok, actionItems: [{ text: 'a', dueDate: '04/12/2026' }] }).success).toBe(false);
    expect(ops.WeeklyReviewMark.safeParse({ ...ok, actionItems: Array.from({ length: 101 }, () => ({ text: 'a' })) }).success).toBe(false);
    expect(ops.WeeklyExportQuery.safeParse({ week: '2026-W48', format: 'pdf' }).success).toBe(false);
    // 2026 starts on a Thursday: it has a week 53; 2025 does not.
    expect(ops.WeeklyReviewQuery.safeParse({ week: '2026-W53' }).success).toBe(true);
    expect(ops.WeeklyReviewQuery.safeParse({ week: '2025-W53' }).success).toBe(false);
    expect(ops.WeeklyReviewMark.safeParse({ week: '2025-W53', notes: '' }).success).toBe(false);
    expect(ops.SignalsQuery.parse({ from: '2026-11-01T00:00:00Z', to: '2026-11-29T00:00:00Z' }).status).toBe('all');
  });
});

describe('weekly export helpers', () => {
  it('recompute text names the filter and the items, and says how many more the filter selects', () => {
    const r = { itemIds: Array.from({ length: 30 }, (_, i) => `i${i}`), itemIdsTotal: 42, filter: { queueId: 'q', outcomes: ['approve', 'reject'] } };
    expect(recomputeText(r)).toBe(`queueId=q; outcomes=approve+reject; items ${r.itemIds.join(' ')} (+12 more by the filter)`);
    expect(recomputeText(r, MD_MAX_ITEM_IDS)).toBe(`queueId=q; outcomes=approve+reject; items ${r.itemIds.slice(0, 20).join(' ')} (+22 more by the filter)`);
    expect(recomputeText({ itemIds: [], itemIdsTotal: 0, filter: { a: 1 } })).toBe('a=1');
  });

  it('CSV fields with a comma, a quote or a line break are quoted, quotes doubled', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
  });
});
