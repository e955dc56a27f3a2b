// Initial sync speed levers (issue 15 gap 1) that change what is on disk, checked for what must not change:
// - a snapshot of several pages is written without the items indexes, which come back after its last page;
//   a core stopped half-way (a crash, a close) finds them built again when it opens the cache;
// - every page of such a snapshot is written in APPLY_SLICE slices (no index moves then), pages after it in
//   APPLY_SLICE_AT_WORK slices;
// - an item's JSON is stored once while the desk shows the server's copy unchanged, and a decision on it
//   gets its own visible copy (the server's copy stays as it was).
// Scripted central API over real HTTP; real core on a real cache file.
import Database from 'better-sqlite3';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { openCacheDb, type Db } from '../../electron/core/cache-db';
import { deferItemIndexes, itemIndexesDeferred, restoreItemIndexes } from '../../electron/core/deferred-indexes';
import { createCore, type Core } from '../../electron/core/index';
import { APPLY_SLICE, APPLY_SLICE_AT_WORK } from '../../electron/core/sync-engine';
import { WORK_CHANNEL, type WorkSpan } from '../../electron/core/work-trace';
import type { SyncStatus } from '../../shared/desk-api';
import { demoCore, ok, scriptItem, scriptPage, scriptedServer, sendJson, tmpDir } from './core-fixture';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type IndexDef = { name: string; sql: string };
const itemIndexes = (db: Db): IndexDef[] =>
  db.prepare<[], IndexDef>(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'items' AND sql IS NOT NULL ORDER BY name`).all();

/** The indexes a freshly migrated cache has: what every cache must have again after a snapshot. */
function freshIndexes(file: string): IndexDef[] {
  const db = openCacheDb(file);
  try { return itemIndexes(db); } finally { db.close(); }
}

/** Reads the cache beside the running core (WAL: a second connection sees what the core committed). */
function peek<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true });
  try { return read(db); } finally { db.close(); }
}

const items = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => scriptItem(from + k));

/** A server whose snapshot has two pages; the second is held until `release()`. */
async function twoPageSnapshot() {
  const tmp = tmpDir('snapshot-indexes');
  cleanups.push(() => tmp.cleanup());
  let held: ServerResponse | null = null;
  let served = 0;
  let arrived: () => void = () => undefined;
  const secondAsked = new Promise<void>((r) => { arrived = r; });
  const pages = [
    scriptPage({ reset: true, hasMore: true, cursor: 's.1', upserts: items(1, 6) }),
    scriptPage({ cursor: 'c.2', upserts: items(7, 9) }),
  ];
  const server = await scriptedServer((path, _body, _req, res) => {
    if (path !== '/v1/sync/pull') return sendJson(res, 404, { type: 'urn:exception-desk:problem:not-found', title: 'Not found', status: 404 });
    const n = served++;
    if (n === 1) { held = res; arrived(); return; }
    sendJson(res, 200, pages[n] ?? scriptPage({ cursor: 'c.2' }));
  });
  cleanups.push(() => server.close());
  return {
    tmp, server, secondAsked,
    release: () => { if (held) sendJson(held, 200, pages[1]); held = null; },
    drop: () => { held?.destroy(); held = null; },
  };
}

async function connect(url: string, file: string): Promise<Core> {
  const core = await demoCore(url, file);
  await ok(core, 'session.connect', { serverUrl: url, token: 't' });
  return core;
}

describe('a snapshot of several pages', () => {
  it('is written without the items indexes, which are all back after its last page', async () => {
    const s = await twoPageSnapshot();
    const expected = freshIndexes(s.tmp.file('fresh.sqlite'));
    expect(expected.length).toBeGreaterThan(0);
    const file = s.tmp.file('cache.sqlite');
    const core = await connect(s.server.url, file);
    let closed = false;
    cleanups.push(async () => { if (!closed) await core.close(); });

    const syncing = ok(core, 'sync.now', {});
    await s.secondAsked;
    // The first page is in (its rows, its cursor), the indexes are set aside, and the status does not scan for
    // leases ending soon meanwhile.
    await expect.poll(() => peek(file, (db) => (db.prepare('SELECT COUNT(*) AS n FROM items').get() as { n: number }).n)).toBe(6);
    expect(peek(file, (db) => itemIndexes(db as unknown as Db))).toEqual([]);
    const during: SyncStatus = await ok(core, 'sync.status', {});
    expect(during.assigned).toBe(6);
    expect(during.leasesExpiringSoon).toBeUndefined();

    s.release();
    const after = await syncing;
    expect(after).toMatchObject({ state: 'online', assigned: 9, lastError: null });
    expect(after.leasesExpiringSoon).toBe(0);
    await core.close();
    closed = true;
    const db = openCacheDb(file);
    try {
      expect(itemIndexes(db)).toEqual(expected);
      expect(itemIndexesDeferred(db)).toBe(false);
    } finally { db.close(); }
  });

  it('cut off half-way: the next open of the cache builds the indexes before anything reads it', async () => {
    const s = await twoPageSnapshot();
    const expected = freshIndexes(s.tmp.file('fresh.sqlite'));
    const file = s.tmp.file('cache.sqlite');
    const core = await connect(s.server.url, file);
    const syncing = core.call('sync.now', {});
    await s.secondAsked;
    const state = () => peek(file, (db) => [(db.prepare('SELECT COUNT(*) AS n FROM items').get() as { n: number }).n,
      (db.prepare(`SELECT value FROM kv WHERE key = 'pull_cursor'`).get() as { value: string } | undefined)?.value, itemIndexes(db as unknown as Db).length]);
    await expect.poll(state).toEqual([6, 's.1', 0]);
    // Closing mid-snapshot leaves them to the next open (as a crash would).
    await core.close();
    await syncing;
    s.drop();
    expect(peek(file, (db) => itemIndexes(db as unknown as Db))).toEqual([]);

    const reopened = await createCore({ cacheFile: file, autoSync: false });
    cleanups.push(() => reopened.close());
    expect(peek(file, (db) => itemIndexes(db as unknown as Db))).toEqual(expected);
    // The cache still holds the first page and its cursor: the snapshot goes on from there.
    expect(state()).toEqual([6, 's.1', expected.length]);
  });

  it('writes every page of it in snapshot slices, and the pages after it in smaller ones', async () => {
    const tmp = tmpDir('snapshot-slices');
    cleanups.push(() => tmp.cleanup());
    const later = APPLY_SLICE + 50;
    const atWork = 2 * APPLY_SLICE_AT_WORK + 1;
    const pages = [
      scriptPage({ reset: true, hasMore: true, cursor: 's.1', upserts: items(1, 10) }),
      scriptPage({ hasMore: true, cursor: 's.2', upserts: items(11, 10 + later) }),
      scriptPage({ cursor: 'c.3', upserts: items(11 + later, 20 + later) }),
      // After the snapshot (the next cycle): new items while the reviewer works.
      scriptPage({ cursor: 'c.4', upserts: items(21 + later, 20 + later + atWork) }),
    ];
    let served = 0;
    const server = await scriptedServer((path, _body, _req, res) => {
      if (path !== '/v1/sync/pull') return sendJson(res, 404, { type: 'urn:exception-desk:problem:not-found', title: 'Not found', status: 404 });
      sendJson(res, 200, pages[served++] ?? scriptPage({ cursor: 'c.4' }));
    });
    cleanups.push(() => server.close());
    const core = await connect(server.url, tmp.file('cache.sqlite'));
    cleanups.push(() => core.close());
    let slices = 0;
    const onSpan = (m: unknown) => { if ((m as WorkSpan).name === 'pull.slice') slices++; };
    subscribe(WORK_CHANNEL, onSpan);
    cleanups.push(() => { unsubscribe(WORK_CHANNEL, onSpan); });

    expect(await ok(core, 'sync.now', {})).toMatchObject({ assigned: 20 + later });
    // Each page: its head (results, reset, queues) and its items; the second page in two slices, not seven.
    expect(slices).toBe(2 + (1 + Math.ceil(later / APPLY_SLICE)) + 2);
    slices = 0;
    expect(await ok(core, 'sync.now', {})).toMatchObject({ assigned: 20 + later + atWork });
    expect(slices).toBe(1 + Math.ceil(atWork / APPLY_SLICE_AT_WORK));
  });

  it('setting them aside is part of the transaction: a page that rolls back leaves them in place', () => {
    const tmp = tmpDir('snapshot-indexes-rollback');
    cleanups.push(() => tmp.cleanup());
    const db = openCacheDb(tmp.file('cache.sqlite'));
    try {
      const before = itemIndexes(db);
      expect(() => db.transaction(() => { deferItemIndexes(db); throw new Error('disk full'); })()).toThrow('disk full');
      expect(itemIndexes(db)).toEqual(before);
      expect(itemIndexesDeferred(db)).toBe(false);
    } finally { db.close(); }
  });
});

describe("an item's JSON", () => {
  it('is stored once while the desk shows the server copy, and a decision gets its own visible copy', async () => {
    const tmp = tmpDir('json-once');
    cleanups.push(() => tmp.cleanup());
    const server = await scriptedServer((path, _body, _req, res) => {
      if (path === '/v1/sync/pull') return sendJson(res, 200, scriptPage({ reset: true, cursor: 'c.1', upserts: items(1, 3) }));
      // Pushes fail: the decision stays unsettled, so the desk shows its own view of the item.
      sendJson(res, 503, { type: 'urn:exception-desk:problem:unavailable', title: 'Unavailable', status: 503 });
    });
    cleanups.push(() => server.close());
    const file = tmp.file('cache.sqlite');
    const core = await connect(server.url, file);
    cleanups.push(() => core.close());
    await ok(core, 'sync.now', {});
    const bodies = () => peek(file, (db) => db.prepare('SELECT id, json, server_json FROM item_bodies ORDER BY id').all() as { id: string; json: string; server_json: string }[]);
    expect(bodies().map((b) => b.json)).toEqual(['', '', '']);
    expect((await ok(core, 'item.get', { itemId: 'itm-2' })).item).toEqual(scriptItem(2));

    await ok(core, 'triage.decide', { itemId: 'itm-2', kind: 'approve', payload: { comment: 'fine' } });
    const [one, two, three] = bodies();
    expect([one.json, three.json]).toEqual(['', '']);
    expect(JSON.parse(two.json)).toMatchObject({ id: 'itm-2', status: 'resolved' });
    expect(JSON.parse(two.server_json)).toEqual(scriptItem(2));
    expect((await ok(core, 'item.get', { itemId: 'itm-2' })).item.status).toBe('resolved');
    expect((await ok(core, 'item.get', { itemId: 'itm-1' })).item).toEqual(scriptItem(1));
  });
});

describe('building the indexes set aside', () => {
  it("builds the triage view's index first, and yields between builds", async () => {
    const tmp = tmpDir('snapshot-indexes-order');
    cleanups.push(() => tmp.cleanup());
    const db = openCacheDb(tmp.file('cache.sqlite'));
    try {
      const all = itemIndexes(db).map((d) => d.name);
      expect(all).toContain('items_triage');
      db.transaction(() => deferItemIndexes(db))();
      expect(itemIndexes(db)).toEqual([]);
      const afterEach: string[][] = [];
      const built = await restoreItemIndexes(db, () => { afterEach.push(itemIndexes(db).map((d) => d.name)); });
      expect(built).toBe(all.length);
      expect(afterEach[0]).toEqual(['items_triage']);
      expect(afterEach.map((names) => names.length)).toEqual(all.map((_, k) => k + 1));
      expect(afterEach.at(-1)).toEqual(all);
      expect(itemIndexesDeferred(db)).toBe(false);
    } finally { db.close(); }
  });
});
