// app.boot: what the renderer's first paint needs in one read (issue 15 gap 4): the session, the settings and
// the first item of the assigned set with its detail. A read: the item is not opened, its labor clock does not
// start, the cache does not change (triage.open, which does, is the check that the snapshot would see it).
import { afterEach, describe, expect, it } from 'vitest';
import { snapshot } from '../helpers/db-snapshot';
import { closedAfterEach, demoCore, ok, scriptedServer, scriptItem, scriptPage, sendJson, tmpDir } from './core-fixture';

const open = closedAfterEach(afterEach);

/** A core signed in to a scripted server whose first pull brings `n` items for alice (SLA order = id order). */
async function setup(n: number, opts: { signIn: boolean }) {
  const server = await scriptedServer((path, _body, _req, res) => {
    if (path === '/v1/sync/pull') return sendJson(res, 200, scriptPage({ reset: true, upserts: Array.from({ length: n }, (_, i) => scriptItem(i + 1)) }));
    if (path === '/v1/sync/push') return sendJson(res, 503, { type: 'x', title: 'down', status: 503 });
    sendJson(res, 404, { type: 'x', title: 'not found', status: 404 });
  });
  const tmp = tmpDir('app-boot');
  const cacheFile = tmp.file('cache.sqlite');
  const core = await demoCore(server.url, cacheFile, { backoff: { baseMs: 10_000, capMs: 10_000 } });
  open.push({ core, close: server.close, cleanup: tmp.cleanup });
  if (opts.signIn) {
    await ok(core, 'session.connect', { serverUrl: server.url, token: 't' });
    await ok(core, 'sync.now', {});
  }
  return { core, cacheFile };
}

describe('app.boot', () => {
  it('answers the session, the settings and the first assigned item with its detail, as the separate reads do, and changes nothing', async () => {
    const { core, cacheFile } = await setup(3, { signIn: true });
    const before = snapshot(cacheFile);
    const boot = await ok(core, 'app.boot', {});
    expect(snapshot(cacheFile)).toEqual(before);

    const { itemId } = await ok(core, 'triage.next', { fromItemId: null, direction: 'next' });
    expect(itemId).toBe('itm-1');
    expect(boot).toEqual({
      session: await ok(core, 'session.get', {}),
      settings: await ok(core, 'settings.get', {}),
      first: await ok(core, 'item.get', { itemId: itemId! }),
    });
    expect(boot.session.signedIn).toBe(true);

    // The open the renderer sends once the item is shown does change the cache (its labor): the snapshot sees it.
    await ok(core, 'triage.open', { itemId: itemId! });
    expect(snapshot(cacheFile)).not.toEqual(before);
  });

  it('has no first item when nothing is assigned, nor when signed out (no assigned set to read)', async () => {
    const empty = await setup(0, { signIn: true });
    expect((await ok(empty.core, 'app.boot', {})).first).toBeNull();

    const signedOut = await setup(3, { signIn: false });
    const boot = await ok(signedOut.core, 'app.boot', {});
    expect(boot.session.signedIn).toBe(false);
    expect(boot.first).toBeNull();
    expect(boot.settings).toEqual(await ok(signedOut.core, 'settings.get', {}));
  });

  it('refuses input it does not take, like every desk method', async () => {
    const { core } = await setup(1, { signIn: false });
    const r = await core.call('app.boot', { itemId: 'itm-1' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('bad_input');
  });
});
