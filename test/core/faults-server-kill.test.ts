// Fault suite: the reference server SIGKILLed (mid-push, mid-pull) and restarted on the same database
// while the core keeps deciding. The desk must keep working offline and converge once the server is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { report } from '../helpers/fault-invariants';
import { faultScale } from '../helpers/seeded-random';
import { startFaultRig, type FaultRig } from '../helpers/fault-rig';

const SERVER_KILLS = 8 * faultScale();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('faults: server SIGKILLed and restarted', () => {
  let rig: FaultRig;
  beforeAll(async () => {
    rig = await startFaultRig('faults-server-kill', { syncIntervalMs: 150, claimTargetSize: 12 });
  });
  afterAll(async () => {
    await rig?.cleanup();
  });

  it(`loses nothing across ${SERVER_KILLS} server kills`, async () => {
    const { rnd } = rig;
    let core = await rig.startCore();
    await rig.waitForWork(core, 4);
    let offlineDecisions = 0;

    for (let round = 0; round < SERVER_KILLS; round++) {
      await rig.waitForWork(core, 2, 5_000);
      // Decide, and kill the server at a random moment while the core pushes what it just wrote.
      const burst = rig.decideBurst(core, rnd.int(2, 6));
      await sleep(rnd.int(0, 30));
      await rig.killServer('SIGKILL');
      await burst;
      // The desk keeps working while the server is down.
      const offline = await rig.decideBurst(core, rnd.int(1, 3));
      offlineDecisions += offline.acked;
      if (rnd.chance(0.3)) {
        await core.kill('SIGKILL');
        core = await rig.startCore();
      }
      await sleep(rnd.int(50, 400));
      await rig.startServer();
    }

    console.log(`[faults-server-kill] seed=${rig.seed} asked=${rig.ledger.attempts.length} acked=${rig.ledger.acked().length} offline=${offlineDecisions}`);
    const { violations, stopped } = await rig.finish(core);
    expect(violations, report(rig.seed, violations)).toEqual([]);
    expect(offlineDecisions).toBeGreaterThan(0);
    expect(stopped.serverMutations.size).toBeGreaterThanOrEqual(rig.ledger.acked().length);
  }, 180_000 * faultScale());
});
