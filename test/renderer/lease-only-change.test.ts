// onlyLeaseChanged: true exactly when two items differ in no field but the lease's, on generated edits.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Item } from '../../shared/domain';
import { LEASE_FIELDS, onlyLeaseChanged } from '../../renderer/logic/lease-only-change';
import { fakeItem } from './fake-desk';

const base = fakeItem('a', { input: { name: 'J. Ortega', dob: '1997-10-08' }, output: { matches: [{ score: 0.77 }] }, reasons: [{ code: 'pep_hit', severity: 'warning', message: 'PEP' }] as Item['reasons'] });

/** An edit of one field other than the lease's, to a value that differs. */
const contentEdit = fc.oneof(
  fc.record({ title: fc.string({ minLength: 1 }).filter((t) => t !== base.title) }),
  fc.record({ status: fc.constant('open' as const) }),
  fc.record({ assigneeId: fc.constant('bob') }),
  fc.record({ input: fc.constant({ name: 'J. Ortega', dob: '1997-10-09' }) }),
  fc.record({ output: fc.constant({ matches: [{ score: 0.78 }] }) }),
  fc.record({ notes: fc.constant([{ by: 'bob', at: base.createdAt, text: 'look' }] as unknown as Item['notes']) }),
  fc.record({ slaDueAt: fc.constant('2026-11-29T08:00:00.000Z') }),
);
const leaseEdit = fc.record({
  version: fc.integer({ min: 2, max: 99 }),
  assignmentEpoch: fc.integer({ min: 2, max: 99 }),
  leaseExpiresAt: fc.constantFrom(null, '2026-11-28T09:30:00.000Z'),
});

describe('onlyLeaseChanged', () => {
  it('a renewal alone is only a lease change; any other edit, with or without one, is not', () => {
    fc.assert(fc.property(leaseEdit, contentEdit, fc.boolean(), (lease, edit, renewed) => {
      expect(onlyLeaseChanged(base, { ...base, ...lease })).toBe(true);
      expect(onlyLeaseChanged(base, { ...base, ...(renewed ? lease : {}), ...edit } as Item)).toBe(false);
    }), { numRuns: 300 });
  });

  it('names the lease fields of the item', () => {
    for (const f of LEASE_FIELDS) expect(base).toHaveProperty(f);
  });
});
