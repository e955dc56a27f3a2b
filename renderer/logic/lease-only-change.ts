// A lease renewed to the same reviewer (the next morning's re-claim of a cache whose leases ended
// overnight, a renewal on sync) bumps an item's version without changing anything the reviewer reads.
// The core refuses a decision on an older version ("the item changed while you were reading it"), which
// is right for an edit and wrong for a renewal: nothing changed under the reviewer's eyes.
import { dequal } from 'dequal';
import type { Item } from '../../shared/domain';

/** The fields a lease (claim, renewal) changes; every other field is what the reviewer read. */
export const LEASE_FIELDS = ['version', 'assignmentEpoch', 'leaseExpiresAt'] as const satisfies readonly (keyof Item)[];

function withoutLease(item: Item): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...item };
  for (const f of LEASE_FIELDS) delete rest[f];
  return rest;
}

/** True when `now` differs from `shown` only by its lease: same assignee, status and content. */
export function onlyLeaseChanged(shown: Item, now: Item): boolean {
  return dequal(withoutLease(shown), withoutLease(now));
}
