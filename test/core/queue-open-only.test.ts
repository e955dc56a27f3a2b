// The queue view shows open work by default (issue 14 item 7): queue.page with `openOnly` lists exactly
// the triage set (my assigned items still to decide), in the same order; without it, decided rows too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/index';
import { startTestServer, type TestServer } from '../helpers/server';
import { demoCore, ok, tmpDir } from './core-fixture';

let server: TestServer;
let core: Core;
const tmp = tmpDir('queue-open');

beforeAll(async () => {
  server = await startTestServer({ seed: 'demo' });
  core = await demoCore(server.url, tmp.file('cache.sqlite'));
  await ok(core, 'session.connectDemo', { user: 'alice' });
  await ok(core, 'settings.set', { claimTargetSize: 10 });
  await ok(core, 'sync.now', {});
});
afterAll(async () => {
  await core?.close();
  await server?.close();
  tmp.cleanup();
});

describe('queue.page openOnly', () => {
  it('lists the triage set only, before and after decisions and their sync', async () => {
    const first = await ok(core, 'queue.page', { filter: { openOnly: true }, limit: 1000 });
    expect(first.total).toBeGreaterThanOrEqual(4);
    const [a, b, c] = first.rows.map((r) => r.id);
    await ok(core, 'triage.open', { itemId: a });
    await ok(core, 'triage.decide', { itemId: a, kind: 'approve', payload: {} });
    await ok(core, 'triage.open', { itemId: b });
    await ok(core, 'triage.decide', { itemId: b, kind: 'approve', payload: {} });
    await ok(core, 'triage.open', { itemId: c });
    await ok(core, 'triage.decide', { itemId: c, kind: 'note', payload: { text: 'still mine' } });

    for (const phase of ['decided here', 'after sync']) {
      const open = await ok(core, 'queue.page', { filter: { openOnly: true }, limit: 1000 });
      const all = await ok(core, 'queue.page', { filter: {}, limit: 1000 });
      const win = await ok(core, 'triage.window', { around: null, ahead: 16, behind: 0 });
      const ids = open.rows.map((r) => r.id);
      expect(ids, phase).not.toContain(a);
      expect(ids, phase).not.toContain(b);
      expect(ids, phase).toContain(c);
      expect(open.total, phase).toBe(win.total);
      expect(ids.slice(0, win.ahead.length), phase).toEqual(win.ahead);
      expect(all.total, phase).toBeGreaterThan(open.total);
      if (phase === 'decided here') await ok(core, 'sync.now', {});
    }
  });

  it('signed out, nothing is open', async () => {
    const other = await demoCore(server.url, tmp.file('empty.sqlite'));
    try {
      expect((await ok(other, 'queue.page', { filter: { openOnly: true } })).total).toBe(0);
    } finally {
      await other.close();
    }
  });
});
