// The guided rollback's steps: the filter the API gets from the form, and what Esc does at each step.
import { describe, expect, it } from 'vitest';
import { RollbackFilter } from '../../shared/ops-api';
import { back, draftFromFilter, emptyDraft, filterFromDraft, type FlowState } from '../../renderer/views/ops/rollback-flow';

const now = new Date('2026-11-28T10:30:00Z');

describe('rollback filter from the form', () => {
  it('sends only what was given, and the contract accepts it', () => {
    const d = { ...emptyDraft(now), outcomes: ['approve' as const], reviewerIds: 'alice, bob', metadataPath: 'output.modelVersion', metadataEquals: 'v3' };
    const r = filterFromDraft(d);
    expect('filter' in r).toBe(true);
    if (!('filter' in r)) return;
    expect(r.filter).toEqual({
      from: new Date(d.from).toISOString(), to: new Date(d.to).toISOString(), outcomes: ['approve'], reviewerIds: ['alice', 'bob'],
      metadata: { path: 'output.modelVersion', equals: 'v3' },
    });
    expect(RollbackFilter.safeParse(r.filter).success).toBe(true);
    expect(Date.parse(r.filter.to) - Date.parse(r.filter.from)).toBe(7 * 86_400_000 + 60_000);
    expect(Date.parse(r.filter.to)).toBeGreaterThan(now.getTime());
  });
  it('refuses a backwards window and half a metadata condition, in words', () => {
    expect(filterFromDraft({ ...emptyDraft(now), from: '2026-11-28T10:00', to: '2026-11-27T10:00' })).toEqual({ error: '"To" must be after "from".' });
    expect(filterFromDraft({ ...emptyDraft(now), metadataPath: 'output.x' })).toEqual({ error: 'A metadata condition needs both a key and a value.' });
    expect(filterFromDraft({ ...emptyDraft(now), from: '' })).toEqual({ error: 'Give the time window: from and to.' });
  });
  it("an alert's proposed filter round-trips through the form (to the minute)", () => {
    const proposed = { queueIds: ['q1'], outcomes: ['approve' as const], from: '2026-11-20T08:15:00.000Z', to: '2026-11-27T08:15:00.000Z' };
    const r = filterFromDraft(draftFromFilter(proposed));
    expect(r).toEqual({ filter: proposed });
  });
});

describe('Esc at each step', () => {
  const draft = emptyDraft(now);
  const filter = { from: '2026-11-20T08:15:00.000Z', to: '2026-11-27T08:15:00.000Z' };
  const preview = { mode: 'preview' as const, count: 3, byQueue: [], sample: [] };
  it('backs out one step, and out of the flow from the filter, the progress and the result', () => {
    const confirm: FlowState = { step: 'confirm', draft, filter, preview, reason: 'x', rollbackId: 'rb-1', error: null };
    expect(back(confirm)).toEqual({ step: 'preview', draft, filter, preview });
    expect(back(back(confirm))).toEqual({ step: 'filter', draft, error: null });
    expect(back(back(back(confirm)))).toEqual({ step: 'closed' });
    expect(back({ step: 'progress', filter, rollbackId: 'rb-1', progress: null, error: null })).toEqual({ step: 'closed' });
  });
});
