// "The pull cursor follows commit order, so no change is ever skipped" (DESIGN §5): a client that pulls in
// small pages while the world keeps changing (claims, reassignments, decisions, escalations, expiring
// leases, change-log compaction that forces a reset) ends with exactly the server's assigned set. Seeded, so
// a failure replays with the same seed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PullResponse } from '../../shared/central-api';
import type { Item } from '../../shared/domain';
import { mutationFor, newClientId } from '../helpers/central-client';
import { compactChangeLog } from '../../server/services/pull';
import { openProbe } from '../helpers/db-snapshot';
import { TestClock, startClockedDemoServer, type DemoServer } from '../helpers/demo-fixture';
import { seededRandom } from '../helpers/seeded-random';

const SEEDS = [1, 2, 3];
const clock = new TestClock(Date.parse('2026-03-03T08:00:00.000Z'));
let demo: DemoServer;
beforeAll(async () => { demo = await startClockedDemoServer(clock); });
afterAll(async () => { await demo?.close(); });

/** The desk's copy of its assigned set, built only from pull pages. */
class PulledSet {
  items = new Map<string, Item>();
  cursor: string | undefined;
  apply(page: PullResponse): void {
    if (page.reset) this.items.clear();
    for (const it of page.upserts) this.items.set(it.id, it);
    for (const r of page.removals) this.items.delete(r.itemId);
    this.cursor = page.cursor;
  }
}

async function serverTruth(userId: string): Promise<Map<string, number>> {
  const db = await openProbe(demo.dbFile);
  try {
    const rows = await db.all<{ id: string; version: number }>(`SELECT id, version FROM items WHERE assignee_id = ? AND status IN ('leased', 'escalated') ORDER BY id`, userId);
    return new Map(rows.map((r) => [r.id, r.version]));
  } finally {
    await db.close();
  }
}

describe('pull converges while the assigned set changes between pages', () => {
  it.each(SEEDS)('seed %i', async (seed) => {
    const rng = seededRandom(seed);
    const q = demo.queues.find((x) => x.ownerId === demo.ids.olivia)!;
    const reviewer = demo.as.alice;
    const clientId = newClientId(`converge-${seed}`);
    let nextMutation = 1;
    let compactions = 0;
    await reviewer.claim({ count: 12, queueIds: [q.id], leaseMinutes: 30 });
    const desk = new PulledSet();

    for (let step = 0; step < 40; step++) {
      const page = await reviewer.pull({ cursor: desk.cursor, limit: rng.int(1, 4), clientId });
      desk.apply(page);
      const held = [...(await serverTruth(demo.ids.alice)).keys()];
      const op = rng.int(0, 5);
      if (op === 0) {
        await reviewer.claim({ count: rng.int(1, 3), queueIds: [q.id], leaseMinutes: rng.int(1, 30) });
      } else if (op === 1 && held.length > 0) {
        await demo.as.sam.assign({ itemIds: [rng.pick(held)], assigneeId: demo.ids.bob });
      } else if ((op === 2 || op === 3) && held.length > 0) {
        // Decide or escalate from the server's current copy (what a desk that had pulled it would hold).
        const id = rng.pick(held);
        const current = (await demo.as.sam.assign({ itemIds: [id], assigneeId: demo.ids.alice })).items[0];
        const m = op === 2
          ? mutationFor('approve', current, nextMutation++, {})
          : mutationFor('escalate', current, nextMutation++, { reasonCode: q.reasonCodes[0].code });
        const res = await reviewer.push({ clientId, mutations: [m] });
        expect(res.results[0].status).toBe('applied');
      } else if (op === 4) {
        clock.advanceMinutes(rng.int(1, 20)); // some short leases expire on the next request
      }
      if (step === 20 || (op === 5 && rng.chance(0.3))) {
        // Retention compacts the change log past the desk's cursor: its next pull must answer `reset`.
        const { db } = demo.running!.database;
        const top = Number((await db.selectFrom('change_log').select((eb) => eb.fn.max('pos').as('p')).executeTakeFirstOrThrow()).p);
        await compactChangeLog(demo.running!.database.db, top);
        compactions += 1;
        const page = await reviewer.pull({ cursor: desk.cursor, limit: 2, clientId });
        if (desk.cursor?.startsWith('c.') && Number(desk.cursor.split('.')[2]) < top) expect(page.reset).toBe(true);
        desk.apply(page);
      }
    }
    // Drain: pull until nothing more, then the desk's set is the server's, item for item and version for version.
    for (let i = 0; i < 100; i++) {
      const page = await reviewer.pull({ cursor: desk.cursor, limit: 3, clientId });
      desk.apply(page);
      if (!page.hasMore) break;
    }
    const truth = await serverTruth(demo.ids.alice);
    expect(new Map([...desk.items].map(([id, it]) => [id, it.version]))).toEqual(truth);
    expect(compactions).toBeGreaterThan(0);
  });
});
