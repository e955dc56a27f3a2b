// ItemsRepo.putServerCopies (a pull slice as one batch: new items in multi-row INSERTs, one triage count update
// per assignee; issue 15 gap 1) leaves the cache exactly as putServerCopy item by item would: the same rows
// with the same rowids, bodies, running counts, page totals and trigram index of titles, after any sequence of
// batches (new and known items, copies of one item twice in a batch, items not mine, items with history, more
// than one INSERT's worth of new rows), resets, decisions, title index steps and user switches.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { openCacheDb, type Db } from '../../electron/core/cache-db';
import { ItemsRepo } from '../../electron/core/items-repo';
import { KvRepo } from '../../electron/core/kv-repo';
import { OutboxRepo } from '../../electron/core/outbox-repo';
import { ITEM_STATUSES, type Item } from '../../shared/domain';
import { scriptItem } from './core-fixture';

const IDS = 130;
const TITLES = ['Invoice total mismatch', 'Vendor UNKNOWN', 'Straße überprüfen', 'invoice late'];

type Op =
  | { op: 'batch'; copies: { i: number; assignee: string | null; status: Item['status']; version: number; title: string }[]; force: boolean }
  | { op: 'reset' }
  | { op: 'decide'; i: number }
  | { op: 'titles'; budget: number }
  | { op: 'me'; user: string };

const copy = fc.record({
  i: fc.integer({ min: 0, max: IDS - 1 }),
  assignee: fc.oneof(fc.constant('alice'), fc.constantFrom<string | null>(null, 'alice', 'bob')),
  status: fc.oneof(fc.constantFrom('leased' as const, 'escalated' as const), fc.constantFrom(...ITEM_STATUSES)),
  version: fc.integer({ min: 1, max: 4 }),
  title: fc.constantFrom(...TITLES),
});
const anyOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('batch' as const), copies: fc.array(copy, { maxLength: 140 }), force: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ op: 'reset' as const }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('decide' as const), i: fc.integer({ min: 0, max: IDS - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('titles' as const), budget: fc.integer({ min: 1, max: 200 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('me' as const), user: fc.constantFrom('alice', 'bob') }) },
);

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

interface Cache { db: Db; items: ItemsRepo; outbox: OutboxRepo; setMe: (u: string) => void }
function openCache(): Cache {
  const db = openCacheDb(':memory:');
  cleanups.push(() => db.close());
  const kv = new KvRepo(db);
  const outbox = new OutboxRepo(db, kv);
  let me = 'alice';
  return { db, items: new ItemsRepo(db, outbox, () => me), outbox, setMe: (u) => { me = u; } };
}

function apply(c: Cache, op: Op, batched: boolean): void {
  switch (op.op) {
    case 'batch': {
      const copies = op.copies.map((u) => scriptItem(u.i, { assigneeId: u.assignee, status: u.status, version: u.version, title: u.title }));
      c.db.transaction(() => {
        const withHistory = c.outbox.itemsWithHistory(copies.map((i) => i.id));
        if (batched) c.items.putServerCopies(copies, { force: op.force, withHistory });
        else for (const it of copies) c.items.putServerCopy(it, { force: op.force, noHistory: !withHistory.has(it.id) });
      })();
      return;
    }
    case 'reset':
      c.db.transaction(() => c.items.resetServerCopy())();
      return;
    case 'decide': {
      const got = c.items.get(`itm-${op.i}`);
      if (!got) return;
      c.db.transaction(() => {
        c.outbox.insert({
          kind: 'note', itemId: got.item.id, baseVersion: got.serverItem.version, assignmentEpoch: got.serverItem.assignmentEpoch,
          at: new Date(Date.UTC(2026, 10, 28)).toISOString(), labor: null, payload: { text: 'seen' }, userId: 'alice', needsRebase: false,
        });
        c.items.recompute(got.item.id);
      })();
      return;
    }
    case 'titles':
      c.items.indexTitles(op.budget);
      return;
    case 'me':
      c.setMe(op.user);
  }
}

/** Everything a write can touch, as plain data. */
function stateOf(c: Cache) {
  const all = (sql: string, ...params: unknown[]) => c.db.prepare(sql).all(...params);
  return {
    items: all('SELECT rowid AS row_id, * FROM items ORDER BY id'),
    bodies: all('SELECT * FROM item_bodies ORDER BY id'),
    counts: all('SELECT * FROM triage_counts WHERE n <> 0 ORDER BY assignee_id'),
    titleIndex: all('SELECT through_rowid FROM title_index'),
    titleHits: ['inv', 'ven', 'ße ', 'ate'].map((g) => all('SELECT rowid FROM items_title_trigrams WHERE items_title_trigrams MATCH ? ORDER BY rowid', `"${g}"`)),
    totals: [{}, { statuses: ['leased' as const] }, { text: 'invoice' }, { openOnly: true }].map((filter) =>
      c.items.page({ filter, sort: { by: 'slaDue', dir: 'asc' }, offset: 0, limit: 3 })),
    triage: c.items.triageCount(),
  };
}

describe('ItemsRepo.putServerCopies', () => {
  it('leaves the cache as putServerCopy item by item does, after any sequence of batches, resets, decisions and title steps', () => {
    fc.assert(fc.property(fc.array(anyOp, { minLength: 1, maxLength: 12 }), (ops) => {
      const batched = openCache();
      const single = openCache();
      for (const op of ops) {
        apply(batched, op, true);
        apply(single, op, false);
        expect(stateOf(batched)).toEqual(stateOf(single));
      }
      cleanups.splice(0).reverse().forEach((c) => c());
    }), { numRuns: 60 });
  });

  it('writes a batch of more new items than one INSERT holds, in order, with their running count', () => {
    const c = openCache();
    const copies = Array.from({ length: 123 }, (_, i) => scriptItem(i, { title: TITLES[i % TITLES.length] }));
    c.db.transaction(() => c.items.putServerCopies(copies, { withHistory: new Set() }))();
    expect(c.items.triageCount()).toBe(123);
    expect(c.items.recountTriage()).toBe(123);
    const rows = c.db.prepare<[], { row_id: number; id: string }>('SELECT rowid AS row_id, id FROM items ORDER BY rowid').all();
    expect(rows.map((r) => r.id)).toEqual(copies.map((i) => i.id));
    expect(c.items.get('itm-77')?.item).toEqual(copies[77]);
  });

  it('gives the title index the rowids SQLite gave the rows when new rows reuse the rowids of rows that left', () => {
    const ops: Op[] = [
      { op: 'batch', copies: Array.from({ length: 70 }, (_, i) => ({ i, assignee: 'alice', status: 'leased' as const, version: 1, title: TITLES[i % 4] })), force: false },
      { op: 'titles', budget: 200 },
      // The last 60 rows leave my set (rows deleted from the top: the next inserts reuse their rowids)...
      { op: 'batch', copies: Array.from({ length: 60 }, (_, k) => ({ i: 10 + k, assignee: 'bob', status: 'leased' as const, version: 2, title: TITLES[0] })), force: false },
      // ...and 60 new items take them, in one multi-row INSERT and ten single ones, under the index's reach.
      { op: 'batch', copies: Array.from({ length: 60 }, (_, k) => ({ i: 70 + k, assignee: 'alice', status: 'leased' as const, version: 1, title: TITLES[(k + 1) % 4] })), force: false },
    ];
    const batched = openCache();
    const single = openCache();
    for (const op of ops) {
      apply(batched, op, true);
      apply(single, op, false);
    }
    expect((batched.db.prepare('SELECT max(rowid) AS n FROM items').get() as { n: number }).n).toBe(70);
    expect(stateOf(batched)).toEqual(stateOf(single));
  });
});
