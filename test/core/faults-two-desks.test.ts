// Fault suite: one reviewer on two desks (two cache files, two client ids), both offline, deciding the
// same items differently. Back online, the server must take exactly one decision per (item, epoch) (DESIGN
// §5 "No double decision, from any client"); the other desk's decision lands in its conflicts inbox, and
// both caches converge on the server's view.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoreChild, type CoreChild } from '../helpers/core-child';
import { FaultLedger } from '../helpers/fault-ledger';
import { checkLive, checkStopped, report, syncUntilQuiet } from '../helpers/fault-invariants';
import { REVIEWER_TOKEN, startFaultRig, type FaultRig } from '../helpers/fault-rig';

const OUTCOMES = ['approve', 'reject', 'correct'] as const;

describe('faults: the same reviewer on two desks, offline, deciding the same items', () => {
  let rig: FaultRig;
  let deskB: CoreChild | null = null;
  beforeAll(async () => {
    rig = await startFaultRig('faults-two-desks', { syncIntervalMs: 150, claimTargetSize: 10, undoChance: 0 });
  });
  afterAll(async () => {
    await deskB?.kill();
    await rig?.cleanup();
  });

  it('applies exactly one decision per (item, epoch) and keeps the other in the inbox', async () => {
    const { rnd, proxy } = rig;
    const deskA = await rig.startCore();
    await rig.waitForWork(deskA, 6);
    const cacheB = join(rig.dir, 'cache-b.sqlite');
    deskB = await startCoreChild({ cacheFile: cacheB, syncIntervalMs: 150, tokenFile: join(rig.dir, 'token-b.txt') });
    await deskB.ok('session.connect', { serverUrl: proxy.url, token: REVIEWER_TOKEN });
    await deskB.ok('settings.set', { claimTargetSize: 10, leaseMinutes: 240 });
    const ledgerB = new FaultLedger(`faults-two-desks:${rig.seed}:B`);
    ledgerB.clientId = (await deskB.ok('session.get', {})).clientId;
    expect(ledgerB.clientId).not.toBe(rig.ledger.clientId);
    await syncUntilQuiet(deskA);
    await syncUntilQuiet(deskB);

    // Items both desks hold, in the same lease.
    const page = (d: CoreChild) => d.ok('queue.page', { filter: { statuses: ['leased'], localStates: ['none'] }, limit: 100 });
    const inB = new Set((await page(deskB)).rows.map((r) => r.id));
    const shared = (await page(deskA)).rows.filter((r) => inB.has(r.id)).slice(0, 6);
    expect(shared.length).toBeGreaterThanOrEqual(4);
    const reasons = new Map((await deskA.ok('queue.list', {})).queues.map((q) => [q.id, q.reasonCodes[0].code]));

    proxy.setRefusing(true);
    proxy.cutAll();
    for (const row of shared) {
      for (const [desk, ledger] of [[deskA, rig.ledger], [deskB, ledgerB]] as const) {
        const { input, attempt } = ledger.decision(row.id, rnd.pick(OUTCOMES), reasons.get(row.queueId) ?? 'unused', 1);
        attempt.mutationId = (await desk.ok('triage.decide', input)).mutationId;
        attempt.acked = true;
      }
    }
    proxy.setRefusing(false);
    // Race them back: both push at once.
    await Promise.all([deskA.ok('sync.now', {}), deskB.ok('sync.now', {})]);

    const liveA = await checkLive({ core: deskA, reviewer: rig.reviewer(), ledger: rig.ledger });
    const liveB = await checkLive({ core: deskB, reviewer: rig.reviewer(), ledger: ledgerB });
    const inboxes = [...(await deskA.ok('conflicts.list', {})).conflicts, ...(await deskB.ok('conflicts.list', {})).conflicts];
    await deskA.kill();
    await deskB.kill();
    await rig.killServer('SIGTERM');
    const stoppedA = await checkStopped({ cacheFile: rig.cacheFile, serverDbFile: rig.serverDbFile, ledger: rig.ledger });
    const stoppedB = await checkStopped({ cacheFile: cacheB, serverDbFile: rig.serverDbFile, ledger: ledgerB });
    const violations = [...liveA.violations, ...liveB.violations, ...stoppedA.violations, ...stoppedB.violations];
    expect(violations, report(rig.seed, violations)).toEqual([]);

    // Per shared item: one outcome on the server; the losing desk holds its decision as a conflict.
    for (const row of shared) {
      const outcomes = stoppedA.serverDecisions.filter((d) => d.item_id === row.id && d.kind !== 'revert');
      expect(outcomes.length, `${row.id} outcomes on the server`).toBe(1);
      const losers = inboxes.filter((c) => c.itemId === row.id);
      expect(losers.length, `${row.id}: the other desk's decision is in its conflicts inbox`).toBe(1);
    }
  }, 90_000);
});
