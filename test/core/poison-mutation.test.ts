// A mutation the server refuses as malformed must never block the outbox (issue 8, item 8). The desk
// checks every mutation against the server's own limits before it enters the outbox (a clear error,
// nothing written); and when the server still refuses a batch as a whole (a row written by an older desk,
// a server with stricter limits), the desk bisects the batch, sets the one mutation aside in the inbox as
// `rejected` / `malformed`, and the rest flows, each exactly once. Real server, real caches.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/index';
import { saneLabor } from '../../electron/core/mutation-guard';
import { payloadHash } from '../../electron/core/outbox-repo';
import { Labor, laborProblem } from '../../shared/domain';
import { MAX_JSON_VALUE_DEPTH } from '../../shared/limits';
import { startTestServer } from '../helpers/server';
import { demoCore, ok, tmpDir } from './core-fixture';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function nested(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < depth; i++) v = { n: v };
  return v;
}

function cacheState(cacheFile: string): string {
  const db = new Database(cacheFile, { readonly: true });
  try {
    const q = (sql: string) => db.prepare(sql).all();
    return JSON.stringify({
      items: q('SELECT * FROM items ORDER BY id'),
      mutations: q('SELECT * FROM mutations ORDER BY mutation_id'),
      conflicts: q('SELECT * FROM conflicts ORDER BY id'),
      labor: q('SELECT id, item_id, mutation_id, open FROM labor_segments ORDER BY id'),
    });
  } finally {
    db.close();
  }
}

// The demo seed holds eight weeks of history, recorded on its simulated clock before this file started;
// the test's own decisions are those recorded since.
const TEST_START = new Date().toISOString();

function serverDecisions(dbFile: string): { item_id: string; kind: string }[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db.prepare('SELECT item_id, kind FROM decisions WHERE recorded_at >= ? ORDER BY seq').all(TEST_START) as { item_id: string; kind: string }[];
  } finally {
    db.close();
  }
}

async function setup(name: string) {
  const tmp = tmpDir(name);
  cleanups.push(() => tmp.cleanup());
  const server = await startTestServer({ seed: 'demo', dbFile: tmp.file('central.sqlite') });
  cleanups.push(() => server.close());
  const cacheFile = tmp.file('cache.sqlite');
  let core: Core | null = await demoCore(server.url, cacheFile);
  const open = async () => {
    core = await demoCore(server.url, cacheFile);
    await ok(core, 'session.connectDemo', { user: 'alice' });
    return core;
  };
  cleanups.push(() => core?.close());
  await ok(core, 'session.connectDemo', { user: 'alice' });
  await ok(core, 'sync.now', {});
  return {
    server, cacheFile,
    get core() { return core!; },
    open,
    async close() { await core!.close(); core = null; },
  };
}

async function approveNext(core: Core, n: number): Promise<string[]> {
  const ids: string[] = [];
  let itemId = (await ok(core, 'triage.next', { fromItemId: null })).itemId;
  for (let i = 0; i < n && itemId; i++) {
    ids.push(itemId);
    itemId = (await ok(core, 'triage.decide', { itemId, kind: 'approve' })).nextItemId;
  }
  expect(ids).toHaveLength(n);
  return ids;
}

describe('a mutation the server would refuse never enters the outbox', () => {
  it('a correction nested deeper than the server accepts: bad_input naming the limit, the cache unchanged', async () => {
    const w = await setup('guard-depth');
    const itemId = (await ok(w.core, 'triage.next', { fromItemId: null })).itemId!;
    await ok(w.core, 'triage.open', { itemId });
    const before = cacheState(w.cacheFile);
    const r = await w.core.call('triage.decide', { itemId, kind: 'correct', payload: { correctedOutput: nested(MAX_JSON_VALUE_DEPTH + 1) } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('bad_input');
      expect(r.error.message).toMatch(/would be refused by the server: correctedOutput: .*at most 32/);
    }
    expect(cacheState(w.cacheFile)).toBe(before);
    // At the limit it is fine, and it reaches the server.
    await ok(w.core, 'triage.decide', { itemId, kind: 'correct', payload: { correctedOutput: nested(MAX_JSON_VALUE_DEPTH) } });
    expect(await ok(w.core, 'sync.now', {})).toMatchObject({ state: 'online', pending: 0, conflicts: 0 });
  });

  it('a correction holding constructor.prototype, and generated bad corrections: refused, nothing written', async () => {
    const w = await setup('guard-keys');
    const itemId = (await ok(w.core, 'triage.next', { fromItemId: null })).itemId!;
    const before = cacheState(w.cacheFile);
    const poisoned = JSON.parse('{"total": 1, "constructor": {"prototype": {"admin": true}}}') as Record<string, unknown>;
    const r = await w.core.call('triage.decide', { itemId, kind: 'correct', payload: { correctedOutput: poisoned } });
    expect(r.ok ? null : r.error).toMatchObject({ code: 'bad_input', message: expect.stringMatching(/constructor\.prototype/) });
    await fc.assert(fc.asyncProperty(fc.integer({ min: MAX_JSON_VALUE_DEPTH + 1, max: 200 }), fc.string({ maxLength: 8 }), async (depth, key) => {
      const out = await w.core.call('triage.decide', { itemId, kind: 'correct', payload: { correctedOutput: { [key || 'k']: nested(depth) } } });
      expect(out.ok ? null : out.error.code).toBe('bad_input');
    }), { numRuns: 25 });
    expect(cacheState(w.cacheFile)).toBe(before);
    expect(await ok(w.core, 'sync.now', {})).toMatchObject({ pending: 0, conflicts: 0 });
  });
});

describe('a batch the server refuses as a whole', () => {
  it('is bisected: the one malformed mutation goes to the inbox, every other decision reaches the server once, later ones too', async () => {
    const w = await setup('bisect');
    const early = await approveNext(w.core, 2);
    // An older desk wrote a correction the server refuses (deeper than it accepts) as mutation 3.
    const poisonItem = (await ok(w.core, 'triage.next', { fromItemId: null })).itemId!;
    const detail = await ok(w.core, 'item.get', { itemId: poisonItem });
    await w.close();
    const db = new Database(w.cacheFile);
    const payload = { correctedOutput: nested(MAX_JSON_VALUE_DEPTH + 5) };
    const base = { kind: 'correct' as const, itemId: poisonItem, baseVersion: detail.item.version, assignmentEpoch: detail.item.assignmentEpoch, payload };
    db.prepare(`INSERT INTO mutations (mutation_id, kind, item_id, base_version, assignment_epoch, at, at_ms, labor_json, rework, payload_json, payload_hash, state, needs_rebase, user_id)
      VALUES (3, 'correct', ?, ?, ?, ?, ?, NULL, 0, ?, ?, 'pending', 0, 'alice')`)
      .run(poisonItem, base.baseVersion, base.assignmentEpoch, new Date().toISOString(), Date.now(), JSON.stringify(payload), payloadHash(base));
    // What that desk's decision did to the item locally: decided here, out of the triage set.
    db.prepare(`UPDATE items SET local_state = 'pending', in_triage = 0, status = 'resolved' WHERE id = ?`).run(poisonItem);
    db.close();
    const core = await w.open();
    const later = await approveNext(core, 5);
    expect(later).not.toContain(poisonItem);

    const status = await ok(core, 'sync.now', {});
    expect(status).toMatchObject({ state: 'online', pending: 0, conflicts: 1 });
    const { conflicts } = await ok(core, 'conflicts.list', {});
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ mutationId: 3, itemId: poisonItem, kind: 'correct', status: 'rejected', code: 'malformed' });
    expect(conflicts[0].message).toMatch(/refused it as malformed \(HTTP 400\)/);
    expect(serverDecisions(w.server.dbFile).map((d) => d.item_id)).toEqual([...early, ...later]);

    // The item is open again (the set-aside decision never applied), and the numbering goes on where the
    // server expects it: the next decision syncs at once.
    const after = await approveNext(core, 1);
    expect(await ok(core, 'sync.now', {})).toMatchObject({ state: 'online', pending: 0, conflicts: 1 });
    expect(serverDecisions(w.server.dbFile).map((d) => d.item_id)).toEqual([...early, ...later, ...after]);
    // Discarding clears it; nothing of it ever reached the server.
    await ok(core, 'conflicts.resolve', { conflictId: conflicts[0].id, action: 'discard' });
    expect((await ok(core, 'sync.status', {})).conflicts).toBe(0);
    expect(serverDecisions(w.server.dbFile).filter((d) => d.kind === 'correct')).toEqual([]);
  });
});

describe('labor the server would refuse as untrue', () => {
  it('any clock record (wall clock set back, an item open for weeks) becomes one the server accepts, keeping what was measured when it can', () => {
    const t0 = Date.parse('2026-11-28T09:00:00.000Z');
    const day = 24 * 3600_000;
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 60 * day }), fc.integer({ min: 0, max: 60 * day }), fc.integer({ min: -2 * day, max: 60 * day }),
      fc.integer({ min: 0, max: 200_000 }), fc.boolean(),
      (activeMs, idleMs, span, segments, rework) => {
        const raw = { activeMs, idleMs, wallMs: Math.max(0, span), segments, openedAt: new Date(t0).toISOString(), decidedAt: new Date(t0 + span).toISOString(), rework };
        const sane = saneLabor(raw);
        expect(laborProblem(sane)).toBeNull();
        expect(Labor.safeParse(sane).success).toBe(true);
        expect(sane.decidedAt).toBe(raw.decidedAt);
        if (laborProblem(raw) === null) expect(sane).toEqual(raw);
      },
    ), { numRuns: 500 });
  });
});
