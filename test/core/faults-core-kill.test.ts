// Fault suite: the core, in a child process, SIGKILLed at seeded random points while it decides, pushes
// and pulls, then restarted on the same cache file. After the run the five invariants must hold
// (test/helpers/fault-invariants.ts). Replay a failure with FAULT_SEED=<seed from the log>.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestItems } from '../helpers/central-client';
import { startCoreChild, type CoreChild } from '../helpers/core-child';
import { report, syncUntilQuiet } from '../helpers/fault-invariants';
import { faultScale } from '../helpers/seeded-random';
import { startFaultRig, type FaultRig } from '../helpers/fault-rig';

const KILLS = 54 * faultScale();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('faults: core SIGKILLed at random points', () => {
  let rig: FaultRig;
  beforeAll(async () => {
    rig = await startFaultRig('faults-core-kill', { syncIntervalMs: 200, claimTargetSize: 10 });
  });
  afterAll(async () => {
    await rig?.cleanup();
  });

  it(`survives ${KILLS} kills across deciding, pushing and pulling with all invariants intact`, async () => {
    const { rnd, proxy } = rig;
    const kills = { deciding: 0, pushing: 0, pulling: 0 };
    let core: CoreChild = await rig.startCore();
    await rig.waitForWork(core, 3);
    // Server-side changes for the pulls to carry: a producer adds items and a supervisor assigns them.
    const ingest = rig.reviewer().as('demo-ingest');
    const sam = rig.reviewer().as('demo-sam');
    const aliceId = (await rig.reviewer().me()).id;
    const queueId = (await rig.reviewer().queues()).queues[0].id;
    let ingested = 0;
    let poisons = 0;

    // One core per cache file: a second one on the same file is refused while the first lives.
    const second = await startCoreChild({ cacheFile: rig.cacheFile });
    expect(second.firstAnswer.ok ? 'opened' : second.firstAnswer.error.code).toBe('locked');
    await second.kill();
    expect((await core.ok('sync.status', {})).state).not.toBe('error');

    while (kills.deciding + kills.pushing + kills.pulling < KILLS) {
      const phase = rnd.pick(['deciding', 'deciding', 'pushing', 'pushing', 'pulling'] as const);
      // A poison item (one the desk cannot read) and a poison mutation (one the server would refuse) mixed in.
      if (rnd.chance(0.25)) rig.poisonItem();
      if (rnd.chance(0.25)) {
        const poison = await rig.poisonDecision(core);
        expect(poison.refused, poison.message).toBe(true);
        poisons += 1;
      }
      if (phase === 'deciding') {
        // Kill while decisions are being written: some answered, maybe one committed but unanswered.
        await rig.waitForWork(core, 2, 3_000);
        const burst = rig.decideBurst(core, rnd.int(2, 6));
        await sleep(rnd.int(0, 50));
        await core.kill('SIGKILL');
        await burst;
      } else if (phase === 'pushing') {
        // Decide with the server path stalled so the outbox holds them, then release and kill while the
        // push (which may already have been committed by the server) is in flight.
        await rig.waitForWork(core, 1, 3_000);
        const stall = proxy.stall(rnd.int(50, 250));
        await rig.decideBurst(core, rnd.int(1, 4));
        await stall;
        void core.call('sync.now', {}).catch(() => undefined);
        await sleep(rnd.int(0, 40));
        await core.kill('SIGKILL');
      } else {
        // Kill while the core pulls items a supervisor just assigned to this reviewer.
        const { items } = await ingest.ingest({ items: ingestItems(queueId, 3, { source: 'faults', prefix: `k${rig.seed}`, start: ingested }) });
        ingested += items.length;
        await sam.assign({ itemIds: items.map((i) => i.id), assigneeId: aliceId, leaseMinutes: 240 });
        void core.call('sync.now', {}).catch(() => undefined);
        await sleep(rnd.int(0, 60));
        await core.kill('SIGKILL');
      }
      kills[phase] += 1;
      core = await rig.startCore();
    }

    const acked = rig.ledger.acked().length;
    console.log(`[faults-core-kill] seed=${rig.seed} kills=${JSON.stringify(kills)} poison mutations=${poisons} decisions asked=${rig.ledger.attempts.length} acked=${acked} proxy=${JSON.stringify(proxy.stats)}`);
    // The poisoned items were skipped, never fatal: the sync ran on; valid again, they leave quarantine.
    expect((await core.ok('sync.now', {})).state).not.toBe('error');
    rig.healPoisoned();
    await syncUntilQuiet(core);
    expect((await core.ok('sync.now', {})).quarantined ?? 0).toBe(0);
    const { violations, stopped } = await rig.finish(core);
    expect(violations, report(rig.seed, violations)).toEqual([]);
    // The run did real work: decisions reached the server, and every phase was hit.
    expect(acked).toBeGreaterThan(20);
    expect(stopped.serverMutations.size).toBeGreaterThanOrEqual(acked);
    expect(Math.min(kills.deciding, kills.pushing, kills.pulling)).toBeGreaterThan(0);
  }, 240_000 * faultScale());
});
