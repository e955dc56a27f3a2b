// One item that fails the Item schema must never stop a desk from syncing (issue 8, item 7, desk half):
// it is quarantined (skipped, counted in the sync status) and the rest of the page applies, results still
// settle, removals still remove, and a later valid copy takes it out of quarantine. Scripted central API
// over real HTTP; real core on a real cache.
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/index';
import { MAX_ITEM_NOTES } from '../../shared/limits';
import { demoCore, ok, scriptItem, scriptPage, scriptedServer, sendJson, tmpDir } from './core-fixture';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An item with one note more than the schema allows (what issue 8 saw: notes pushed past the limit). */
function poisoned(i: number) {
  const note = { by: 'bob', at: '2026-11-28T08:00:00.000Z', text: 'x' };
  return { ...scriptItem(i, { version: 2 }), notes: Array.from({ length: MAX_ITEM_NOTES + 1 }, () => note) };
}

async function setup(pages: unknown[]) {
  const tmp = tmpDir('poison-item');
  cleanups.push(() => tmp.cleanup());
  let pushes = 0;
  const server = await scriptedServer((path, body, _req, res) => {
    if (path === '/v1/sync/pull') return sendJson(res, 200, pages.shift() ?? scriptPage({ cursor: 'c.end' }));
    if (path === '/v1/sync/push') {
      pushes++;
      const ms = (body as { mutations: { mutationId: number; itemId: string }[] }).mutations;
      return sendJson(res, 200, {
        lastMutationId: ms[ms.length - 1].mutationId,
        results: ms.map((m) => ({ mutationId: m.mutationId, itemId: m.itemId, status: 'applied', code: 'ok', item: poisoned(Number(m.itemId.slice(4))) })),
      });
    }
    sendJson(res, 404, { type: 'urn:exception-desk:problem:not-found', title: 'Not found', status: 404 });
  });
  cleanups.push(() => server.close());
  const core: Core = await demoCore(server.url, tmp.file('cache.sqlite'));
  cleanups.push(() => core.close());
  await ok(core, 'session.connect', { serverUrl: server.url, token: 't' });
  return { core, pushes: () => pushes };
}

async function ids(core: Core): Promise<string[]> {
  return (await ok(core, 'queue.page', { offset: 0, limit: 100 })).rows.map((r) => r.id).sort();
}

describe('an item copy that fails the schema', () => {
  it('is quarantined: the rest of the page applies, the cursor moves, the status counts it, a valid copy clears it', async () => {
    const { core } = await setup([
      scriptPage({ reset: true, cursor: 'c.1', upserts: [scriptItem(1), poisoned(2), scriptItem(3), { id: 42 }] }),
      scriptPage({ cursor: 'c.2', upserts: [scriptItem(2, { version: 3 })] }),
    ]);
    const first = await ok(core, 'sync.now', {});
    expect(first).toMatchObject({ state: 'online', assigned: 2, quarantined: 2, lastError: null });
    expect(await ids(core)).toEqual(['itm-1', 'itm-3']);

    const second = await ok(core, 'sync.now', {});
    expect(second).toMatchObject({ state: 'online', assigned: 3, quarantined: 1 });
    expect(await ids(core)).toEqual(['itm-1', 'itm-2', 'itm-3']);
  });

  it('a bad copy of an item already cached keeps the good copy; a removal with a bad copy still removes', async () => {
    const { core } = await setup([
      scriptPage({ reset: true, cursor: 'c.1', upserts: [scriptItem(1), scriptItem(2), scriptItem(3)] }),
      scriptPage({ cursor: 'c.2', upserts: [poisoned(1)], removals: [{ itemId: 'itm-2', reason: 'reassigned', item: poisoned(2) }] }),
    ]);
    await ok(core, 'sync.now', {});
    const status = await ok(core, 'sync.now', {});
    expect(status).toMatchObject({ state: 'online', assigned: 2 });
    expect(await ids(core)).toEqual(['itm-1', 'itm-3']);
    expect((await ok(core, 'item.get', { itemId: 'itm-1' })).item.notes).toEqual([]);
  });

  it('a push result carrying a bad copy still settles the decision', async () => {
    const { core, pushes } = await setup([scriptPage({ reset: true, cursor: 'c.1', upserts: [scriptItem(1), scriptItem(2)] })]);
    await ok(core, 'sync.now', {});
    await ok(core, 'triage.decide', { itemId: 'itm-1', kind: 'approve' });
    const status = await ok(core, 'sync.now', {});
    expect(pushes()).toBe(1);
    expect(status).toMatchObject({ state: 'online', pending: 0, conflicts: 0 });
    // The copy was dropped, nothing was skipped: nothing to report as quarantined.
    expect(status.quarantined).toBe(0);
  });
});
