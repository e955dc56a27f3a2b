// sameSyncStatus agrees with a deep comparison on generated statuses, whatever fields differ.
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../shared/desk-api';
import { sameSyncStatus } from '../../renderer/logic/same-sync-status';

const small = fc.integer({ min: 0, max: 2 });
const status: fc.Arbitrary<SyncStatus> = fc.record(
  {
    state: fc.constantFrom('online', 'offline', 'syncing'),
    pending: small, conflicts: small, assigned: small,
    lastSyncAt: fc.constantFrom(null, '2026-12-01T04:00:00.000Z'),
    lastError: fc.constantFrom(null, 'timeout'),
    progress: fc.option(fc.record({ phase: fc.constantFrom('push', 'pull'), done: small, total: fc.option(small) }), { nil: null }),
    nextRetryAt: fc.constantFrom(null, '2026-12-01T04:01:00.000Z'),
    quarantined: small, leasesExpiringSoon: small,
  },
  { requiredKeys: ['state', 'pending', 'conflicts', 'assigned', 'lastSyncAt', 'lastError', 'progress', 'nextRetryAt'] },
) as fc.Arbitrary<SyncStatus>;

describe('sameSyncStatus', () => {
  it('is true exactly when the two statuses are deeply equal', () => {
    fc.assert(fc.property(status, status, (a, b) => {
      expect(sameSyncStatus(a, b)).toBe(isDeepStrictEqual(a, b));
      expect(sameSyncStatus(a, structuredClone(a))).toBe(true);
    }), { numRuns: 2000 });
  });

  it('a first status is never the same as none', () => {
    expect(sameSyncStatus(null, { state: 'online', pending: 0, conflicts: 0, assigned: 0, lastSyncAt: null, lastError: null, progress: null, nextRetryAt: null })).toBe(false);
  });
});
