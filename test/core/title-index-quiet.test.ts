// The trigram index of titles catches up in the pauses between keys (issue 15 gap 2): a step holds the core's
// thread, so while the reviewer keys (triage calls every few tens of ms) no step runs, and once the keys stop
// the index covers every pulled row. A real core on a real cache, synced from a real server; the index's
// progress is read from the cache file on a second, read-only connection.
import Database from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server';
import { demoCore, ok, tmpDir } from './core-fixture';

let server: TestServer;
const tmp = tmpDir('title-quiet');
beforeAll(async () => {
  server = await startTestServer({ seed: 'demo' });
});
afterAll(async () => {
  await server?.close();
  tmp.cleanup();
});

/** Rows of the cache the title index does not cover yet. */
function titlesBehind(cacheFile: string): number {
  const db = new Database(cacheFile, { readonly: true });
  try {
    return db.prepare<[], { n: number }>('SELECT max(0, coalesce((SELECT max(rowid) FROM items), 0) - (SELECT through_rowid FROM title_index)) AS n').get()!.n;
  } finally {
    db.close();
  }
}

describe('the title index while the reviewer keys', () => {
  it('takes no step while triage calls keep coming, and catches up once they stop', async () => {
    const cacheFile = tmp.file('cache.sqlite');
    // A quiet time far above the keys' cadence: a loaded machine that stalls the loop between two calls for a
    // few hundred ms must not read as a pause.
    const core = await demoCore(server.url, cacheFile, { titleIndexQuietMs: 1_000 });
    try {
      await ok(core, 'session.connectDemo', { user: 'alice' });
      await ok(core, 'sync.now', {});
      const behind = titlesBehind(cacheFile);
      expect(behind).toBeGreaterThan(0);
      const first = (await ok(core, 'triage.next', { fromItemId: null, direction: 'next' })).itemId!;
      // Keys every 30 ms for two seconds: twenty indexer ticks, none of them quiet.
      const until = performance.now() + 2_000;
      while (performance.now() < until) {
        await ok(core, 'triage.window', { around: first, ahead: 4, behind: 1, known: [first] });
        await sleep(30);
      }
      expect(titlesBehind(cacheFile)).toBe(behind);
      await expect.poll(() => titlesBehind(cacheFile), { timeout: 10_000, interval: 100 }).toBe(0);
    } finally {
      await core.close();
    }
  });
});
