// Queue pages over a real cache: every plan (sort index, bounded walk, table read + top rows, none)
// gives exactly what the documented semantics say (filters, case-insensitive title substring, sort keys
// with their tie-break and nulls), the text filter follows every write (pull updates, removals, reset,
// decisions), rare filters are not served by walking the whole sort index, a rare term reads the trigram
// index of titles once the core has built it, and a cache that ran the short-lived trigram step is cleaned up.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openCacheDb } from '../../electron/core/cache-db';
import type { Core } from '../../electron/core/index';
import { MIGRATIONS } from '../../electron/core/migrations';
import { QueuePageQuery, type PageInput } from '../../electron/core/queue-page';
import type { QueueRow } from '../../shared/desk-api';
import { EXCEPTION_CLASSES, type Item } from '../../shared/domain';
import { demoCore, ok, scriptedServer, scriptItem, scriptPage, sendJson, tmpDir } from './core-fixture';

const N = 3000;
const WORDS = ['total mismatch', 'Vendor unknown', 'ÜBER Straße', 'quote "x" here', 'line items', 'Totally fine'];

function item(i: number, over: Partial<Item> = {}): Item {
  const minute = Math.floor(i / 3); // ties in SLA due and enqueue time, broken by id
  const t = new Date(Date.UTC(2026, 10, 28, 8, minute, 0)).toISOString();
  return scriptItem(i, {
    // 'late' only in the second half of the SLA order: a bounded walk from the start finds none of them.
    title: `Invoice INV-${10_000 + i} ${WORDS[i % WORDS.length]}${i > N / 2 ? ' late' : ''}`,
    exceptionClass: EXCEPTION_CLASSES[(i * 7) % 4],
    confidence: i % 11 === 0 ? null : ((i * 37) % 100) / 100,
    slaDueAt: t,
    enqueuedAt: new Date(Date.UTC(2026, 10, 27, 8, (i * 13) % 500, 0)).toISOString(),
    status: i % 17 === 0 ? 'escalated' : 'leased',
    ...over,
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A scripted server whose pull pages the script decides; a core signed in to it. */
async function setup(pages: () => ReturnType<typeof scriptPage>[]) {
  let queued: ReturnType<typeof scriptPage>[] = [];
  const server = await scriptedServer((path, body, _req, res) => {
    if (path === '/v1/sync/pull') {
      if (queued.length === 0) queued = pages();
      return sendJson(res, 200, queued.shift() ?? scriptPage({ cursor: 'c.end' }));
    }
    if (path === '/v1/sync/push') {
      const muts = (body as { mutations: { mutationId: number; itemId: string }[] }).mutations;
      return sendJson(res, 200, { lastMutationId: muts.at(-1)!.mutationId, results: [] });
    }
    sendJson(res, 404, { type: 'x', title: 'not found', status: 404 });
  });
  cleanups.push(() => server.close());
  const tmp = tmpDir('queue-page');
  cleanups.push(() => tmp.cleanup());
  const cacheFile = tmp.file('cache.sqlite');
  const core: Core = await demoCore(server.url, cacheFile, { autoSync: false });
  let open = true;
  cleanups.push(() => (open ? core.close() : undefined));
  await ok(core, 'session.connect', { serverUrl: server.url, token: 't' });
  return { core, cacheFile, close: async () => { open = false; await core.close(); } };
}

function initialPages(items: Item[]) {
  const pages = [];
  for (let k = 0; k < items.length; k += 1000) {
    const last = k + 1000 >= items.length;
    pages.push(scriptPage({ cursor: `c.${k}`, reset: k === 0, hasMore: !last, upserts: items.slice(k, k + 1000) }));
  }
  return pages;
}

type Filter = PageInput['filter'];
type Sort = PageInput['sort'];

/** The documented semantics, in plain code over every row. */
function expected(all: QueueRow[], filter: Filter, sort: Sort): QueueRow[] {
  const term = filter.text?.trim().toLowerCase() ?? '';
  const rows = all.filter((r) =>
    (!filter.classes?.length || filter.classes.includes(r.exceptionClass)) &&
    (!filter.queueIds?.length || filter.queueIds.includes(r.queueId)) &&
    (!filter.statuses?.length || filter.statuses.includes(r.status)) &&
    (!filter.localStates?.length || filter.localStates.includes(r.localState)) &&
    (!term || r.title.toLowerCase().includes(term)));
  const asc = sort.by === 'age' ? sort.dir === 'desc' : sort.dir === 'asc';
  const key = (r: QueueRow): number | null => (sort.by === 'slaDue' ? Date.parse(r.slaDueAt) : sort.by === 'age' ? Date.parse(r.enqueuedAt) : r.confidence);
  return rows.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka !== kb) {
      if (ka === null) return 1; // nulls last either way
      if (kb === null) return -1;
      return asc ? ka - kb : kb - ka;
    }
    const byId = a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    return asc ? byId : -byId;
  });
}

async function everyRow(core: Core): Promise<QueueRow[]> {
  const rows: QueueRow[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await ok(core, 'queue.page', { offset, limit: 1000 });
    rows.push(...page.rows);
    if (rows.length >= page.total) return rows;
  }
}

describe('queue.page', () => {
  it('every filter and sort, through each plan, answers exactly the documented rows and total', async () => {
    const items = Array.from({ length: N }, (_, k) => item(k + 1));
    const { core } = await setup(() => initialPages(items));
    expect((await ok(core, 'sync.now', {})).state).toBe('online');
    // A few decisions make local states differ (pending rows).
    for (const id of ['itm-5', 'itm-1234', 'itm-2999']) await ok(core, 'triage.decide', { itemId: id, kind: 'approve' });
    const all = await everyRow(core);
    expect(all).toHaveLength(N);

    const filters: Filter[] = [
      {},
      { text: 'inv-11' }, // rare: read the table, keep the top rows
      { text: '  INVOICE inv-1 ' }, // matches every row: index walk
      { text: 'total' }, // a third of the rows
      { text: 'über straße' }, // case folding beyond ASCII
      { text: 'quote "x"' }, // quotes are not query syntax
      { text: 'zzz' },
      { text: 'in' }, // too short for a trigram
      { text: 'ü' },
      { classes: ['policy'] },
      { classes: ['policy', 'confidence'], statuses: ['leased'] },
      { statuses: ['escalated'] }, // rare: read the table and sort
      { statuses: ['resolved'] },
      { localStates: ['pending'] },
      { classes: ['business_rule'], text: 'vendor' },
      { statuses: ['leased'], text: 'invoice' },
      { queueIds: ['q1'], text: 'line items' },
      { text: 'late' }, // half the rows, bunched at one end: the bounded walk falls back to one table read
      { classes: ['policy', 'confidence', 'data_integrity'], text: 'late' },
    ];
    const sorts: Sort[] = [
      { by: 'slaDue', dir: 'asc' }, { by: 'slaDue', dir: 'desc' }, { by: 'confidence', dir: 'desc' },
      { by: 'confidence', dir: 'asc' }, { by: 'age', dir: 'asc' }, { by: 'age', dir: 'desc' },
    ];
    let checked = 0;
    for (const filter of filters) {
      for (const sort of sorts) {
        const want = expected(all, filter, sort);
        for (const [offset, limit] of [[0, 100], [150, 50], [Math.max(0, want.length - 20), 100], [2950, 100]] as const) {
          const page = await ok(core, 'queue.page', { filter, sort, offset, limit });
          expect(page.total, JSON.stringify({ filter, sort })).toBe(want.length);
          expect(page.rows.map((r) => r.id), JSON.stringify({ filter, sort, offset })).toEqual(want.slice(offset, offset + limit).map((r) => r.id));
          checked++;
        }
      }
    }
    expect(checked).toBe(filters.length * sorts.length * 4);
  });

  it('the text filter follows pull updates, removals, a reset and decisions', async () => {
    let round = 0;
    const { core } = await setup(() => {
      round++;
      if (round === 1) return initialPages(Array.from({ length: 50 }, (_, k) => item(k + 1)));
      if (round === 2) {
        return [scriptPage({
          cursor: 'c.r2',
          upserts: [item(1, { title: 'Renamed zebra crossing', version: 2 }), item(60, { title: 'New zebra item' })],
          removals: [{ itemId: 'itm-2', reason: 'withdrawn', item: null }],
        })];
      }
      return [scriptPage({ cursor: 'c.r3', reset: true, upserts: [item(3), item(4, { title: 'After the reset: zebra', version: 3 })] })];
    });
    const search = async (text: string) => (await ok(core, 'queue.page', { filter: { text }, limit: 100 })).rows.map((r) => r.id).sort();
    await ok(core, 'sync.now', {});
    expect(await search('inv-10001')).toEqual(['itm-1']);
    expect(await search('inv-10002')).toEqual(['itm-2']);

    await ok(core, 'sync.now', {});
    expect(await search('inv-10001')).toEqual([]); // the old title is gone
    expect(await search('zebra')).toEqual(['itm-1', 'itm-60']);
    expect(await search('inv-10002')).toEqual([]); // removed
    expect((await ok(core, 'queue.page', { filter: { text: 'zebra' } })).total).toBe(2);

    // A decided item survives the reset (this desk has a decision on it); the rest is replaced.
    await ok(core, 'triage.decide', { itemId: 'itm-60', kind: 'approve' });
    await ok(core, 'sync.now', {});
    expect(await search('zebra')).toEqual(['itm-4', 'itm-60']);
    expect((await ok(core, 'queue.page', { filter: { text: 'zebra' } })).total).toBe(2);
    expect(await search('inv-1000')).toEqual(['itm-3']);
  });

  it('rare filters read the table once; common ones walk the sort index; no match runs no page query', async () => {
    const { core, cacheFile, close } = await setup(() => initialPages(Array.from({ length: 2000 }, (_, k) => item(k + 1))));
    await ok(core, 'sync.now', {});
    await close();
    const db = openCacheDb(cacheFile);
    cleanups.push(() => { db.close(); });
    // The titles as read directly (the trigram index's own test is below).
    db.exec(`INSERT INTO items_title_trigrams (items_title_trigrams) VALUES ('delete-all'); UPDATE title_index SET through_rowid = 0`);
    const q = new QueuePageQuery(db);
    const input = (filter: Filter, sort: Sort = { by: 'confidence', dir: 'desc' }, offset = 0): PageInput => ({ filter, sort, offset, limit: 100 });
    const readOnce = /^SCAN items \| USE TEMP B-TREE FOR ORDER BY$/;
    // A rare term or status: one pass over the table keeping the top rows, not a walk of the whole sort
    // index with a table lookup for every row it passes.
    for (const filter of [{ text: 'INV-1150' }, { statuses: ['escalated' as const] }]) {
      const rare = q.explain(input(filter));
      expect(rare.order).toBe('sort');
      expect(rare.plan.join(' | ')).toMatch(readOnce);
    }
    expect(q.explain(input({ text: 'INV-1150' })).total).toBe(10);
    expect(q.explain(input({ statuses: ['escalated'] })).total).toBe(117);
    // A term in every title: walk a bounded prefix of the sort index; deep pages read the table once.
    const common = q.explain(input({ text: 'invoice' }));
    expect(common).toMatchObject({ total: 2000, order: 'walk' });
    expect(common.plan.join(' | ')).toMatch(/SCAN items USING INDEX items_confidence/);
    expect(q.explain(input({ text: 'invoice' }, undefined, 1500)).order).toBe('sort');
    // Nothing matches, or the page starts past the end: no page query at all.
    expect(q.explain(input({ text: 'no such title' }))).toMatchObject({ total: 0, order: 'none', plan: [] });
    expect(q.explain(input({ statuses: ['escalated'] }, undefined, 500))).toMatchObject({ total: 117, order: 'none', plan: [] });
    // No filter: the sort index for every key and direction, never a sort of the whole table.
    for (const by of ['slaDue', 'confidence', 'age'] as const) {
      for (const dir of ['asc', 'desc'] as const) {
        const plain = q.explain(input({}, { by, dir }));
        expect(plain.order).toBe('index');
        expect(plain.plan.join(' | ')).toMatch(/^SCAN items USING INDEX items_(sla|confidence|enqueued)$/);
      }
    }
  });

  it('open work of some classes in SLA order (the queue view\'s class toggle) reads each class from items_triage_class, never a walk of the whole set', async () => {
    const items = Array.from({ length: 2000 }, (_, k) => item(k + 1, {
      // One class sorts after all the others (a queue with a long SLA target): a walk of the triage set in SLA
      // order passes every other open item before it finds the first of that class.
      slaDueAt: new Date(Date.UTC(2026, 10, 28, (k + 1) % 4 === 3 ? 20 : 8, Math.floor(k / 40), 0)).toISOString(),
      exceptionClass: EXCEPTION_CLASSES[(k + 1) % 4],
    }));
    const late = EXCEPTION_CLASSES[3];
    const { core, cacheFile, close } = await setup(() => initialPages(items));
    await ok(core, 'sync.now', {});
    const page = await ok(core, 'queue.page', { filter: { classes: [late], openOnly: true }, sort: { by: 'slaDue', dir: 'asc' }, offset: 0, limit: 50 });
    expect(page.total).toBe(500);
    expect(page.rows.every((r) => r.exceptionClass === late)).toBe(true);
    await close();
    const db = openCacheDb(cacheFile);
    cleanups.push(() => { db.close(); });
    const q = new QueuePageQuery(db);
    const input = (classes: Filter['classes'], offset = 0, dir: Sort['dir'] = 'asc', limit = 100): PageInput => ({
      filter: { classes, openOnly: true }, sort: { by: 'slaDue', dir }, offset, limit, me: 'alice',
    });
    const perClass = /SEARCH items USING INDEX items_triage_class \(assignee_id=\? AND in_triage=\? AND class=\?\)/g;
    for (const dir of ['asc', 'desc'] as const) {
      const one = q.explain(input([late], 0, dir));
      expect(one).toMatchObject({ total: 500, order: 'index' });
      expect(one.plan).toEqual(['SEARCH items USING INDEX items_triage_class (assignee_id=? AND in_triage=? AND class=?)']);
      // Several classes: the first offset + limit rows of each, merged (a sort of at most that many rows each).
      const two = q.explain(input([late, EXCEPTION_CLASSES[0]], 0, dir));
      expect(two.total).toBe(1000);
      expect(two.plan.join(' | ').match(perClass)).toHaveLength(2);
      expect(two.plan.join(' | ')).not.toMatch(/items_triage \(/);
    }
    // Deep in several classes (offset + limit past 2,000 rows): a walk of the triage set, as without a class.
    const deep = q.explain(input([late, EXCEPTION_CLASSES[0], EXCEPTION_CLASSES[1]], 1100, 'asc', 1000));
    expect(deep.total).toBe(1500);
    expect(deep.plan).toEqual(['SEARCH items USING INDEX items_triage (assignee_id=? AND in_triage=?)']);
  });

  it('a term of 3+ characters reads the trigram index of titles once it covers nearly every row; the core builds it after a sync', async () => {
    const { core, cacheFile, close } = await setup(() => initialPages(Array.from({ length: 2000 }, (_, k) => item(k + 1))));
    await ok(core, 'sync.now', {});
    // The core's own step (every 100 ms between keypresses, never during a pull) covers the pulled rows.
    const probe = new Database(cacheFile, { readonly: true });
    const behind = () => (probe.prepare('SELECT (SELECT max(rowid) FROM items) - (SELECT through_rowid FROM title_index) AS n').get() as { n: number }).n;
    for (let i = 0; i < 200 && behind() > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(behind()).toBe(0);
    probe.close();
    expect((await ok(core, 'queue.page', { filter: { text: 'INV-1150' } })).total).toBe(10);
    await close();

    const db = openCacheDb(cacheFile);
    cleanups.push(() => { db.close(); });
    db.exec(`INSERT INTO items_title_trigrams (items_title_trigrams) VALUES ('delete-all'); UPDATE title_index SET through_rowid = 0`);
    const q = new QueuePageQuery(db);
    const input = (text: string): PageInput => ({ filter: { text }, sort: { by: 'confidence', dir: 'desc' }, offset: 0, limit: 100 });
    const viaIndex = /items_title_trigrams VIRTUAL TABLE/;
    expect(q.explain(input('INV-1150')).plan.join(' | ')).not.toMatch(viaIndex);
    // A quarter of the rows still uncovered: reading every title is no worse than the index plus that tail.
    expect(q.indexTitles(1500)).toBe(1500);
    expect(new QueuePageQuery(db).explain(input('INV-1150')).plan.join(' | ')).not.toMatch(viaIndex);
    expect(q.indexTitles(1000)).toBe(500);
    expect(q.indexTitles(1000)).toBe(0);
    const rare = new QueuePageQuery(db).explain(input('INV-1150'));
    expect(rare).toMatchObject({ total: 10, order: 'sort' });
    expect(rare.plan.join(' | ')).toMatch(viaIndex);
    // Under 3 characters there is no trigram: the titles are read.
    expect(new QueuePageQuery(db).explain(input('v-')).plan.join(' | ')).not.toMatch(viaIndex);
    // Without the index (the bench's A/B), the same answer from the titles.
    const off = new QueuePageQuery(db, { titleIndex: false }).explain(input('INV-1150'));
    expect(off.total).toBe(10);
    expect(off.plan.join(' | ')).not.toMatch(viaIndex);
  });

  it('a cache that ran the short-lived trigram step loses its index and triggers, and keeps every item', async () => {
    const tmp = tmpDir('queue-page-migrate');
    cleanups.push(() => tmp.cleanup());
    const file = tmp.file('cache.sqlite');
    const old = new Database(file);
    old.exec(MIGRATIONS[0]);
    // Step 2 as it briefly shipped.
    old.exec(`CREATE VIRTUAL TABLE items_text USING fts5(title_lc, content='', contentless_delete=1, tokenize='trigram case_sensitive 1');
      CREATE TRIGGER items_text_insert AFTER INSERT ON items BEGIN INSERT INTO items_text (rowid, title_lc) VALUES (new.rowid, new.title_lc); END;
      CREATE TRIGGER items_text_delete AFTER DELETE ON items BEGIN DELETE FROM items_text WHERE rowid = old.rowid; END;
      CREATE TRIGGER items_text_update AFTER UPDATE OF title_lc ON items WHEN old.title_lc IS NOT new.title_lc BEGIN
        DELETE FROM items_text WHERE rowid = old.rowid; INSERT INTO items_text (rowid, title_lc) VALUES (new.rowid, new.title_lc); END;`);
    old.pragma('user_version = 2');
    const insert = old.prepare(`INSERT INTO items (id, queue_id, class, status, assignee_id, sla_due_ms, enqueued_ms, sla_due_at, enqueued_at, confidence, title, title_lc, local_state, in_triage, server_version)
      VALUES (?, 'q1', 'confidence', 'leased', 'alice', ?, ?, ?, ?, 0.5, ?, ?, 'none', 1, 1)`);
    for (let i = 1; i <= 30; i++) {
      const it = item(i);
      insert.run(it.id, Date.parse(it.slaDueAt), Date.parse(it.enqueuedAt), it.slaDueAt, it.enqueuedAt, it.title, it.title.toLowerCase());
    }
    old.close();

    const core = await demoCore('http://127.0.0.1:9', file, { autoSync: false });
    cleanups.push(() => core.close());
    const page = await ok(core, 'queue.page', { filter: { text: 'INV-1002' } });
    expect(page.rows.map((r) => r.id).sort()).toEqual(['itm-20', 'itm-21', 'itm-22', 'itm-23', 'itm-24', 'itm-25', 'itm-26', 'itm-27', 'itm-28', 'itm-29']);
    expect((await ok(core, 'queue.page', {})).total).toBe(30);
    await core.close();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(db.prepare(`SELECT name FROM sqlite_master WHERE name LIKE 'items_text%'`).all()).toEqual([]);
      // Migration 10 on an older cache: the class index of the triage set, over the rows already there.
      expect(db.prepare(`SELECT count(*) AS n FROM items INDEXED BY items_triage_class WHERE assignee_id = 'alice' AND in_triage = 1 AND class = 'confidence'`).get()).toEqual({ n: 30 });
    } finally {
      db.close();
    }
  });
});
