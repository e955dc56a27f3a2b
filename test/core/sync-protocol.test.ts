// The sync engine's protocol rules against a scripted central API over real HTTP: bounded ordered
// batches, 409 gap resend, a `duplicate` that repeats a conflict, `client_diverged`, lost responses, and
// retry with backoff until the server is back.
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/index';
import type { PushRequest } from '../../shared/central-api';
import { closedAfterEach, demoCore, ok, scriptedServer, scriptItem, scriptPage, sendJson, tmpDir } from './core-fixture';

type Push = PushRequest & { mutations: { mutationId: number; itemId: string; payloadHash: string }[] };
const GAP = 'urn:exception-desk:problem:mutation-gap';
const n = (itemId: string) => Number(itemId.split('-')[1]);
const resolved = (itemId: string) => scriptItem(n(itemId), { status: 'resolved', assigneeId: null, version: 2 });

const open = closedAfterEach(afterEach);

async function setup(items: number, onPush: (body: Push, res: import('node:http').ServerResponse, count: number) => void, opts: { pull?: (count: number, res: import('node:http').ServerResponse) => void; autoSync?: boolean } = {}) {
  const pushes: Push[] = [];
  let pulls = 0;
  const server = await scriptedServer((path, body, _req, res) => {
    if (path === '/v1/sync/pull') {
      pulls++;
      if (opts.pull) return opts.pull(pulls, res);
      return sendJson(res, 200, pulls === 1 ? scriptPage({ reset: true, upserts: Array.from({ length: items }, (_, i) => scriptItem(i + 1)) }) : scriptPage({ cursor: `c.${pulls}` }));
    }
    if (path === '/v1/sync/push') {
      pushes.push(body as Push);
      return onPush(body as Push, res, pushes.length);
    }
    sendJson(res, 404, { type: 'x', title: 'not found', status: 404 });
  });
  const tmp = tmpDir('protocol');
  const core = await demoCore(server.url, tmp.file('cache.sqlite'), { autoSync: opts.autoSync ?? false, backoff: { baseMs: 20, capMs: 100 } });
  open.push({ core, close: server.close, cleanup: tmp.cleanup });
  await ok(core, 'session.connect', { serverUrl: server.url, token: 't' });
  return { core, pushes, pullCount: () => pulls, url: server.url };
}

function applyAll(body: Push, res: import('node:http').ServerResponse): void {
  sendJson(res, 200, {
    lastMutationId: body.mutations.at(-1)!.mutationId,
    results: body.mutations.map((m) => ({ mutationId: m.mutationId, itemId: m.itemId, status: 'applied', code: 'ok', item: resolved(m.itemId) })),
  });
}

async function decideAll(core: Core, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 1; i <= count; i++) ids.push((await ok(core, 'triage.decide', { itemId: `itm-${i}`, kind: 'approve' })).mutationId);
  return ids;
}

describe('sync protocol', () => {
  it('pushes the outbox in order, in batches of at most 100, numbered without gaps', async () => {
    const { core, pushes } = await setup(250, (body, res) => applyAll(body, res));
    await ok(core, 'sync.now', {});
    expect(await decideAll(core, 250)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    const status = await ok(core, 'sync.now', {});
    expect(status).toMatchObject({ state: 'online', pending: 0 });
    expect(pushes.map((p) => p.mutations.length)).toEqual([100, 100, 50]);
    expect(pushes.flatMap((p) => p.mutations.map((m) => m.mutationId))).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(new Set(pushes.map((p) => p.clientId)).size).toBe(1);
  });

  it('a 409 gap resends from the id the server expects, with the same hashes', async () => {
    const { core, pushes } = await setup(5, (body, res, count) => {
      if (count === 2) return sendJson(res, 409, { type: GAP, title: 'gap', status: 409, expectedMutationId: 1 });
      applyAll(body, res);
    });
    await ok(core, 'sync.now', {});
    await decideAll(core, 2);
    await ok(core, 'sync.now', {});
    await ok(core, 'triage.decide', { itemId: 'itm-3', kind: 'approve' });
    const status = await ok(core, 'sync.now', {});
    expect(status).toMatchObject({ state: 'online', pending: 0, conflicts: 0 });
    expect(pushes.map((p) => p.mutations.map((m) => m.mutationId))).toEqual([[1, 2], [3], [1, 2, 3]]);
    expect(pushes[2].mutations.slice(0, 2).map((m) => m.payloadHash)).toEqual(pushes[0].mutations.map((m) => m.payloadHash));
  });

  it('a lost push response, then a duplicate that repeats a conflict: the decision lands in the inbox', async () => {
    const { core, pushes } = await setup(3, (body, res, count) => {
      if (count === 1) return res.destroy(); // committed on the server, answer lost
      sendJson(res, 200, { lastMutationId: 1, results: [{ mutationId: 1, itemId: 'itm-1', status: 'duplicate', code: 'reassigned', message: 'already settled: conflict (reassigned)', item: null }] });
    });
    await ok(core, 'sync.now', {});
    await ok(core, 'triage.decide', { itemId: 'itm-1', kind: 'approve', payload: { comment: 'keep me' } });
    const lost = await ok(core, 'sync.now', {});
    expect(lost.state).toBe('offline');
    expect(lost.pending).toBe(1);
    const after = await ok(core, 'sync.now', {});
    expect(after).toMatchObject({ state: 'online', pending: 0, conflicts: 1 });
    expect(pushes.map((p) => p.mutations[0].payloadHash)).toEqual([pushes[0].mutations[0].payloadHash, pushes[0].mutations[0].payloadHash]);
    const { conflicts } = await ok(core, 'conflicts.list', {});
    expect(conflicts).toMatchObject([{ mutationId: 1, itemId: 'itm-1', status: 'conflict', code: 'reassigned', payload: { comment: 'keep me' } }]);
    // Not mine any more: it left the triage set, but the decision is kept.
    expect((await ok(core, 'triage.next', {})).itemId).toBe('itm-2');
    expect((await ok(core, 'item.get', { itemId: 'itm-1' })).localState).toBe('conflict');
  });

  it('client_diverged goes to the inbox as rejected and the next id moves above the server\'s', async () => {
    const { core, pushes } = await setup(3, (body, res, count) => {
      if (count === 1) {
        return sendJson(res, 200, { lastMutationId: 7, results: [{ mutationId: 1, itemId: 'itm-1', status: 'rejected', code: 'client_diverged', message: 'different payload', item: null }] });
      }
      applyAll(body, res);
    });
    await ok(core, 'sync.now', {});
    await ok(core, 'triage.decide', { itemId: 'itm-1', kind: 'approve' });
    const s1 = await ok(core, 'sync.now', {});
    expect(s1).toMatchObject({ pending: 0, conflicts: 1 });
    expect((await ok(core, 'conflicts.list', {})).conflicts[0]).toMatchObject({ mutationId: 1, status: 'rejected', code: 'client_diverged' });
    const next = await ok(core, 'triage.decide', { itemId: 'itm-2', kind: 'approve' });
    expect(next.mutationId).toBe(8);
    // Resubmitting the diverged decision gives it a fresh id too; nothing was dropped.
    await ok(core, 'conflicts.resolve', { conflictId: (await ok(core, 'conflicts.list', {})).conflicts[0].id, action: 'resubmit' });
    expect(await ok(core, 'sync.now', {})).toMatchObject({ pending: 0, conflicts: 0 });
    expect(pushes.slice(1).flatMap((p) => p.mutations.map((m) => [m.mutationId, m.itemId]))).toEqual([[8, 'itm-2'], [9, 'itm-1']]);
  });

  it('offline is a normal state: it retries with backoff by itself and comes back online', async () => {
    const states: string[] = [];
    const { core, pullCount } = await setup(2, (body, res) => applyAll(body, res), {
      autoSync: true,
      pull: (count, res) => {
        if (count <= 3) return sendJson(res, 503, { type: 'urn:exception-desk:problem:unavailable', title: 'down', status: 503 });
        sendJson(res, 200, scriptPage({ reset: count === 4, upserts: count === 4 ? [scriptItem(1), scriptItem(2)] : [] }));
      },
    });
    core.onEvent((name, payload) => { if (name === 'sync.status') states.push((payload as { state: string }).state); });
    const deadline = Date.now() + 10_000;
    let status = await ok(core, 'sync.status', {});
    while (Date.now() < deadline && !(status.state === 'online' && status.assigned === 2)) {
      await new Promise((r) => setTimeout(r, 20));
      status = await ok(core, 'sync.status', {});
    }
    expect(status).toMatchObject({ state: 'online', assigned: 2, lastError: null, nextRetryAt: null });
    expect(pullCount()).toBeGreaterThanOrEqual(4);
    expect(states).toContain('offline');
  });
});
