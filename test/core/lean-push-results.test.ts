// Lean push results (PushRequest.leanResults, issue 15 gap 5): an applied approve / reject / correct / defer /
// note on an item at the mutation's baseVersion comes back as the item's new version only, and the desk applies
// the mutation to its own copy with the function the server applied (shared/item-effects.ts). Held here:
// (1) for generated items, mutations, clocks and queue lists, the effect of a LEAN_RESULT_KINDS mutation reads
// neither the clock nor the queues (so the desk's differing clock and queue list give the server's item), and
// the checker finds the kinds that do read them; (2) against the real server, generated decisions pushed lean
// leave the desk's copy equal to the server's item, with the pull that would repair a wrong copy held back.
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemFromRow } from '../../server/db/rows';
import { MutationPayloads } from '../../shared/central-api';
import { Item, MUTATION_KINDS, type MutationKind, type Queue } from '../../shared/domain';
import { applyMutationToItem, LEAN_RESULT_KINDS, type EffectContext, type EffectMutation } from '../../shared/item-effects';
import { RECLASSIFY_REASONS } from '../../shared/reclassify-reasons';
import { startDemoServer, type DemoServer } from '../helpers/demo-fixture';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';
import { demoCore, ok, scriptItem, SCRIPT_QUEUE, tmpDir } from './core-fixture';
import type { Core } from '../../electron/core/index';

const iso = fc.date({ min: new Date('2024-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
const user = fc.constantFrom('alice', 'bob', 'olivia');
const comment = fc.option(fc.string({ maxLength: 30 }), { nil: undefined });
const reasonCode = fc.constantFrom('wrong_total', 'missing_po', 'x');
// Keys the server accepts in a JSON payload (it refuses __proto__ and constructor.prototype: shared/limits.ts).
const key = fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__' && k !== 'constructor');
const jsonLeaf = fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.boolean(), fc.constant(null));
const correctedOutput = fc.dictionary(key, fc.oneof(jsonLeaf, fc.array(jsonLeaf, { maxLength: 3 }), fc.dictionary(key, jsonLeaf, { maxKeys: 2 })), { maxKeys: 4 });

const payloadOf: Record<MutationKind, fc.Arbitrary<Record<string, unknown>>> = {
  approve: fc.record({ comment }, { requiredKeys: [] }),
  reject: fc.record({ reasonCode, comment }, { requiredKeys: ['reasonCode'] }),
  correct: fc.record({ correctedOutput, comment },
    { requiredKeys: ['correctedOutput'] }),
  escalate: fc.record({ reasonCode, comment }, { requiredKeys: ['reasonCode'] }),
  defer: fc.record({ comment }, { requiredKeys: [] }),
  reclassify: fc.record({ exceptionClass: fc.constantFrom('confidence', 'policy', 'data_quality'), reasonCode: fc.constant(RECLASSIFY_REASONS[0].code), comment },
    { requiredKeys: ['exceptionClass', 'reasonCode'] }),
  note: fc.record({ text: fc.string({ minLength: 1, maxLength: 40 }) }),
  revert: fc.record({ comment }, { requiredKeys: [] }),
  override: fc.record({ outcome: fc.constantFrom('approve', 'reject'), reason: fc.string({ minLength: 1, maxLength: 20 }) }),
};

/** An item in any state a mutation may meet it in. */
const item: fc.Arbitrary<Item> = fc.record({
  status: fc.constantFrom('open', 'leased', 'escalated', 'resolved'),
  assigneeId: fc.option(user, { nil: null }),
  assignmentEpoch: fc.nat({ max: 9 }),
  version: fc.integer({ min: 1, max: 50 }),
  leaseExpiresAt: fc.option(iso, { nil: null }),
  notes: fc.array(fc.record({ by: user, at: iso, text: fc.string({ minLength: 1, maxLength: 20 }) }), { maxLength: 3 }),
  queueId: fc.constantFrom('q1', 'q2'),
}).map((over) => scriptItem(1, over as Partial<Item>));

/** A queue list as one side may know it: owners and sibling queues differ from side to side. */
const queues: fc.Arbitrary<Map<string, Queue>> = fc.array(fc.record({
  id: fc.constantFrom('q1', 'q2', 'q3'), ownerId: user, exceptionClass: fc.constantFrom('confidence', 'policy', 'data_quality'),
}), { maxLength: 4 }).map((qs) => new Map(qs.map((q) => [q.id, { ...SCRIPT_QUEUE, ...q } as Queue])));

/** The same mutation applied on two sides that share the item and the user but not the clock or the queue list. */
const twoSides = (kinds: readonly MutationKind[]) => fc.record({
  item, userId: user, at: iso, nowA: iso, nowB: iso, queuesA: queues, queuesB: queues,
  m: fc.constantFrom(...kinds).chain((kind) => payloadOf[kind].map((payload) => ({ kind, payload }))),
});

type TwoSides = ReturnType<typeof twoSides> extends fc.Arbitrary<infer T> ? T : never;

function sameOnBothSides(x: TwoSides): boolean {
  const m: EffectMutation = { kind: x.m.kind, at: x.at, payload: x.m.payload };
  const server = applyMutationToItem(x.item, m, { userId: x.userId, now: x.nowA, queues: x.queuesA } satisfies EffectContext);
  // The desk's copy is the server's item as JSON; its mutation comes back from its outbox as JSON.
  const deskCopy = JSON.parse(JSON.stringify(x.item)) as Item;
  const deskMutation = JSON.parse(JSON.stringify(m)) as EffectMutation;
  const desk = applyMutationToItem(deskCopy, deskMutation, { userId: x.userId, now: x.nowB, queues: x.queuesB });
  // Compared as the desk receives a full result: the server's item as JSON.
  return isDeepStrictEqual(JSON.parse(JSON.stringify(desk)), JSON.parse(JSON.stringify(server)));
}

describe('the effect of a lean-result kind', () => {
  it('is the same item whatever clock and queue list the side applying it has', () => {
    fc.assert(fc.property(twoSides(LEAN_RESULT_KINDS), (x) => {
      expect(sameOnBothSides(x)).toBe(true);
    }), { numRuns: 1000 });
  });

  // override reads neither either; it is the queue owner's (ops-service), never pushed by the sync engine.
  it.each(MUTATION_KINDS.filter((k) => !LEAN_RESULT_KINDS.includes(k) && k !== 'override'))(
    'the check finds that %s reads the clock or the queues (it could not be answered lean)', (kind) => {
      expect(fc.check(fc.property(twoSides([kind]), sameOnBothSides), { numRuns: 1000 }).failed).toBe(true);
    });
});

describe('a push answered lean, against the real server', () => {
  let demo: DemoServer;
  let proxy: TcpProxy;
  let core: Core;
  const tmp = tmpDir('lean-push');
  let leased: string[] = [];

  beforeAll(async () => {
    demo = await startDemoServer();
    proxy = await startTcpProxy({ targetPort: Number(new URL(demo.url).port) });
    core = await demoCore(proxy.url, tmp.file('cache.sqlite'));
    await ok(core, 'session.connectDemo', { user: 'alice' });
    await ok(core, 'settings.set', { claimTargetSize: 60 });
    await ok(core, 'sync.now', {});
    // No top-up claims from here on: the server's items change only by what the desk pushes.
    await ok(core, 'settings.set', { claimTargetSize: 1 });
    leased = (await ok(core, 'queue.page', { filter: { statuses: ['leased'], localStates: ['none'] }, limit: 100 })).rows.map((r) => r.id);
  });
  afterAll(async () => {
    await core?.close();
    await proxy?.close();
    await demo?.close();
    tmp.cleanup();
  });

  const serverItem = async (itemId: string) =>
    itemFromRow(await demo.running!.database.db.selectFrom('items').selectAll().where('id', '=', itemId).executeTakeFirstOrThrow());
  const storedResults = async (itemIds: string[]) => demo.running!.database.db.selectFrom('client_mutations')
    .select(['item_id', 'status', 'result']).where('item_id', 'in', itemIds).execute();

  it('leaves the desk copy equal to the server item for generated decisions', async () => {
    let runs = 0;
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({
        kind: fc.constantFrom(...LEAN_RESULT_KINDS),
        payload: fc.constant(null),
        // A note first on some items: its result leaves the copy one version on, and the decision after it is
        // based on the version before the note (the desk bases it on its copy), so it comes back in full.
        noteFirst: fc.boolean(),
      }).chain((d) => payloadOf[d.kind].map((payload) => ({ ...d, payload }))), { minLength: 1, maxLength: 4 }),
      async (decisions) => {
        const ids = leased.splice(0, decisions.length);
        expect(ids.length, 'enough leased items for the run').toBe(decisions.length);
        runs++;
        for (const [k, d] of decisions.entries()) {
          const itemId = ids[k];
          if (d.noteFirst && d.kind !== 'note') await ok(core, 'triage.decide', { itemId, kind: 'note', payload: { text: `before ${d.kind}` } });
          const payload = d.kind === 'reject' ? { ...d.payload, reasonCode: (await ok(core, 'item.get', { itemId })).queue!.reasonCodes[0].code } : d.payload;
          await ok(core, 'triage.decide', { itemId, kind: d.kind, payload } as never);
        }
        // The pull after the push would bring the server's copy of a decided item and hide a wrong lean one.
        proxy.dropResponses(/^GET \/v1\/sync\/pull/, 1);
        const armed = proxy.stats.dropsArmed;
        await core.call('sync.now', {});
        expect(proxy.stats.dropsArmed, 'the pull after the push was held back').toBe(armed + 1);
        for (const itemId of ids) {
          const desk = await ok(core, 'item.get', { itemId });
          expect(desk.localState).toBe('synced');
          expect(desk.item).toEqual(Item.parse(await serverItem(itemId)));
        }
        // The server did answer lean (the stored result keeps the version it answered instead of the item).
        const stored = await storedResults(ids);
        expect(stored.every((r) => r.status === 'applied')).toBe(true);
        // One lean result per item: its decision, or the note before it (the decision after the note was based on
        // the version before it, so the server answered it in full).
        const lean = stored.filter((r) => 'version' in (JSON.parse(r.result) as object));
        expect(lean.length).toBe(decisions.length);
        expect(stored.length - lean.length).toBe(decisions.filter((d) => d.noteFirst && d.kind !== 'note').length);
        await core.call('sync.now', {});
      }), { numRuns: 8 });
    expect(runs).toBe(8);
  });

  it('parses the payload on the desk with the schema the server parsed it with', () => {
    // An approve carrying a stray reasonCode: the server's schema drops it, so the desk must too.
    const parsed = MutationPayloads.approve.safeParse({ comment: 'ok', reasonCode: 'stray' });
    expect(parsed.success && parsed.data).toEqual({ comment: 'ok' });
  });
});
