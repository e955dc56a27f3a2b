// Fault suite: the network path between core and server, through a loopback TCP proxy that cuts every
// connection, refuses new ones, stalls (accepts but forwards nothing), and drops push responses after the
// server committed them, sometimes followed by a core SIGKILL so the restarted core cannot know the
// result except from the server (duplicate answer or the results in pull).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionAttempt } from '../helpers/fault-ledger';
import { report, syncUntilQuiet } from '../helpers/fault-invariants';
import { faultScale } from '../helpers/seeded-random';
import { startFaultRig, type FaultRig } from '../helpers/fault-rig';

const ROUNDS = 36 * faultScale();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PUSH = /^POST \/v1\/sync\/push/;

describe('faults: cut, stalled and dropped connections', () => {
  let rig: FaultRig;
  beforeAll(async () => {
    rig = await startFaultRig('faults-network', { syncIntervalMs: 150, claimTargetSize: 12 });
  });
  afterAll(async () => {
    await rig?.cleanup();
  });

  it(`converges after ${ROUNDS} rounds of network faults`, async () => {
    const { rnd, proxy } = rig;
    let core = await rig.startCore();
    await rig.waitForWork(core, 4);
    const faults = { cut: 0, refuse: 0, stall: 0, stallThenCut: 0, dropPush: 0, dropPushThenKill: 0, reassignedOffline: 0, poisonItem: 0, poisonMutation: 0 };
    let quarantinedSeen = 0;
    let poisonedUntouched = 0;
    const sam = rig.reviewer().as('demo-sam');
    const bobId = (await rig.reviewer().as('demo-bob').me()).id;
    const reassigned: DecisionAttempt[] = [];

    for (let round = 0; round < ROUNDS; round++) {
      await rig.waitForWork(core, 2, 5_000);
      const fault = rnd.pick(['cut', 'refuse', 'stall', 'stallThenCut', 'dropPush', 'dropPush', 'dropPushThenKill', 'reassignedOffline', 'poisonItem', 'poisonMutation'] as const);
      faults[fault] += 1;
      if (fault === 'poisonItem') {
        // An item the desk cannot read arrives mid-burst under a cut: quarantined, everything else syncs.
        const poisoned = await rig.poisonItem();
        const burst = rig.decideBurst(core, rnd.int(1, 4));
        await sleep(rnd.int(0, 30));
        proxy.cutAll();
        await burst;
        const quarantined = (await core.ok('sync.now', {})).quarantined ?? 0;
        quarantinedSeen = Math.max(quarantinedSeen, quarantined);
        // A poisoned item the desk has decided (in this burst or pending from before) comes back as a removal
        // once the push lands, never as an upsert to quarantine; only an untouched one must be quarantined.
        if (poisoned && !rig.ledger.touchedItemIds().includes(poisoned)) poisonedUntouched += 1;
      } else if (fault === 'poisonMutation') {
        // A decision the server would refuse as malformed, between good ones: refused at once, nothing written.
        await rig.decideBurst(core, rnd.int(1, 2));
        const poison = await rig.poisonDecision(core);
        expect(poison.refused, poison.message).toBe(true);
        await rig.decideBurst(core, rnd.int(1, 2));
      } else if (fault === 'cut') {
        const burst = rig.decideBurst(core, rnd.int(2, 5));
        await sleep(rnd.int(0, 30));
        proxy.cutAll();
        await burst;
      } else if (fault === 'reassignedOffline') {
        // Decided offline while a supervisor gave the item to bob: a conflict, kept in the inbox.
        proxy.setRefusing(true);
        proxy.cutAll();
        const burst = await rig.decideBurst(core, 1);
        // Not a poisoned item: the assignment's answer would carry its invalid copy to this test's own client.
        const a = burst.attempts.find((x) => x.acked && x.undone === undefined && !rig.isPoisoned(x.itemId));
        if (a) {
          await sam.assign({ itemIds: [a.itemId], assigneeId: bobId });
          reassigned.push(a);
        }
        proxy.setRefusing(false);
      } else if (fault === 'refuse') {
        proxy.setRefusing(true);
        proxy.cutAll();
        await rig.decideBurst(core, rnd.int(1, 4));
        await sleep(rnd.int(100, 400));
        proxy.setRefusing(false);
      } else if (fault === 'stall' || fault === 'stallThenCut') {
        const stall = proxy.stall(rnd.int(200, 1200), { thenCut: fault === 'stallThenCut' });
        await rig.decideBurst(core, rnd.int(1, 4));
        await stall;
      } else {
        // The server commits the push, the answer never arrives.
        const before = proxy.stats.responsesDropped;
        proxy.dropResponses(PUSH, 1);
        await rig.decideBurst(core, rnd.int(1, 4));
        const deadline = Date.now() + 3_000;
        while (proxy.stats.responsesDropped === before && Date.now() < deadline) await sleep(20);
        if (fault === 'dropPushThenKill') {
          await core.kill('SIGKILL');
          core = await rig.startCore();
        }
      }
    }

    console.log(`[faults-network] seed=${rig.seed} faults=${JSON.stringify(faults)} proxy=${JSON.stringify(proxy.stats)} acked=${rig.ledger.acked().length}`);
    await syncUntilQuiet(core);
    // Poisoned items were quarantined, never fatal; once valid again they come back and quarantine empties.
    if (poisonedUntouched > 0) expect(quarantinedSeen).toBeGreaterThan(0);
    await rig.healPoisoned();
    await syncUntilQuiet(core);
    expect((await core.ok('sync.now', {})).quarantined ?? 0).toBe(0);
    const inbox = (await core.ok('conflicts.list', {})).conflicts;
    for (const a of reassigned) {
      const c = inbox.find((x) => x.mutationId === a.mutationId);
      expect(c, `${a.tag} (${a.kind} on ${a.itemId}) decided offline on an item reassigned to bob is in the conflicts inbox`).toBeDefined();
      // Every kind is a `reassigned` conflict; the server may also refuse a note as invalid_transition. When the
      // desk's copy was already a lease behind (deferred and claimed back while the proxy refused), the lease it
      // decided under ended before the reassignment: `stale_epoch`, which the desk also files as not mine any more.
      const expected = ['reassigned', 'stale_epoch', ...(a.kind === 'note' ? ['invalid_transition'] : [])];
      expect(expected).toContain(c?.code);
    }
    const { violations, stopped } = await rig.finish(core);
    expect(violations, report(rig.seed, violations)).toEqual([]);
    // The faults really happened: pushes were committed by the server and their answers swallowed.
    expect(proxy.stats.responsesDropped).toBeGreaterThan(0);
    expect(proxy.stats.cuts).toBeGreaterThan(0);
    expect(stopped.serverMutations.size).toBeGreaterThanOrEqual(rig.ledger.acked().length);
  }, 180_000 * faultScale());
});
