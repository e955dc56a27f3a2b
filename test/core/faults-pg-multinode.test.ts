// The desk core's fault suite against several nodes (issue 13, DESIGN §12), bounded: a seeded subset of the
// faults of faults-network, faults-server-kill and faults-core-kill, with the core talking through the fault
// proxy to a round-robin balancer in front of three server processes on one PostgreSQL database. A node is
// SIGKILLed while the core pushes (the balancer then sends the retry to another node), connections are cut,
// push answers are dropped after a node committed them (sometimes followed by a core SIGKILL), an item the
// desk cannot read arrives; then the five invariants (test/helpers/fault-invariants.ts) must hold. The whole
// fault suite runs on this backend with `FAULT_BACKEND=pg-multinode npx vitest run --project faults-multinode`
// (vitest.config.ts). Replay a failure with FAULT_SEED=<seed from the log>.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { report, syncUntilQuiet } from '../helpers/fault-invariants';
import { startFaultRig, type FaultRig } from '../helpers/fault-rig';

const ROUNDS = 12;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PUSH = /^POST \/v1\/sync\/push/;

describe('faults against three API nodes on one PostgreSQL behind a balancer', () => {
  let rig: FaultRig;
  beforeAll(async () => {
    rig = await startFaultRig('faults-pg-multinode', { syncIntervalMs: 150, claimTargetSize: 12, backend: 'pg-multinode' });
  }, 120_000);
  afterAll(async () => {
    await rig?.cleanup();
  });

  it(`converges after ${ROUNDS} rounds of node kills and network faults`, async () => {
    const { rnd, proxy } = rig;
    expect(rig.serverDbFile).toMatch(/^postgres:\/\//);
    let core = await rig.startCore();
    await rig.waitForWork(core, 4);
    const faults = { nodeKill: 0, nodeKillThenCoreKill: 0, cut: 0, dropPush: 0, dropPushThenKill: 0, poisonItem: 0 };
    let quarantinedSeen = 0;

    for (let round = 0; round < ROUNDS; round++) {
      await rig.waitForWork(core, 2, 5_000);
      // Every kind at least once in the first rounds, then seeded.
      const kinds = Object.keys(faults) as (keyof typeof faults)[];
      const fault = round < kinds.length ? kinds[round] : rnd.pick(kinds);
      faults[fault] += 1;
      if (fault === 'nodeKill' || fault === 'nodeKillThenCoreKill') {
        // One node dies while the core pushes what it just decided; the others keep serving.
        const burst = rig.decideBurst(core, rnd.int(2, 5));
        await sleep(rnd.int(0, 30));
        await rig.killServer('SIGKILL');
        await burst;
        await rig.decideBurst(core, rnd.int(1, 3));
        if (fault === 'nodeKillThenCoreKill') {
          await core.kill('SIGKILL');
          core = await rig.startCore();
        }
        await rig.startServer();
      } else if (fault === 'cut') {
        const burst = rig.decideBurst(core, rnd.int(2, 5));
        await sleep(rnd.int(0, 30));
        proxy.cutAll();
        await burst;
      } else if (fault === 'poisonItem') {
        // Seen quarantined before the burst: the burst may then decide the item (the desk keeps the last good
        // copy in triage), which is fine. Asserting it stayed undecided instead failed twice in CI (seeds
        // 812271937, 814969953): the burst picked it, by SLA, before or after the pull.
        // An untouched leased item may take a pull or a claim to reach alice (seed 847138876 had none at first).
        let poisoned = await rig.poisonItem();
        for (const deadline = Date.now() + 10_000; poisoned === null && Date.now() < deadline;) {
          await core.ok('sync.now', {});
          await rig.waitForWork(core, 2, 1_000);
          poisoned = await rig.poisonItem();
        }
        expect(poisoned, 'alice held an undecided leased item to poison').not.toBeNull();
        for (const deadline = Date.now() + 10_000; ;) {
          quarantinedSeen = Math.max(quarantinedSeen, (await core.ok('sync.now', {})).quarantined ?? 0);
          if (quarantinedSeen > 0 || Date.now() > deadline) break;
          await sleep(100);
        }
        await rig.decideBurst(core, rnd.int(1, 3));
        quarantinedSeen = Math.max(quarantinedSeen, (await core.ok('sync.now', {})).quarantined ?? 0);
      } else {
        // A node commits the push, the answer never arrives; the retry may reach another node.
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

    console.log(`[faults-pg-multinode] seed=${rig.seed} faults=${JSON.stringify(faults)} proxy=${JSON.stringify(proxy.stats)} acked=${rig.ledger.acked().length}`);
    await syncUntilQuiet(core);
    expect(quarantinedSeen, 'the poisoned item was quarantined, not fatal').toBeGreaterThan(0);
    await rig.healPoisoned();
    await syncUntilQuiet(core);
    expect((await core.ok('sync.now', {})).quarantined ?? 0).toBe(0);
    const { violations, stopped } = await rig.finish(core);
    expect(violations, report(rig.seed, violations)).toEqual([]);
    expect(proxy.stats.responsesDropped).toBeGreaterThan(0);
    expect(rig.ledger.acked().length).toBeGreaterThan(ROUNDS);
    expect(stopped.serverMutations.size).toBeGreaterThanOrEqual(rig.ledger.acked().length);
  }, 240_000);
});
