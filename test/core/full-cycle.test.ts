// The core against the real reference server: claim, pull, decide 500 items of every kind, push; the
// server then holds exactly those decisions, each with the labor the desk measured.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/index';
import { deskEvents, type DeskOutput } from '../../shared/desk-api';
import { EXCEPTION_CLASSES, type Labor } from '../../shared/domain';
import { RECLASSIFY_REASONS } from '../../shared/reclassify-reasons';
import { startTestServer, type TestServer } from '../helpers/server';
import { demoCore, FakeClock, ok, tmpDir } from './core-fixture';

const N = 500;
const PLAN = ['approve', 'reject', 'correct', 'escalate', 'defer', 'note+approve', 'reclassify+approve'] as const;

let server: TestServer;
let core: Core;
let clock: FakeClock;
const tmp = tmpDir('cycle');
const events: { name: string; payload: unknown }[] = [];

beforeAll(async () => {
  server = await startTestServer({ seed: 'demo' });
  clock = new FakeClock();
  core = await demoCore(server.url, tmp.file('cache.sqlite'), { clock });
  core.onEvent((name, payload) => events.push({ name, payload }));
});
afterAll(async () => {
  await core?.close();
  await server?.close();
  tmp.cleanup();
});

function serverDb() {
  return new Database(server.dbFile, { readonly: true, fileMustExist: true });
}

describe('full cycle', () => {
  it('claims, pulls, decides 500 items of every kind with labor, pushes: the server holds exactly those', async () => {
    const session = await ok(core, 'session.connectDemo', { user: 'alice' });
    expect(session).toMatchObject({ signedIn: true, demo: true, user: { id: 'alice' } });
    expect(events.some((e) => e.name === 'session.changed')).toBe(true);

    await ok(core, 'settings.set', { claimTargetSize: 600 });
    const first = await ok(core, 'sync.now', {});
    expect(first.state).toBe('online');
    expect(first.assigned).toBe(600);
    expect(events.some((e) => e.name === 'queue.changed' && (e.payload as { reason: string }).reason === 'claim')).toBe(true);

    const expectedOutcomes = new Map<string, string>();
    const expectedOther = { escalated: 0, deferred: 0, noted: 0, reclassified: 0 };
    let current = (await ok(core, 'triage.next', { fromItemId: null })).itemId;
    let decided = 0;
    while (decided < N) {
      expect(current).not.toBeNull();
      const itemId = current!;
      const detail = await ok(core, 'triage.open', { itemId });
      const reason = detail.queue!.reasonCodes[0].code;
      let plan: (typeof PLAN)[number] = PLAN[decided % PLAN.length];
      if (plan === 'escalate' && detail.queue!.ownerId === 'alice') plan = 'defer';
      // 2.5 s of active labor: 1.5 s to the first input, then 1 s more.
      clock.advance(1_500);
      await ok(core, 'labor.signal', { signal: 'input' });
      clock.advance(1_000);
      let out: DeskOutput<'triage.decide'>;
      switch (plan) {
        case 'approve': out = await ok(core, 'triage.decide', { itemId, kind: 'approve' }); expectedOutcomes.set(itemId, 'approve'); break;
        case 'reject': out = await ok(core, 'triage.decide', { itemId, kind: 'reject', payload: { reasonCode: reason } }); expectedOutcomes.set(itemId, 'reject'); break;
        case 'correct':
          out = await ok(core, 'triage.decide', { itemId, kind: 'correct', payload: { correctedOutput: { fixed: true, n: decided } } });
          expectedOutcomes.set(itemId, 'correct');
          break;
        case 'escalate': out = await ok(core, 'triage.decide', { itemId, kind: 'escalate', payload: { reasonCode: reason, comment: 'owner please' } }); expectedOther.escalated++; break;
        case 'defer': out = await ok(core, 'triage.decide', { itemId, kind: 'defer' }); expectedOther.deferred++; break;
        case 'note+approve': {
          const note = await ok(core, 'triage.decide', { itemId, kind: 'note', payload: { text: `checked ${decided}` } });
          expect(note.nextItemId).toBe(itemId);
          clock.advance(400);
          out = await ok(core, 'triage.decide', { itemId, kind: 'approve' });
          expectedOutcomes.set(itemId, 'approve');
          expectedOther.noted++;
          break;
        }
        case 'reclassify+approve': {
          const to = EXCEPTION_CLASSES.find((c) => c !== detail.item.exceptionClass)!;
          await ok(core, 'triage.decide', { itemId, kind: 'reclassify', payload: { exceptionClass: to, reasonCode: RECLASSIFY_REASONS[0].code } });
          clock.advance(400);
          out = await ok(core, 'triage.decide', { itemId, kind: 'approve' });
          expectedOutcomes.set(itemId, 'approve');
          expectedOther.reclassified++;
          break;
        }
      }
      expect(out.itemId).toBe(itemId);
      expect(out.nextItemId).not.toBe(itemId);
      current = out.nextItemId;
      decided++;
    }

    const before = await ok(core, 'sync.status', {});
    expect(before.pending).toBe(N + expectedOther.noted + expectedOther.reclassified);
    const pendingPage = await ok(core, 'queue.page', { filter: { localStates: ['pending'] }, limit: 1000 });
    expect(pendingPage.total).toBe(N);

    const after = await ok(core, 'sync.now', {});
    expect(after).toMatchObject({ state: 'online', pending: 0, conflicts: 0, lastError: null });
    expect((await ok(core, 'conflicts.list', {})).conflicts).toEqual([]);
    const synced = await ok(core, 'queue.page', { filter: { localStates: ['synced'] }, limit: 1000 });
    expect(synced.total).toBe(N);

    // The server's own records, read from its database file.
    const db = serverDb();
    try {
      const decisions = db.prepare(`SELECT item_id, kind FROM decisions WHERE by = 'alice'`).all() as { item_id: string; kind: string }[];
      expect(new Map(decisions.map((d) => [d.item_id, d.kind]))).toEqual(expectedOutcomes);
      expect(decisions.length).toBe(expectedOutcomes.size);
      const evs = db.prepare(`SELECT item_id, type, payload FROM item_events WHERE actor_id = 'alice' AND type IN ('decided','escalated','deferred','noted','reclassified')`).all() as
        { item_id: string; type: string; payload: string }[];
      const count = (t: string) => evs.filter((e) => e.type === t).length;
      expect(count('decided')).toBe(expectedOutcomes.size);
      expect(count('escalated')).toBe(expectedOther.escalated);
      expect(count('deferred')).toBe(expectedOther.deferred);
      expect(count('noted')).toBe(expectedOther.noted);
      expect(count('reclassified')).toBe(expectedOther.reclassified);
      for (const e of evs) {
        const labor = (JSON.parse(e.payload) as { labor: Labor | null }).labor;
        expect(labor, `${e.type} ${e.item_id} carries labor`).not.toBeNull();
        // First decision on an item: the 2.5 s measured before it; a follow-up: the 0.4 s of note-taking after.
        const followUp = e.type === 'decided' && evs.some((x) => x.item_id === e.item_id && (x.type === 'noted' || x.type === 'reclassified'));
        expect(labor!.activeMs).toBe(followUp ? 400 : 2_500);
        expect(labor!.rework).toBe(false);
        expect(labor!.segments).toBe(1);
      }
    } finally {
      db.close();
    }

    const stats = await ok(core, 'stats.today', {});
    expect(stats.totalOutcomes).toBe(expectedOutcomes.size);
    expect(stats.escalations).toBe(expectedOther.escalated);
    expect(stats.defers).toBe(expectedOther.deferred);
    const laborMs = (N * 2_500) + (expectedOther.noted + expectedOther.reclassified) * 400;
    expect(stats.laborMinutes).toBeCloseTo(laborMs / 60_000, 6);
    expect(stats.laborMinutesPerOutcome).toBeCloseTo(laborMs / 60_000 / expectedOutcomes.size, 6);
  });

  it('undo takes back an unsent decision from the outbox; after it reached the server, it reverts, and the next decision is rework', async () => {
    const itemId = (await ok(core, 'triage.next', { fromItemId: null })).itemId!;
    // (It may be a deferred item claimed again, so it can already carry this desk's history.)
    const stateBefore = (await ok(core, 'triage.open', { itemId })).localState;
    clock.advance(3_000);
    await ok(core, 'triage.decide', { itemId, kind: 'approve' });
    const fromOutbox = await ok(core, 'triage.undo', {});
    expect(fromOutbox).toEqual({ undone: { itemId, kind: 'approve', mutationId: expect.any(Number) }, via: 'outbox' });
    expect((await ok(core, 'item.get', { itemId })).localState).toBe(stateBefore);
    // The labor of the undone decision is the item's again.
    expect((await ok(core, 'item.get', { itemId })).laborActiveMs).toBe(3_000);

    clock.advance(1_000);
    const approved = await ok(core, 'triage.decide', { itemId, kind: 'approve' });
    await ok(core, 'sync.now', {});
    expect((await ok(core, 'item.get', { itemId })).localState).toBe('synced');

    const reverted = await ok(core, 'triage.undo', {});
    expect(reverted).toEqual({ undone: { itemId, kind: 'approve', mutationId: approved.mutationId }, via: 'revert' });
    expect((await ok(core, 'item.get', { itemId })).item.status).toBe('leased');
    await ok(core, 'triage.open', { itemId });
    clock.advance(5_000);
    // Decided while the revert is still unsent: the decision waits for the revert's new lease.
    const redo = await ok(core, 'triage.decide', { itemId, kind: 'reject', payload: { reasonCode: (await ok(core, 'item.get', { itemId })).queue!.reasonCodes[0].code } });
    const status = await ok(core, 'sync.now', {});
    expect(status).toMatchObject({ pending: 0, conflicts: 0 });
    const detail = await ok(core, 'item.get', { itemId });
    const redoRow = detail.decisions.find((d) => d.mutationId === redo.mutationId)!;
    expect(redoRow).toMatchObject({ state: 'settled', resultCode: 'ok' });
    expect(redoRow.labor).toMatchObject({ activeMs: 5_000, rework: true });

    const db = serverDb();
    try {
      const rows = db.prepare(`SELECT kind FROM decisions WHERE item_id = ? ORDER BY seq`).all(itemId) as { kind: string }[];
      expect(rows.map((r) => r.kind)).toEqual(['approve', 'revert', 'reject']);
      const last = db.prepare(`SELECT payload FROM item_events WHERE item_id = ? AND type = 'decided' ORDER BY seq DESC LIMIT 1`).get(itemId) as { payload: string };
      expect(JSON.parse(last.payload)).toMatchObject({ rework: true, labor: { activeMs: 5_000, rework: true } });
    } finally {
      db.close();
    }
    const stats = await ok(core, 'stats.today', {});
    expect(stats.reverts).toBe(1);
    expect(stats.reworkLaborMinutes).toBeCloseTo(5_000 / 60_000, 6);
  });

  it('labor through the desk API: blur pauses, triage.close stops, the decision carries only active time', async () => {
    const itemId = (await ok(core, 'triage.next', { fromItemId: null })).itemId!;
    await ok(core, 'triage.open', { itemId });
    clock.advance(2_000);
    await ok(core, 'labor.signal', { signal: 'blur' });
    clock.advance(20_000);
    await ok(core, 'labor.signal', { signal: 'focus' });
    clock.advance(1_000);
    await ok(core, 'triage.close', {});
    clock.advance(10_000);
    await ok(core, 'labor.signal', { signal: 'input' }); // typing in another view
    clock.advance(10_000);
    expect((await ok(core, 'item.get', { itemId })).laborActiveMs).toBe(3_000);
    await ok(core, 'triage.open', { itemId });
    clock.advance(500);
    const d = await ok(core, 'triage.decide', { itemId, kind: 'defer' });
    const labor = (await ok(core, 'item.get', { itemId })).decisions.find((x) => x.mutationId === d.mutationId)!.labor!;
    expect(labor).toMatchObject({ activeMs: 3_500, segments: 3, rework: false });
    expect(labor.wallMs).toBe(2_000 + 20_000 + 1_000 + 20_000 + 500);
    expect(labor.idleMs).toBe(labor.wallMs - 3_500);
  });

  it('sync.checkout claims a larger batch with a long lease for offline work', async () => {
    const before = await ok(core, 'sync.status', {});
    const out = await ok(core, 'sync.checkout', { count: 40, leaseMinutes: 8 * 60 });
    expect(out.claimed).toBe(40);
    const after = await ok(core, 'sync.status', {});
    expect(after.assigned).toBe(before.assigned + 40);
    const claimEvent = events.filter((e) => e.name === 'queue.changed' && (e.payload as { reason: string }).reason === 'claim').at(-1)!;
    const ids = (claimEvent.payload as { itemIds: string[] }).itemIds;
    expect(ids).toHaveLength(40);
    for (const id of ids) {
      const lease = Date.parse((await ok(core, 'item.get', { itemId: id })).item.leaseExpiresAt!);
      expect(lease - Date.now()).toBeGreaterThan(7.9 * 3600_000);
    }
    expect(events.some((e) => e.name === 'sync.status' && (e.payload as { progress: { phase: string } | null }).progress?.phase === 'checkout')).toBe(true);
  });

  it('every event emitted so far matches its schema in shared/desk-api.ts', () => {
    expect(events.length).toBeGreaterThan(10);
    for (const e of events) expect(deskEvents[e.name as keyof typeof deskEvents].safeParse(e.payload).success, e.name).toBe(true);
    expect(new Set(events.map((e) => e.name))).toEqual(new Set(['sync.status', 'queue.changed', 'session.changed']));
  });

  it('queue.page filters, sorts and counts from the cache', async () => {
    const first = await ok(core, 'queue.page', { limit: 1000 });
    const rest = await ok(core, 'queue.page', { limit: 1000, offset: 1000 });
    const rows = [...first.rows, ...rest.rows];
    expect(first.total).toBeGreaterThan(1000);
    expect(first.total).toBe(rows.length);
    const bySla = [...rows].sort((a, b) => Date.parse(a.slaDueAt) - Date.parse(b.slaDueAt) || (a.id < b.id ? -1 : 1));
    expect(rows.map((r) => r.id)).toEqual(bySla.map((r) => r.id));

    const cls = rows[0].exceptionClass;
    const filtered = await ok(core, 'queue.page', { filter: { classes: [cls], statuses: ['leased'] }, sort: { by: 'confidence', dir: 'desc' }, limit: 50, offset: 5 });
    expect(filtered.rows.length).toBeGreaterThan(0);
    const expected = rows.filter((r) => r.exceptionClass === cls && r.status === 'leased')
      .sort((a, b) => (b.confidence ?? -1) - (a.confidence ?? -1) || (a.id < b.id ? 1 : -1));
    expect(filtered.total).toBe(expected.length);
    expect(filtered.rows.map((r) => r.confidence)).toEqual(expected.slice(5, 55).map((r) => r.confidence));

    const word = rows[0].title.split(' ')[0].toLowerCase();
    const text = await ok(core, 'queue.page', { filter: { text: word.toUpperCase() }, limit: 1 });
    expect(text.total).toBe(rows.filter((r) => r.title.toLowerCase().includes(word)).length);

    const youngest = await ok(core, 'queue.page', { sort: { by: 'age', dir: 'asc' }, limit: 1 });
    expect(youngest.rows[0].enqueuedAt).toBe(rows.map((r) => r.enqueuedAt).sort().at(-1));
  });
});
