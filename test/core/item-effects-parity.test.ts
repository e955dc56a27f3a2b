// One effect of a mutation on an item, on both sides: every mutation kind is decided on a real desk core
// (which shows the item through shared/item-effects.ts before the server answers), pushed to the real
// reference server (which applies the same function in its push transaction), and the desk's optimistic
// item must equal the item the server applied, field for field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/index';
import { itemFromRow } from '../../server/db/rows';
import { MUTATION_KINDS, type Item, type MutationKind, type Queue } from '../../shared/domain';
import { RECLASSIFY_REASONS } from '../../shared/reclassify-reasons';
import { startClockedDemoServer, TestClock, type DemoServer } from '../helpers/demo-fixture';
import { demoCore, ok, tmpDir } from './core-fixture';

let demo: DemoServer;
let core: Core;
const serverClock = new TestClock(Date.parse('2026-11-30T09:00:00.000Z'));
const tmp = tmpDir('item-effects');
let ids: string[] = [];
let queueOf: (itemId: string) => Promise<Queue>;

beforeAll(async () => {
  demo = await startClockedDemoServer(serverClock);
  // A sibling of invoices-ledger (same workflow and stage, another class): a reclassified item moves there.
  const base = demo.queues.find((q) => q.id === 'invoices-ledger')!;
  await demo.running!.upsertQueue({ ...base, id: 'invoices-ledger-policy', name: 'Invoices · policy', exceptionClass: 'policy' });
  // The desk's wall clock is the server's, so times the effect derives (a revert's lease) agree.
  core = await demoCore(demo.url, tmp.file('cache.sqlite'), { clock: { monotonicMs: () => performance.now(), now: serverClock.now } });
  await ok(core, 'session.connectDemo', { user: 'alice' });
  await ok(core, 'settings.set', { claimTargetSize: 40 });
  await ok(core, 'sync.now', {});
  const page = await ok(core, 'queue.page', { filter: { statuses: ['leased'], localStates: ['none'] }, limit: 100 });
  ids = page.rows.map((r) => r.id);
  // No top-up claims from here on: the server's item after each push is exactly what the push applied.
  await ok(core, 'settings.set', { claimTargetSize: 1 });
  queueOf = async (itemId) => (await ok(core, 'item.get', { itemId })).queue!;
});
afterAll(async () => {
  await core?.close();
  await demo?.close();
  tmp.cleanup();
});

/** The server's item right after the push applied this desk's mutation (nothing else touches it: no claims top up). */
async function serverApplied(itemId: string): Promise<Item> {
  const m = await demo.running!.database.db.selectFrom('client_mutations').select(['status'])
    .where('item_id', '=', itemId).orderBy('mutation_id', 'desc').executeTakeFirstOrThrow();
  expect(m.status).toBe('applied');
  const row = await demo.running!.database.db.selectFrom('items').selectAll().where('id', '=', itemId).executeTakeFirstOrThrow();
  return itemFromRow(row);
}

const deskItem = async (itemId: string): Promise<Item> => (await ok(core, 'item.get', { itemId })).item;

async function payloadFor(kind: MutationKind, itemId: string): Promise<Record<string, unknown>> {
  const reasonCode = (await queueOf(itemId)).reasonCodes[0].code;
  switch (kind) {
    case 'approve': return { comment: 'fine' };
    case 'reject': return { reasonCode, comment: '' };
    case 'correct': return { correctedOutput: { total: 42 } };
    case 'escalate': return { reasonCode, comment: 'owner please' };
    case 'defer': return {};
    case 'reclassify': return { exceptionClass: 'policy', reasonCode: RECLASSIFY_REASONS[0].code };
    case 'note': return { text: 'called the vendor' };
    case 'revert': return {};
    case 'override': return { outcome: 'approve', reason: 'the owner decides' };
  }
}

describe('the effect of a mutation is the same on the desk and on the server', () => {
  // override is the queue owner's, on someone else's outcome: test/server/ops-override.test.ts checks its parity.
  const direct = MUTATION_KINDS.filter((k) => k !== 'revert' && k !== 'override');

  it.each(direct)('%s', async (kind) => {
    // reclassify needs an item whose queue has a sibling of another class.
    const pick = kind === 'reclassify' ? await findAsync(ids, async (id) => (await queueOf(id)).id === 'invoices-ledger') : ids.find((id) => !used.has(id));
    expect(pick, `an unused leased item for ${kind}`).toBeDefined();
    const itemId = pick!;
    used.add(itemId);
    const before = await deskItem(itemId);
    await ok(core, 'triage.decide', { itemId, kind, payload: await payloadFor(kind, itemId) } as never);
    const optimistic = await deskItem(itemId);
    expect(optimistic).not.toEqual(before);
    await ok(core, 'sync.now', {});
    expect(optimistic).toEqual(await serverApplied(itemId));
    if (kind === 'reclassify') expect(optimistic.queueId).toBe('invoices-ledger-policy');
  });

  it.each(['approve', 'escalate'] as const)('revert of a %s that reached the server', async (kind) => {
    const itemId = ids.find((id) => !used.has(id))!;
    used.add(itemId);
    await ok(core, 'triage.decide', { itemId, kind, payload: await payloadFor(kind, itemId) } as never);
    await ok(core, 'sync.now', {});
    const undo = await ok(core, 'triage.undo', {});
    expect(undo).toMatchObject({ via: 'revert', undone: { itemId } });
    const optimistic = await deskItem(itemId);
    expect(optimistic.status).toBe('leased');
    await ok(core, 'sync.now', {});
    expect(optimistic).toEqual(await serverApplied(itemId));
  });
});

const used = new Set<string>();

async function findAsync<T>(xs: T[], p: (x: T) => Promise<boolean>): Promise<T | undefined> {
  for (const x of xs) if (!used.has(x as string) && (await p(x))) return x;
  return undefined;
}
