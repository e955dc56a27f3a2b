// The item on screen is the item decided (issue 8 item 1): a decision names the version the reviewer was
// shown, and the core refuses it with a typed `item_changed` when a sync moved the item on since; and the
// look-ahead window (triage.window) served in one call from the cache's ordered index.
// Also: undo passes over notes to the last decision (issue 14 item 5).
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/index';
import type { DeskInput } from '../../shared/desk-api';
import { ItemChangedDetails } from '../../shared/desk-api';
import { closedAfterEach, demoCore, ok, scriptedServer, scriptItem, scriptPage, sendJson, tmpDir } from './core-fixture';

const open = closedAfterEach(afterEach);

/** Items 1..n for alice (SLA order = id order); `later` is what the second and later pulls bring. */
async function setup(n: number, later: Record<string, unknown>) {
  let pulls = 0;
  const server = await scriptedServer((path, _body, _req, res) => {
    if (path === '/v1/sync/pull') {
      pulls++;
      return sendJson(res, 200, pulls === 1
        ? scriptPage({ reset: true, upserts: Array.from({ length: n }, (_, i) => scriptItem(i + 1)) })
        : scriptPage({ cursor: `c.${pulls}`, ...(pulls === 2 ? later : {}) }));
    }
    if (path === '/v1/sync/push') return sendJson(res, 503, { type: 'x', title: 'down', status: 503 });
    sendJson(res, 404, { type: 'x', title: 'not found', status: 404 });
  });
  const tmp = tmpDir('shown');
  const core = await demoCore(server.url, tmp.file('cache.sqlite'), { backoff: { baseMs: 10_000, capMs: 10_000 } });
  open.push({ core, close: server.close, cleanup: tmp.cleanup });
  await ok(core, 'session.connect', { serverUrl: server.url, token: 't' });
  await ok(core, 'sync.now', {});
  return core;
}

async function refusal(core: Core, input: DeskInput<'triage.decide'>) {
  const r = await core.call('triage.decide', input);
  if (r.ok) throw new Error(`decided ${input.itemId} although it should have been refused`);
  return r.error;
}

describe('a decision names the item version the reviewer was shown', () => {
  it('is refused with item_changed when a pull reassigned, resolved, withdrew or changed the shown item; nothing is written', async () => {
    const core = await setup(6, {
      removals: [
        { itemId: 'itm-1', reason: 'reassigned', item: null },
        { itemId: 'itm-2', reason: 'withdrawn', item: scriptItem(2, { status: 'withdrawn', assigneeId: null, version: 2 }) },
      ],
      upserts: [
        scriptItem(3, { version: 2, notes: [{ by: 'olivia', text: 'look at line 2', at: new Date().toISOString() }] }),
        scriptItem(4, { version: 2, assigneeId: 'bob' }),
        scriptItem(5, { version: 2, status: 'resolved', assigneeId: null, outcome: { kind: 'approve', by: 'bob', at: new Date().toISOString() } }),
      ],
    });
    const synced = await ok(core, 'sync.now', {});
    expect(synced.lastError ?? null).toBeNull();
    const before = await ok(core, 'sync.status', {});

    const cases: [string, string, number | null][] = [
      ['itm-1', 'reassigned', null],
      ['itm-2', 'withdrawn', null],
      ['itm-3', 'changed', 2],
      ['itm-4', 'reassigned', null],
      ['itm-5', 'resolved_elsewhere', null],
    ];
    for (const [itemId, departure, currentVersion] of cases) {
      const err = await refusal(core, { itemId, kind: 'approve', shownVersion: 1 });
      expect(err.code, itemId).toBe('item_changed');
      const details = ItemChangedDetails.parse(err.details);
      expect(details.itemId).toBe(itemId);
      expect(details.departure, itemId).toBe(departure);
      if (currentVersion !== null) expect(details.currentVersion).toBe(currentVersion);
      expect(err.message).toMatch(/Nothing was decided/);
    }
    expect((await ok(core, 'sync.status', {})).pending).toBe(before.pending);
    expect((await ok(core, 'queue.page', { filter: { localStates: ['pending'] } })).total).toBe(0);

    // The vanished item says why on a read as well.
    const gone = await core.call('item.get', { itemId: 'itm-1' });
    expect(gone.ok).toBe(false);
    if (!gone.ok) expect(ItemChangedDetails.parse(gone.error.details).departure).toBe('reassigned');

    // The version now shown is accepted; an unchanged item is accepted; a caller that names no version still decides.
    await ok(core, 'triage.decide', { itemId: 'itm-3', kind: 'approve', shownVersion: 2 });
    await ok(core, 'triage.decide', { itemId: 'itm-6', kind: 'note', payload: { text: 'ok' }, shownVersion: 1 });
    await ok(core, 'triage.decide', { itemId: 'itm-6', kind: 'approve', shownVersion: 1 });
    expect((await ok(core, 'sync.status', {})).pending).toBe(before.pending + 3);
  });

  it('a decided item answers its own "decided here" conflict, not item_changed', async () => {
    const core = await setup(2, {});
    await ok(core, 'triage.decide', { itemId: 'itm-1', kind: 'approve', shownVersion: 1 });
    const err = await refusal(core, { itemId: 'itm-1', kind: 'approve', shownVersion: 1 });
    expect(err.code).toBe('conflict');
  });

  it('generated bad versions are refused as bad_input or item_changed and change nothing', async () => {
    const core = await setup(3, {});
    const pending = (await ok(core, 'sync.status', {})).pending;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer({ min: -5, max: 1_000_000 }).filter((v) => v !== 1), fc.double(), fc.string(), fc.constant(null), fc.boolean()), async (v) => {
        const r = await core.call('triage.decide', { itemId: 'itm-1', kind: 'approve', shownVersion: v } as never);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(['bad_input', 'item_changed']).toContain(r.error.code);
      }),
      { numRuns: 60 },
    );
    expect((await ok(core, 'sync.status', {})).pending).toBe(pending);
  });
});

describe('triage.window', () => {
  it('answers the ids around an item in triage order with their details, its position and the total', async () => {
    const core = await setup(8, {});
    const w = await ok(core, 'triage.window', { around: 'itm-3', ahead: 4, behind: 2 });
    expect(w.ahead).toEqual(['itm-4', 'itm-5', 'itm-6', 'itm-7']);
    expect(w.behind).toEqual(['itm-2', 'itm-1']);
    expect(w.details.map((d) => d.item.id).sort()).toEqual(['itm-1', 'itm-2', 'itm-4', 'itm-5', 'itm-6', 'itm-7']);
    expect(w).toMatchObject({ position: 2, total: 8 });
    // Same answer as walking triage.next, the call it replaces.
    const walked: string[] = [];
    let from = 'itm-3';
    for (let i = 0; i < 4; i++) {
      const { itemId } = await ok(core, 'triage.next', { fromItemId: from, direction: 'next' });
      if (!itemId) break;
      walked.push(itemId);
      from = itemId;
    }
    expect(walked).toEqual(w.ahead);

    expect(await ok(core, 'triage.window', { around: 'itm-8', ahead: 4, behind: 1 })).toMatchObject({ ahead: [], behind: ['itm-7'], position: 7 });
    expect(await ok(core, 'triage.window', { around: null, ahead: 2, behind: 1 })).toMatchObject({ ahead: ['itm-1', 'itm-2'], behind: [], position: null });
    // A decided item keeps its place for its neighbours but is no longer counted in the set.
    await ok(core, 'triage.decide', { itemId: 'itm-3', kind: 'approve' });
    expect(await ok(core, 'triage.window', { around: 'itm-3', ahead: 1, behind: 1 })).toMatchObject({ ahead: ['itm-4'], behind: ['itm-2'], position: null, total: 7 });
  });

  it('leaves out the details the caller names as known, and only those', async () => {
    const core = await setup(8, {});
    const w = await ok(core, 'triage.window', { around: 'itm-3', ahead: 4, behind: 1, known: ['itm-4', 'itm-5', 'itm-1', 'no-such-item'] });
    expect(w.ahead).toEqual(['itm-4', 'itm-5', 'itm-6', 'itm-7']);
    expect(w.behind).toEqual(['itm-2']);
    expect(w.details.map((d) => d.item.id).sort()).toEqual(['itm-2', 'itm-6', 'itm-7']);
    expect(w).toMatchObject({ position: 2, total: 8 });
  });

  it('refuses generated bad known lists with bad_input', async () => {
    const core = await setup(2, {});
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.array(fc.string({ minLength: 1 }), { minLength: 65, maxLength: 80 }), fc.string(), fc.integer(), fc.array(fc.oneof(fc.integer(), fc.constant(null)), { minLength: 1 })),
        async (known) => {
          const r = await core.call('triage.window', { around: 'itm-1', ahead: 4, behind: 1, known } as never);
          expect(r.ok).toBe(false);
          if (!r.ok) expect(r.error.code).toBe('bad_input');
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses generated bad windows with bad_input', async () => {
    const core = await setup(2, {});
    await fc.assert(
      fc.asyncProperty(
        fc.record({ around: fc.oneof(fc.constant(''), fc.integer(), fc.constant(undefined)), ahead: fc.oneof(fc.integer({ min: 17 }), fc.integer({ max: -1 }), fc.double({ min: 0.1, max: 0.9 }), fc.string()) }, { requiredKeys: ['ahead'] }),
        async (input) => {
          const r = await core.call('triage.window', input as never);
          expect(r.ok).toBe(false);
          if (!r.ok) expect(r.error.code).toBe('bad_input');
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('undo takes back the last decision whatever came after it (issue 14 item 5)', () => {
  it('a note after a decision does not block undo; the note stays', async () => {
    const core = await setup(3, {});
    await ok(core, 'triage.decide', { itemId: 'itm-1', kind: 'approve', shownVersion: 1 });
    await ok(core, 'triage.decide', { itemId: 'itm-2', kind: 'note', payload: { text: 'call the vendor' }, shownVersion: 1 });
    await ok(core, 'triage.decide', { itemId: 'itm-1', kind: 'note', payload: { text: 'after the approval' } });
    const out = await ok(core, 'triage.undo', {});
    expect(out).toMatchObject({ undone: { itemId: 'itm-1', kind: 'approve' }, via: 'outbox' });
    const one = await ok(core, 'item.get', { itemId: 'itm-1' });
    expect(one.decisions.map((d) => d.kind)).toEqual(['note']);
    expect((await ok(core, 'item.get', { itemId: 'itm-2' })).decisions.map((d) => d.kind)).toEqual(['note']);
    // Nothing left but notes: nothing to undo, and the notes stay.
    expect(await ok(core, 'triage.undo', {})).toMatchObject({ undone: null, via: 'none' });
    expect((await ok(core, 'sync.status', {})).pending).toBe(2);
  });
});
