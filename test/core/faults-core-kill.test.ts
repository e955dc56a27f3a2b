// Fault suite: the core, in a child process, SIGKILLed at seeded points while it decides, pushes and pulls,
// then restarted on the same cache file. The kill point is an event count, not a sleep: right after the Nth
// decision answered, push request or pull request of the phase (N drawn from the seed), so a seed replays
// the same kill points. After the run the five invariants must hold
// (test/helpers/fault-invariants.ts). Replay a failure with FAULT_SEED=<seed from the log>.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestItems } from '../helpers/central-client';
import { startCoreChild, type CoreChild } from '../helpers/core-child';
import { report, syncUntilQuiet } from '../helpers/fault-invariants';
import { faultScale, seededRandom } from '../helpers/seeded-random';
import { startFaultRig, type FaultRig } from '../helpers/fault-rig';

const KILLS = 54 * faultScale();
const PUSH = /^POST \/v1\/sync\/push /;
const PULL = /^GET \/v1\/sync\/pull[ ?]/;

/**
 * SIGKILLs the core right after the nth event `subscribe` reports (the kill is sent inside the listener, before
 * the event goes further), or when the phase's own work ends with fewer events. Says which of the two it was.
 */
async function killAtEvent(core: CoreChild, n: number, subscribe: (onEvent: () => void) => () => void, work: Promise<unknown>): Promise<'event' | 'end'> {
  let seen = 0;
  let hit!: () => void;
  const atEvent = new Promise<'event'>((resolve) => { hit = () => resolve('event'); });
  const unsubscribe = subscribe(() => {
    seen += 1;
    if (seen !== n) return;
    void core.kill('SIGKILL');
    hit();
  });
  try {
    return await Promise.race([atEvent, work.then(() => 'end' as const, () => 'end' as const)]);
  } finally {
    unsubscribe();
    await core.kill('SIGKILL');
  }
}

describe('faults: core SIGKILLed at random points', () => {
  let rig: FaultRig;
  beforeAll(async () => {
    rig = await startFaultRig('faults-core-kill', { syncIntervalMs: 200, claimTargetSize: 10 });
  });
  afterAll(async () => {
    await rig?.cleanup();
  });

  it(`survives ${KILLS} kills across deciding, pushing and pulling with all invariants intact`, async () => {
    const { proxy } = rig;
    // The kill schedule (phase, poison, burst size, N) has its own stream from the seed: the rig's stream also
    // picks decision kinds, as many as there were rows, so sharing it would let timing shift the schedule.
    const plan = seededRandom((rig.seed ^ 0x5eed) >>> 0);
    const kills = { deciding: 0, pushing: 0, pulling: 0 };
    const killedAt = { event: 0, end: 0 };
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
      const phase = plan.pick(['deciding', 'deciding', 'pushing', 'pushing', 'pulling'] as const);
      // A poison item (one the desk cannot read) and a poison mutation (one the server would refuse) mixed in.
      if (plan.chance(0.25)) await rig.poisonItem();
      if (plan.chance(0.25)) {
        const poison = await rig.poisonDecision(core);
        expect(poison.refused, poison.message).toBe(true);
        poisons += 1;
      }
      if (phase === 'deciding') {
        // Kill while decisions are being written: right after the Nth is answered, maybe the next committed but unanswered.
        await rig.waitForWork(core, 2, 3_000);
        const size = plan.int(2, 6);
        const n = plan.int(1, size);
        const c = core;
        const burst = rig.decideBurst(core, size);
        killedAt[await killAtEvent(core, n, (onEvent) => c.onAnswer((m) => { if (m === 'triage.decide') onEvent(); }), burst)] += 1;
        await burst;
      } else if (phase === 'pushing') {
        // Decide with the server path stalled so the outbox holds them, then release and kill while the
        // push (which may already have been committed by the server) is in flight.
        await rig.waitForWork(core, 1, 3_000);
        const stall = proxy.stall(plan.int(50, 250));
        await rig.decideBurst(core, plan.int(1, 4));
        await stall;
        const sync = core.call('sync.now', {});
        killedAt[await killAtEvent(core, plan.int(1, 2), (onEvent) => proxy.onRequest(PUSH, onEvent), sync)] += 1;
      } else {
        // Kill while the core pulls items a supervisor just assigned to this reviewer.
        const { items } = await ingest.ingest({ items: ingestItems(queueId, 3, { source: 'faults', prefix: `k${rig.seed}`, start: ingested }) });
        ingested += items.length;
        await sam.assign({ itemIds: items.map((i) => i.id), assigneeId: aliceId, leaseMinutes: 240 });
        const sync = core.call('sync.now', {});
        killedAt[await killAtEvent(core, plan.int(1, 3), (onEvent) => proxy.onRequest(PULL, onEvent), sync)] += 1;
      }
      kills[phase] += 1;
      core = await rig.startCore();
    }

    const acked = rig.ledger.acked().length;
    console.log(`[faults-core-kill] seed=${rig.seed} kills=${JSON.stringify(kills)} killed at the Nth event/at the phase's end=${killedAt.event}/${killedAt.end} poison mutations=${poisons} decisions asked=${rig.ledger.attempts.length} acked=${acked} proxy=${JSON.stringify(proxy.stats)}`);
    // The poisoned items were skipped, never fatal: the sync ran on; valid again, they leave quarantine.
    expect((await core.ok('sync.now', {})).state).not.toBe('error');
    await rig.healPoisoned();
    await syncUntilQuiet(core);
    expect((await core.ok('sync.now', {})).quarantined ?? 0).toBe(0);
    const { violations, stopped } = await rig.finish(core);
    expect(violations, report(rig.seed, violations)).toEqual([]);
    // The run did real work: decisions reached the server, and every phase was hit.
    expect(acked).toBeGreaterThan(20);
    expect(stopped.serverMutations.size).toBeGreaterThanOrEqual(acked);
    expect(Math.min(kills.deciding, kills.pushing, kills.pulling)).toBeGreaterThan(0);
    expect(killedAt.event).toBeGreaterThan(0);
  }, 360_000 * faultScale()); // 185 s at load 22 against 240 s: room for a busy CI machine
});
