// Conflicts (DESIGN §5): the world moved under a reviewer's decision. The item was reassigned by a
// supervisor, resolved elsewhere, or its lease expired and another reviewer leased it. The server answers
// `conflict` (never applies the stale decision), tells the former holder through pull, and keeps one outcome
// per (item, epoch). Time moves through the server's injected clock; nothing sleeps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Item } from '../../shared/domain';
import { mutationFor, newClientId } from '../helpers/central-client';
import { openProbe } from '../helpers/db-snapshot';
import { TestClock, startClockedDemoServer, type DemoServer } from '../helpers/demo-fixture';

const clock = new TestClock(Date.parse('2026-03-02T09:00:00.000Z'));
let demo: DemoServer;
beforeAll(async () => { demo = await startClockedDemoServer(clock); });
afterAll(async () => { await demo?.close(); });

const queue = () => demo.queues[2];

async function cursorOf(who: 'alice' | 'bob') {
  return (await demo.as[who].pullAll({ limit: 1000 })).at(-1)!.cursor;
}

async function eventTypes(itemId: string): Promise<string[]> {
  const db = await openProbe(demo.dbFile);
  try {
    return (await db.all<{ type: string }>('SELECT type FROM item_events WHERE item_id = ? ORDER BY seq', itemId)).map((r) => r.type);
  } finally {
    await db.close();
  }
}

async function outcomesOf(itemId: string): Promise<{ assignment_epoch: number; by: string; kind: string }[]> {
  const db = await openProbe(demo.dbFile);
  try {
    return await db.all(`SELECT assignment_epoch, by, kind FROM decisions WHERE item_id = ? AND kind IN ('approve','reject','correct') ORDER BY seq`, itemId);
  } finally {
    await db.close();
  }
}

async function aliceClaims(leaseMinutes = 30): Promise<Item> {
  const { items } = await demo.as.alice.claim({ count: 1, queueIds: [queue().id], leaseMinutes });
  expect(items).toHaveLength(1);
  return items[0];
}

describe('conflicts', () => {
  it('reassigned by a supervisor: the former holder gets conflict `reassigned` and a removal; the new one decides', async () => {
    const aliceCursor = await cursorOf('alice');
    const bobCursor = await cursorOf('bob');
    const item = await aliceClaims();
    const moved = (await demo.as.sam.assign({ itemIds: [item.id], assigneeId: demo.ids.bob })).items[0];
    expect(moved.assignmentEpoch).toBeGreaterThan(item.assignmentEpoch);

    const stale = await demo.as.alice.push({ clientId: newClientId('alice'), mutations: [mutationFor('approve', item, 1, {})] });
    expect(stale.results[0]).toMatchObject({ status: 'conflict', code: 'reassigned', item: null });

    const alicePull = await demo.as.alice.pull({ cursor: aliceCursor, limit: 1000 });
    expect(alicePull.removals).toContainEqual(expect.objectContaining({ itemId: item.id, reason: 'reassigned' }));
    expect(alicePull.upserts.map((i) => i.id)).not.toContain(item.id);
    const bobPull = await demo.as.bob.pull({ cursor: bobCursor, limit: 1000 });
    expect(bobPull.upserts).toContainEqual(expect.objectContaining({ id: item.id, assigneeId: demo.ids.bob, assignmentEpoch: moved.assignmentEpoch }));

    const bob = await demo.as.bob.push({ clientId: newClientId('bob'), mutations: [mutationFor('approve', moved, 1, {})] });
    expect(bob.results[0]).toMatchObject({ status: 'applied', code: 'ok' });
    expect(await outcomesOf(item.id)).toEqual([{ assignment_epoch: moved.assignmentEpoch, by: demo.ids.bob, kind: 'approve' }]);
  });

  it('resolved elsewhere: a decision on an item someone else already resolved answers conflict and changes nothing', async () => {
    const aliceCursor = await cursorOf('alice');
    const item = await aliceClaims();
    const moved = (await demo.as.sam.assign({ itemIds: [item.id], assigneeId: demo.ids.bob })).items[0];
    const bob = await demo.as.bob.push({ clientId: newClientId('bob'), mutations: [mutationFor('correct', moved, 1, { correctedOutput: { total: 1 } })] });
    expect(bob.results[0].status).toBe('applied');

    const late = await demo.as.alice.push({
      clientId: newClientId('alice'),
      mutations: [mutationFor('reject', item, 1, { reasonCode: queue().reasonCodes[0].code })],
    });
    expect(late.results[0].status).toBe('conflict');
    expect(['resolved_elsewhere', 'reassigned']).toContain(late.results[0].code);
    expect(await outcomesOf(item.id)).toEqual([{ assignment_epoch: moved.assignmentEpoch, by: demo.ids.bob, kind: 'correct' }]);
    const pulled = await demo.as.alice.pull({ cursor: aliceCursor, limit: 1000 });
    const removal = pulled.removals.find((r) => r.itemId === item.id);
    expect(removal?.reason).toMatch(/reassigned|resolved_elsewhere/);
  });

  it('resolved elsewhere on the same lease: a second desk of the same reviewer gets conflict `resolved_elsewhere`', async () => {
    const item = await aliceClaims();
    const first = await demo.as.alice.push({ clientId: newClientId('desk-1'), mutations: [mutationFor('approve', item, 1, {})] });
    expect(first.results[0].status).toBe('applied');
    const second = await demo.as.alice.push({ clientId: newClientId('desk-2'), mutations: [mutationFor('approve', item, 1, { comment: 'me too' })] });
    expect(second.results[0]).toMatchObject({ status: 'conflict', code: 'resolved_elsewhere' });
    expect(second.results[0].item?.outcome?.kind).toBe('approve');
    expect(await outcomesOf(item.id)).toHaveLength(1);
  });

  it('lease expired, not re-leased: the item is back in its queue with an event, the holder hears lease_expired', async () => {
    const aliceCursor = await cursorOf('alice');
    const item = await aliceClaims(5);
    clock.advanceMinutes(6);
    const late = await demo.as.alice.push({ clientId: newClientId('alice'), mutations: [mutationFor('approve', item, 1, {})] });
    expect(late.results[0]).toMatchObject({ status: 'conflict', code: 'lease_expired' });
    const pulled = await demo.as.alice.pull({ cursor: aliceCursor, limit: 1000 });
    expect(pulled.removals).toContainEqual(expect.objectContaining({ itemId: item.id, reason: 'lease_expired' }));
    expect(await eventTypes(item.id)).toContain('lease_expired');
    expect(await outcomesOf(item.id)).toEqual([]);
  });

  it('lease expired and re-leased: the new holder gets a new epoch and decides; the old decision is a conflict', async () => {
    const aliceCursor = await cursorOf('alice');
    const item = await aliceClaims(5);
    const eventsBefore = await eventTypes(item.id);
    expect(eventsBefore.at(-1)).toBe('claimed');
    clock.advanceMinutes(6);
    // Oldest SLA due first: the expired item is back at the head of its queue.
    const { items: bobs } = await demo.as.bob.claim({ count: 5, queueIds: [queue().id], leaseMinutes: 30 });
    const again = bobs.find((i) => i.id === item.id);
    expect(again, 'bob re-leases the expired item').toBeDefined();
    expect(again!.assignmentEpoch).toBeGreaterThan(item.assignmentEpoch);

    const stale = await demo.as.alice.push({ clientId: newClientId('alice'), mutations: [mutationFor('approve', item, 1, {})] });
    expect(stale.results[0].status).toBe('conflict');
    expect(['lease_expired', 'stale_epoch']).toContain(stale.results[0].code);
    expect(stale.results[0].item).toBeNull();
    const fresh = await demo.as.bob.push({ clientId: newClientId('bob'), mutations: [mutationFor('approve', again!, 1, {})] });
    expect(fresh.results[0]).toMatchObject({ status: 'applied', code: 'ok' });

    const pulled = await demo.as.alice.pull({ cursor: aliceCursor, limit: 1000 });
    expect(pulled.removals).toContainEqual(expect.objectContaining({ itemId: item.id, reason: 'lease_expired' }));
    // The log tells the story: alice's lease expired, bob claimed, bob decided; alice's stale push left only her labor.
    expect((await eventTypes(item.id)).slice(eventsBefore.length)).toEqual(['lease_expired', 'claimed', 'labor', 'decided']);
    expect(await outcomesOf(item.id)).toEqual([{ assignment_epoch: again!.assignmentEpoch, by: demo.ids.bob, kind: 'approve' }]);
  });

  it('a decision on an old version of a still-held item is not lost to a note: it applies on the same lease', async () => {
    const item = await aliceClaims();
    const clientId = newClientId('alice');
    const res = await demo.as.alice.push({
      clientId,
      mutations: [mutationFor('note', item, 1, { text: 'checked vendor' }), mutationFor('approve', item, 2, {})],
    });
    expect(res.results.map((r) => r.status)).toEqual(['applied', 'applied']);
  });
});
