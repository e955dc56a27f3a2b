// Marking a push batch sent (issue 15 gap 2): the marks must be on disk before the batch leaves (undo
// takes an unsent row out of the outbox and reuses its id), but their fsync no longer runs on the core's
// thread: the marks commit relaxed and the WAL is flushed on the thread pool (electron/core/wal-flush.ts).
// A scripted server over real HTTP shows that nothing leaves before the flush, that decisions go on
// meanwhile, and that a failed flush sends nothing and falls back to FULL commits.
import { statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { walFlusher } from '../../electron/core/wal-flush';
import type { PushRequest } from '../../shared/central-api';
import { closedAfterEach, demoCore, ok, scriptedServer, scriptItem, scriptPage, sendJson, tmpDir } from './core-fixture';

const open = closedAfterEach(afterEach);

async function setup(flushWal: (() => Promise<void>) | undefined) {
  const pushes: PushRequest[] = [];
  let pulls = 0;
  const server = await scriptedServer((path, body, _req, res) => {
    if (path === '/v1/sync/pull') {
      pulls++;
      return sendJson(res, 200, pulls === 1 ? scriptPage({ reset: true, upserts: Array.from({ length: 5 }, (_, i) => scriptItem(i + 1)) }) : scriptPage({ cursor: `c.${pulls}` }));
    }
    if (path === '/v1/sync/push') {
      const push = body as PushRequest;
      pushes.push(push);
      return sendJson(res, 200, {
        lastMutationId: push.mutations.at(-1)!.mutationId,
        results: push.mutations.map((m) => ({ mutationId: m.mutationId, itemId: m.itemId, status: 'applied', code: 'ok', item: scriptItem(Number(m.itemId.split('-')[1]), { status: 'resolved', assigneeId: null, version: 2 }) })),
      });
    }
    sendJson(res, 404, { type: 'x', title: 'not found', status: 404 });
  });
  const tmp = tmpDir('push-marks');
  const core = await demoCore(server.url, tmp.file('cache.sqlite'), { ...(flushWal ? { flushWal } : {}), backoff: { baseMs: 20, capMs: 100 } });
  open.push({ core, close: server.close, cleanup: tmp.cleanup });
  await ok(core, 'session.connect', { serverUrl: server.url, token: 't' });
  await ok(core, 'sync.now', {});
  return { core, pushes, file: tmp.file('cache.sqlite') };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await sleep(10);
  expect(cond()).toBe(true);
}

describe('push marks durable before the batch leaves', () => {
  it('sends nothing until the WAL flush is done, and decisions go on while it runs', async () => {
    let release!: () => void;
    let flushes = 0;
    let gated = false;
    const { core, pushes } = await setup(() => {
      if (!gated) return Promise.resolve();
      flushes++;
      return new Promise<void>((resolve) => { release = resolve; });
    });
    await ok(core, 'triage.decide', { itemId: 'itm-1', kind: 'approve' });
    gated = true;
    const cycle = core.call('sync.now', {});
    await until(() => flushes === 1);
    // The batch is marked and waits for its flush: nothing has left, and the core's thread is free.
    await sleep(50);
    expect(pushes).toHaveLength(0);
    expect((await ok(core, 'triage.decide', { itemId: 'itm-2', kind: 'approve' })).mutationId).toBe(2);
    // The first decision was marked sent before the flush: undo now takes back the second (still pending) only.
    expect(await ok(core, 'triage.undo', {})).toMatchObject({ via: 'outbox', undone: { mutationId: 2 } });
    release();
    const status = await cycle;
    expect(status.ok).toBe(true);
    expect(pushes.map((p) => p.mutations.map((m) => m.mutationId))).toEqual([[1]]);
    expect(await ok(core, 'sync.status', {})).toMatchObject({ pending: 0 });
  });

  it('a flush that fails sends nothing that cycle; the next cycle marks with a FULL commit and sends', async () => {
    let flushes = 0;
    let failing = false;
    const { core, pushes } = await setup(async () => {
      if (!failing) return;
      flushes++;
      throw new Error('EIO: the disk said no');
    });
    await ok(core, 'triage.decide', { itemId: 'itm-1', kind: 'approve' });
    failing = true;
    const failed = await ok(core, 'sync.now', {});
    expect(failed.state).toBe('error');
    expect(failed.lastError).toContain('EIO');
    expect(pushes).toHaveLength(0);
    const again = await ok(core, 'sync.now', {});
    expect(again).toMatchObject({ state: 'online', pending: 0 });
    expect(flushes).toBe(1);
    expect(pushes.map((p) => p.mutations.map((m) => m.mutationId))).toEqual([[1]]);
  });

  it('the real flusher: a core without one given flushes its WAL file and pushes; a missing file is an error', async () => {
    const tmp = tmpDir('wal-flush');
    open.push({ cleanup: tmp.cleanup });
    const { core, pushes, file } = await setup(undefined);
    await ok(core, 'triage.decide', { itemId: 'itm-1', kind: 'approve' });
    expect(await ok(core, 'sync.now', {})).toMatchObject({ state: 'online', pending: 0 });
    expect(pushes.map((p) => p.mutations.map((m) => m.mutationId))).toEqual([[1]]);
    expect(statSync(`${file}-wal`).isFile()).toBe(true);
    await expect(walFlusher(file)()).resolves.toBeUndefined();
    await expect(walFlusher(tmp.file('none.sqlite'))()).rejects.toThrow(/ENOENT/);
  });
});

describe('flush behind relaxed writes', () => {
  it('a pull page and push results are flushed off the thread after they commit; decisions never wait for it', async () => {
    let behind = 0;
    let hold: Promise<void> | null = null;
    let release!: () => void;
    const { core } = await setup(() => {
      behind++;
      return hold ?? Promise.resolve();
    });
    // setup's sync applied a pull page: flushed behind it.
    expect(behind).toBeGreaterThanOrEqual(1);
    hold = new Promise<void>((r) => { release = r; });
    const before = behind;
    await ok(core, 'triage.decide', { itemId: 'itm-1', kind: 'approve' });
    const cycle = core.call('sync.now', {});
    // The push waits for its own flush (held); the decision path does not.
    await until(() => behind > before);
    expect((await ok(core, 'triage.decide', { itemId: 'itm-2', kind: 'approve' })).mutationId).toBe(2);
    hold = null;
    release();
    expect((await cycle).ok).toBe(true);
    // Push results and the pull page after them asked for flushes too.
    await until(() => behind >= before + 2);
  });
});
