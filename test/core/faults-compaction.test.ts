// Fault suite: the server compacts its change log (retention) while the desk is away, so the desk's next
// pull gets `reset`. Meanwhile a supervisor reassigned an item this desk had already noted, and the desk
// holds an unsent decision. After the reset the outbox must survive and push, and the cache must equal the
// server's assigned set: no item may stay in triage because only its old copy was kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProbe } from '../helpers/db-snapshot';
import { report, syncUntilQuiet } from '../helpers/fault-invariants';
import { startFaultRig, type FaultRig } from '../helpers/fault-rig';

/** What the server's retention does (server/services/pull.ts compactChangeLog), on the server's database. */
async function compactWholeChangeLog(target: string): Promise<number> {
  const db = await openProbe(target, { writable: true });
  try {
    const pos = Number((await db.get<{ pos: number | null }>('SELECT max(pos) AS pos FROM change_log'))?.pos ?? 0);
    await db.run('BEGIN');
    await db.run('DELETE FROM change_log WHERE pos <= ?', pos);
    await db.run(`INSERT INTO meta (key, value) VALUES ('change_log_floor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, String(pos));
    await db.run('COMMIT');
    return pos;
  } finally {
    await db.close();
  }
}

describe('faults: change log compacted while the desk was away (pull reset)', () => {
  let rig: FaultRig;
  beforeAll(async () => {
    rig = await startFaultRig('faults-compaction', { syncIntervalMs: 150, claimTargetSize: 8, undoChance: 0 });
  });
  afterAll(async () => {
    await rig?.cleanup();
  });

  it('keeps the outbox and drops items that left the assigned set during the reset', async () => {
    const { proxy, ledger } = rig;
    let core = await rig.startCore();
    await rig.waitForWork(core, 4);
    const rows = (await core.ok('queue.page', { filter: { statuses: ['leased'], localStates: ['none'] }, limit: 2 })).rows;
    expect(rows.length).toBe(2);
    const [noted, decidedOffline] = rows;

    // A note that reaches the server (the desk now keeps history on that item).
    const note = ledger.decision(noted.id, 'note', 'unused', rig.life);
    note.attempt.mutationId = (await core.ok('triage.decide', note.input)).mutationId;
    note.attempt.acked = true;
    await syncUntilQuiet(core);

    // Offline: an approval waits in the outbox; the desk goes away.
    proxy.setRefusing(true);
    proxy.cutAll();
    const approve = ledger.decision(decidedOffline.id, 'approve', 'unused', rig.life);
    approve.attempt.mutationId = (await core.ok('triage.decide', approve.input)).mutationId;
    approve.attempt.acked = true;
    await core.kill('SIGKILL');

    // Meanwhile: the supervisor gives the noted item to bob, and the server compacts its change log.
    const bobId = (await rig.reviewer().as('demo-bob').me()).id;
    await rig.reviewer().as('demo-sam').assign({ itemIds: [noted.id], assigneeId: bobId });
    await rig.killServer('SIGTERM');
    expect(await compactWholeChangeLog(rig.serverDbFile)).toBeGreaterThan(0);
    await rig.startServer();

    proxy.setRefusing(false);
    core = await rig.startCore();
    await syncUntilQuiet(core);
    const after = await core.ok('item.get', { itemId: noted.id });
    const stillMine = after.item.assigneeId === (await rig.reviewer().me()).id && after.item.status === 'leased';

    const { violations, stopped } = await rig.finish(core);
    expect({ [`${noted.id} still in alice's triage after the reset`]: stillMine, violations }, report(rig.seed, violations))
      .toEqual({ [`${noted.id} still in alice's triage after the reset`]: false, violations: [] });
    // The offline approval survived the reset and was applied.
    expect(stopped.serverMutations.get(approve.attempt.mutationId!)?.status).toBe('applied');
  }, 90_000);
});
