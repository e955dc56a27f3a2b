// The running counts equal a re-count of the rows after any sequence of pull pages: upserts (new, newer,
// older, reassigned, resolved, retitled), removals with and without a copy, resets, decisions kept as
// history, a user switch, and pages whose transaction rolls back. Two of them: the triage count (migration
// 8, kept by ItemsRepo; issue 15 gap 1), which sync status and progress read, and the queue page totals
// (issue 15 gap 3), which a page asks before its rows. A drift would show a wrong figure forever.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { openCacheDb, type Db } from '../../electron/core/cache-db';
import { ItemsRepo } from '../../electron/core/items-repo';
import { KvRepo } from '../../electron/core/kv-repo';
import { MIGRATIONS } from '../../electron/core/migrations';
import { OutboxRepo } from '../../electron/core/outbox-repo';
import { REMOVAL_REASONS, type RemovalReason } from '../../shared/central-api';
import type { QueuePageInput } from '../../shared/desk-api';
import { ITEM_STATUSES, type Item } from '../../shared/domain';
import { scriptItem, tmpDir } from './core-fixture';
import Database from 'better-sqlite3';

const USERS = ['alice', 'bob', 'carol'] as const;
const IDS = 6;

type Op =
  | { op: 'page'; upserts: { i: number; assignee: string | null; status: Item['status']; version: number; title: string }[]; force: boolean; rollback: boolean }
  | { op: 'remove'; i: number; reason: RemovalReason; withCopy: boolean; assignee: string | null; status: Item['status'] }
  | { op: 'reset' }
  | { op: 'decide'; i: number }
  | { op: 'me'; user: string };

// Biased towards my assigned set, so items join it, gather history and then leave it or change hands.
const assignee = fc.oneof(fc.constant('alice'), fc.constantFrom<string | null>(null, ...USERS));
const status = fc.oneof(fc.constantFrom('leased' as const, 'escalated' as const), fc.constantFrom(...ITEM_STATUSES));
const TITLES = ['Invoice total mismatch', 'Vendor UNKNOWN', 'Straße überprüfen', 'invoice late'];
const copy = fc.record({
  i: fc.integer({ min: 0, max: IDS - 1 }),
  assignee,
  status,
  version: fc.integer({ min: 1, max: 6 }),
  title: fc.constantFrom(...TITLES),
});

/** Filters whose totals are asked after every step, so they are kept running across the writes. */
const FILTERS: NonNullable<QueuePageInput['filter']>[] = [
  {}, { statuses: ['leased'] }, { classes: ['confidence', 'policy'] }, { text: 'INVOICE' }, { text: ' straße ' },
  { localStates: ['pending'] }, { statuses: ['escalated', 'leased'], text: 'mismatch' }, { queueIds: ['q1'], localStates: ['none'] },
  { openOnly: true }, { openOnly: true, text: 'invoice' },
];
const pageTotal = (items: ItemsRepo, filter: (typeof FILTERS)[number]) =>
  items.page({ filter, sort: { by: 'slaDue', dir: 'asc' }, offset: 0, limit: 5 }).total;
function recountPage(db: Db, f: (typeof FILTERS)[number], me = 'alice'): number {
  const where: string[] = [];
  const params: string[] = [];
  if (f.openOnly) { where.push('assignee_id = ? AND in_triage = 1'); params.push(me); }
  for (const [col, vals] of [['status', f.statuses], ['class', f.classes], ['queue_id', f.queueIds], ['local_state', f.localStates]] as const) {
    if (vals?.length) { where.push(`${col} IN (${vals.map(() => '?').join(',')})`); params.push(...vals); }
  }
  if (f.text?.trim()) { where.push('instr(lower(title), ?) > 0'); params.push(f.text.trim().toLowerCase()); }
  return (db.prepare(`SELECT COUNT(*) AS n FROM items ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`).get(...params) as { n: number }).n;
}
const anyOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('page' as const), upserts: fc.array(copy, { maxLength: 8 }), force: fc.boolean(), rollback: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({
    op: fc.constant('remove' as const), i: fc.integer({ min: 0, max: IDS - 1 }), reason: fc.constantFrom(...REMOVAL_REASONS),
    withCopy: fc.boolean(), assignee, status,
  }) },
  { weight: 1, arbitrary: fc.constant({ op: 'reset' as const }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('decide' as const), i: fc.integer({ min: 0, max: IDS - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('me' as const), user: fc.constantFrom(...USERS) }) },
);

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function openRepos(): { db: Db; items: ItemsRepo; outbox: OutboxRepo; setMe: (u: string) => void; me: () => string } {
  // In memory: the schema and statements are the cache's own; only the file and its fsyncs are left out.
  const db = openCacheDb(':memory:');
  cleanups.push(() => db.close());
  const kv = new KvRepo(db);
  const outbox = new OutboxRepo(db, kv);
  let me = 'alice';
  const items = new ItemsRepo(db, outbox, () => me);
  return { db, items, outbox, setMe: (u) => { me = u; }, me: () => me };
}

/** Every assignee's running count next to a re-count of the rows (zero counts left out on both sides). */
function countsOf(db: Db): { running: Record<string, number>; recount: Record<string, number> } {
  const running = Object.fromEntries((db.prepare('SELECT assignee_id, n FROM triage_counts WHERE n <> 0 ORDER BY assignee_id').all() as { assignee_id: string; n: number }[])
    .map((r) => [r.assignee_id, r.n]));
  const recount = Object.fromEntries((db.prepare(`SELECT assignee_id, COUNT(*) AS n FROM items WHERE in_triage = 1 AND assignee_id IS NOT NULL
    GROUP BY assignee_id ORDER BY assignee_id`).all() as { assignee_id: string; n: number }[]).map((r) => [r.assignee_id, r.n]));
  return { running, recount };
}

function apply(r: ReturnType<typeof openRepos>, op: Op): void {
  const { db, items, outbox } = r;
  switch (op.op) {
    case 'page': {
      const write = db.transaction(() => {
        for (const u of op.upserts) {
          items.putServerCopy(scriptItem(u.i, { assigneeId: u.assignee, status: u.status, version: u.version, title: u.title }), { force: op.force });
        }
        if (op.rollback) throw new Error('page cut off');
      });
      try { write(); } catch (e) { if (!op.rollback) throw e; }
      return;
    }
    case 'remove': {
      const it = op.withCopy ? scriptItem(op.i, { assigneeId: op.assignee, status: op.status, version: 7, title: 'Vendor UNKNOWN' }) : null;
      db.transaction(() => items.markRemoved(`itm-${op.i}`, op.reason, it))();
      return;
    }
    case 'reset':
      db.transaction(() => items.resetServerCopy())();
      return;
    case 'decide': {
      const got = items.get(`itm-${op.i}`);
      if (!got) return;
      db.transaction(() => {
        outbox.insert({
          kind: 'note', itemId: got.item.id, baseVersion: got.serverItem.version, assignmentEpoch: got.serverItem.assignmentEpoch,
          at: new Date(Date.UTC(2026, 10, 28)).toISOString(), labor: null, payload: { text: 'seen' }, userId: 'alice', needsRebase: false,
        });
        items.recompute(got.item.id);
      })();
      return;
    }
    case 'me':
      r.setMe(op.user);
  }
}

describe('running counts', () => {
  it('equals a re-count of the rows after any sequence of pages, removals, resets, decisions and rollbacks', () => {
    fc.assert(fc.property(fc.array(anyOp, { minLength: 1, maxLength: 40 }), (ops) => {
      const r = openRepos();
      for (const op of ops) {
        apply(r, op);
        const { running, recount } = countsOf(r.db);
        expect(running).toEqual(recount);
        expect(r.items.triageCount()).toBe(r.items.recountTriage());
        for (const f of FILTERS) expect([f, pageTotal(r.items, f)]).toEqual([f, recountPage(r.db, f, r.me())]);
      }
      cleanups.splice(0).reverse().forEach((c) => c());
    }), { numRuns: 150 });
  });

  it('the property can fail: a write behind the repo\'s back makes the counts differ, and a rebuild mends them', () => {
    const r = openRepos();
    apply(r, { op: 'page', upserts: [0, 1, 2].map((i) => ({ i, assignee: 'alice', status: 'leased' as const, version: 1, title: 'Invoice total mismatch' })), force: false, rollback: false });
    expect(r.items.triageCount()).toBe(3);
    r.db.exec(`DELETE FROM items WHERE id = 'itm-0'`);
    expect(r.items.triageCount()).toBe(3);
    expect(r.items.recountTriage()).toBe(2);
    r.items.rebuildTriageCounts();
    expect(r.items.triageCount()).toBe(2);
  });

  it('the page totals can fail too: a total asked before a write behind the repo\'s back is not moved by it', () => {
    const r = openRepos();
    apply(r, { op: 'page', upserts: [0, 1, 2].map((i) => ({ i, assignee: 'alice', status: 'leased' as const, version: 1, title: 'Vendor UNKNOWN' })), force: false, rollback: false });
    expect(pageTotal(r.items, { text: 'vendor' })).toBe(3);
    r.db.exec(`DELETE FROM items WHERE id = 'itm-0'`);
    expect(pageTotal(r.items, { text: 'vendor' })).toBe(3);
    expect(recountPage(r.db, { text: 'vendor' })).toBe(2);
  });

  it('migration 8 fills the counts from the rows of an older cache', () => {
    const tmp = tmpDir('triage-count-migration');
    cleanups.push(() => tmp.cleanup());
    const file = tmp.file('cache.sqlite');
    const old = new Database(file);
    for (let v = 0; v < 6; v++) old.exec(MIGRATIONS[v]);
    old.pragma('user_version = 6');
    const row = old.prepare(`INSERT INTO items (id, queue_id, class, status, assignee_id, sla_due_ms, enqueued_ms, sla_due_at, enqueued_at, title, title_lc, in_triage, server_version)
      VALUES (?, 'q1', 'policy', ?, ?, 0, 0, '', '', 't', 't', ?, 1)`);
    row.run('a', 'leased', 'alice', 1);
    row.run('b', 'escalated', 'alice', 1);
    row.run('c', 'leased', 'bob', 1);
    row.run('d', 'resolved', 'alice', 0);
    old.close();
    const db = openCacheDb(file);
    cleanups.push(() => db.close());
    expect(countsOf(db).running).toEqual({ alice: 2, bob: 1 });
  });
});
