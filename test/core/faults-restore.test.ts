// Fault suite: the same cache restored from an old copy. The copy holds decisions still in its outbox;
// after it was taken the desk pushed those and decided more. Restoring the copy replays old mutation ids:
// the server must answer `duplicate` for the same decision and `client_diverged` for a different one under
// a reused id, no decision may be applied twice, and every decision of the old copy must be accounted for.
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation } from '../../shared/central-api';
import { CentralClient } from '../helpers/central-client';
import { syncUntilQuiet, readCacheMutations, report } from '../helpers/fault-invariants';
import { REVIEWER_TOKEN, startFaultRig, type FaultRig } from '../helpers/fault-rig';

const SIDE_FILES = ['', '-wal'];

function copyCache(from: string, to: string): void {
  for (const suffix of SIDE_FILES) {
    rmSync(to + suffix, { force: true });
    if (existsSync(from + suffix)) copyFileSync(from + suffix, to + suffix);
  }
  rmSync(`${to}-shm`, { force: true });
}

describe('faults: cache restored from an old copy', () => {
  let rig: FaultRig;
  beforeAll(async () => {
    rig = await startFaultRig('faults-restore', { syncIntervalMs: 150, claimTargetSize: 14 });
  });
  afterAll(async () => {
    await rig?.cleanup();
  });

  it('answers duplicate / client_diverged and applies no decision twice', async () => {
    const { rnd, proxy, ledger } = rig;
    let core = await rig.startCore();
    await rig.waitForWork(core, 8);

    // A: decided and synced. B: decided offline, still in the outbox when the copy is taken.
    await rig.decideBurst(core, rnd.int(2, 4));
    await syncUntilQuiet(core, 15_000);
    proxy.setRefusing(true);
    proxy.cutAll();
    const b = await rig.decideBurst(core, rnd.int(3, 5));
    expect(b.acked).toBeGreaterThan(0);
    await core.kill('SIGKILL');
    const oldCopy = join(rig.dir, 'old-copy.sqlite');
    copyCache(rig.cacheFile, oldCopy);
    const inOldCopy = new Set(ledger.acked().map((a) => a.tag));
    const oldOutbox = [...readCacheMutations(oldCopy).values()].filter((m) => m.state === 'pending' || m.state === 'sent');
    expect(oldOutbox.length).toBeGreaterThan(0);

    // Back online: B reaches the server; C is decided and synced after the copy.
    proxy.setRefusing(false);
    core = await rig.startCore();
    await syncUntilQuiet(core, 15_000);
    await rig.waitForWork(core, 3, 10_000);
    await rig.decideBurst(core, rnd.int(3, 6));
    const quiet = await syncUntilQuiet(core, 15_000);
    expect(quiet.pending).toBe(0);
    await core.kill('SIGKILL');
    const afterCopy = new Set(ledger.acked().map((a) => a.tag).filter((t) => !inOldCopy.has(t)));
    expect(afterCopy.size).toBeGreaterThan(0);

    // Restore the old copy and go on deciding from it, as a reviewer would.
    copyCache(oldCopy, rig.cacheFile);
    core = await rig.startCore();
    const e = await rig.decideBurst(core, rnd.int(2, 4));
    await syncUntilQuiet(core, 20_000);

    // The server itself: replaying an old-copy mutation is a duplicate; a different decision under the
    // same id is client_diverged. Neither changes anything.
    const clientId = ledger.clientId!;
    const replay = oldOutbox[0];
    const asMutation = (payload: Record<string, unknown>, hash: string): Mutation => ({
      mutationId: replay.mutation_id, kind: replay.kind, itemId: replay.item_id, baseVersion: replay.base_version,
      assignmentEpoch: replay.assignment_epoch, at: replay.at, payload, payloadHash: hash,
      ...(replay.labor_json ? { labor: JSON.parse(replay.labor_json) } : {}),
    }) as Mutation;
    const alice = new CentralClient(rig.reviewer().baseUrl, REVIEWER_TOKEN);
    const same = await alice.push({ clientId, mutations: [asMutation(JSON.parse(replay.payload_json), replay.payload_hash)] });
    expect(same.results[0]?.status, JSON.stringify(same)).toBe('duplicate');
    const otherPayload = replay.kind === 'note' ? { text: 'not the same decision' } : { ...JSON.parse(replay.payload_json), comment: 'not the same decision' };
    const diverged = await alice.push({ clientId, mutations: [asMutation(otherPayload, 'f'.repeat(64))] });
    expect(diverged.results[0]?.code, JSON.stringify(diverged)).toBe('client_diverged');

    // Decisions the restored desk made under reused ids are not lost: they sit in the conflicts inbox.
    const conflicts = (await core.ok('conflicts.list', {})).conflicts;
    const divergedLocally = conflicts.filter((c) => c.code === 'client_diverged');
    console.log(`[faults-restore] seed=${rig.seed} oldOutbox=${oldOutbox.length} afterCopy=${afterCopy.size} restoredDecided=${e.acked} divergedInInbox=${divergedLocally.length}`);

    const { violations, stopped } = await rig.finish(core, { ackedMayBeGone: afterCopy });
    expect(violations, report(rig.seed, violations)).toEqual([]);
    // Every decision of the old copy is accounted for: on the server, with the hash the copy holds.
    for (const m of oldOutbox) {
      const r = stopped.serverMutations.get(m.mutation_id);
      expect(r?.payload_hash, `old-copy mutation ${m.mutation_id}`).toBe(m.payload_hash);
    }
    // Every restored-timeline decision under a reused id was answered client_diverged and kept.
    for (const m of stopped.cacheMutations.values()) {
      const r = stopped.serverMutations.get(m.mutation_id);
      if (r && r.payload_hash !== m.payload_hash) {
        expect(m.result_code, `mutation ${m.mutation_id}`).toBe('client_diverged');
        expect(divergedLocally.some((c) => c.mutationId === m.mutation_id), `mutation ${m.mutation_id} in the conflicts inbox`).toBe(true);
      }
    }
  }, 120_000);
});

