// Browser mode in front of the real core and the real reference server: the happy path reaches the
// server, bad input changes nothing, and the core's own events arrive over SSE.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core/index';
import { startBrowserMode, type BrowserMode } from '../../electron/web/index';
import type { ItemDetail, QueuePage, SessionInfo, SyncStatus } from '../../shared/desk-api';
import { CentralClient } from '../helpers/central-client';
import { startTestServer } from '../helpers/server';
import { collectEvents, rpc } from './http-client';

let dir: string;
let server: Awaited<ReturnType<typeof startTestServer>>;
let core: Awaited<ReturnType<typeof createCore>>;
let mode: BrowserMode;

async function call<T>(method: string, input: unknown = {}): Promise<T> {
  const res = await rpc(mode.port, mode.token, method, input);
  const body = res.json() as { ok: boolean; value?: T; error?: { code: string; message: string } };
  if (res.status !== 200 || !body.ok) throw new Error(`${method}: ${res.status} ${JSON.stringify(body)}`);
  return body.value as T;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'desk-web-core-'));
  server = await startTestServer({ seed: 'demo' });
  core = await createCore({ cacheFile: join(dir, 'cache.sqlite'), demo: { serverUrl: server.url } });
  // A static folder is required; these tests only use /rpc and /events.
  mode = await startBrowserMode({ core, staticDir: dir });
});

afterAll(async () => {
  await mode?.close();
  await core?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('browser mode with the real core', () => {
  it('signs in through /rpc, and the core\'s events arrive over /events', async () => {
    let opened!: () => void;
    const open = new Promise<void>((r) => (opened = r));
    const events = collectEvents(mode.port, `/events?token=${encodeURIComponent(mode.token)}`,
      (ev) => ev.some((e) => e.event === 'session.changed') && ev.some((e) => e.event === 'sync.status'), 30_000, () => opened());
    await open;
    const session = await call<SessionInfo>('session.connectDemo', { user: 'alice' });
    expect(session.signedIn).toBe(true);
    expect(session.user?.name).toMatch(/^Alice/);
    expect(session.demo).toBe(true);
    const got = await events;
    expect(got.endedBy).toBe('client');
    const changed = got.events.find((e) => e.event === 'session.changed')!.data as SessionInfo;
    expect(changed.signedIn).toBe(true);
    const status = got.events.find((e) => e.event === 'sync.status')!.data as SyncStatus;
    expect(typeof status.state).toBe('string');
  });

  it('decides an item through /rpc and the decision reaches the reference server', async () => {
    await expect.poll(async () => (await call<SyncStatus>('sync.status')).assigned, { timeout: 30_000 }).toBeGreaterThan(0);
    const page = await call<QueuePage>('queue.page', { limit: 5 });
    expect(page.rows.length).toBeGreaterThan(0);
    const itemId = page.rows[0].id;
    const decided = await call<{ itemId: string; kind: string }>('triage.decide', { itemId, kind: 'approve', payload: {} });
    expect(decided).toMatchObject({ itemId, kind: 'approve' });
    await expect.poll(async () => (await call<SyncStatus>('sync.status')).pending, { timeout: 30_000 }).toBe(0);
    const feed = { decisions: await new CentralClient(server.url, 'demo-ingest').decisionsAll() };
    expect(feed.decisions.filter((d) => d.itemId === itemId && d.kind === 'approve')).toHaveLength(1);
  });

  it('answers bad input with a bad_input DeskResult and changes nothing', async () => {
    const before = await call<QueuePage>('queue.page', { limit: 1000 });
    const statusBefore = await call<SyncStatus>('sync.status');
    const itemId = before.rows.find((r) => r.localState === 'none')!.id;
    const detailBefore = await call<ItemDetail>('item.get', { itemId });
    for (const input of [
      { itemId, kind: 'approve!', payload: {} },
      { itemId, kind: 'reject', payload: {} },
      { itemId: '', kind: 'approve' },
      { itemId, kind: 'correct', payload: { correctedOutput: 'not an object' } },
      'a string',
      null,
    ]) {
      const res = await rpc(mode.port, mode.token, 'triage.decide', input);
      expect(res.status).toBe(200);
      expect(res.json()).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    }
    const after = await call<QueuePage>('queue.page', { limit: 1000 });
    expect(after.rows.find((r) => r.id === itemId)?.localState).toBe('none');
    const detailAfter = await call<ItemDetail>('item.get', { itemId });
    expect(detailAfter.decisions).toEqual(detailBefore.decisions);
    expect(detailAfter.item.version).toBe(detailBefore.item.version);
    expect((await call<SyncStatus>('sync.status')).pending).toBe(statusBefore.pending);
  });

  it('refuses an unknown method before the core sees it', async () => {
    const res = await rpc(mode.port, mode.token, 'triage.destroyEverything', {});
    expect(res.status).toBe(404);
    expect(res.json()).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
  });
});
