// Electron's core process opens the core like `npm start` does (issue 15 gap 4): on a cache with work in it, the
// boot's first sync waits for the renderer's first item painted. The options come from the utility entry's
// own builder (electron/core/utility-entry.ts, no Electron needed); a real core, a real server, a real cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core/index';
import { memorySecretStore } from '../../electron/core/secret-store';
import { parseUtilityArgs, utilityCoreOptions } from '../../electron/core/utility-entry';
import { FIRST_PAINT_HOLD_MS } from '../../shared/desk-names';
import { demoCore, ok, tmpDir } from '../core/core-fixture';
import { firstSyncStarted, paintFirstItem } from '../helpers/first-paint';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
const tmp = tmpDir('utility-options');
beforeAll(async () => {
  server = await startTestServer({ seed: 'demo' });
});
afterAll(async () => {
  await server?.close();
  tmp.cleanup();
});

describe("Electron's core process options", () => {
  it('hold the first sync of a cache with work until the first item is painted', async () => {
    const cacheFile = tmp.file('cache.sqlite');
    const seed = await demoCore(server.url, cacheFile);
    await ok(seed, 'session.connectDemo', { user: 'alice' });
    await ok(seed, 'sync.now', {});
    await seed.close();

    const args = parseUtilityArgs([`--cache-file=${cacheFile}`, `--demo-server=${server.url}`]);
    const options = utilityCoreOptions(args, memorySecretStore(), () => true);
    expect(options.firstPaintHoldMs).toBe(FIRST_PAINT_HOLD_MS);
    const core: Core = await createCore(options);
    try {
      const log: string[] = [];
      const firstSync = firstSyncStarted(core, log);
      await paintFirstItem(core, log);
      await firstSync;
      expect(log).toEqual(['first item painted', 'sync started']);
    } finally {
      await core.close();
    }
  });
});
