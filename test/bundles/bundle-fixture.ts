// Shared setup of the bundle suites: a demo server, a desk core signed in (so it learned the server's bundle
// key and registered its device key) and then signed out (a restricted site: no network from here on).
import { readFileSync } from 'node:fs';
import type { Core } from '../../electron/core/index';
import { bundleCommand } from '../../server/bundle-cli';
import { demoCore, ok, tmpDir } from '../core/core-fixture';
import { startTestServer, type TestServer } from '../helpers/server';
import type { StartServerOptions } from '../../server/app';

export const b64 = (file: string) => readFileSync(file).toString('base64');

export interface BundleWorld {
  server: TestServer;
  tmp: ReturnType<typeof tmpDir>;
  /** A desk of `user`, keys learned, signed out (offline from the server's point of view). */
  offlineDesk(user: 'alice' | 'bob', name?: string): Promise<Core>;
  /** `npm run server -- bundle checkout` against the test server's database file; returns the bundle path. */
  checkout(user: string, count: number, hours: number, extra?: string[]): Promise<string>;
  /** `npm run server -- bundle import`; returns the receipt path and the CLI's text. */
  importDecisions(file: string, extra?: string[]): Promise<{ receipt: string; text: string }>;
  close(): Promise<void>;
}

export async function bundleWorld(opts: Partial<StartServerOptions> = {}): Promise<BundleWorld> {
  const server = await startTestServer({ seed: 'demo', ...opts });
  const tmp = tmpDir('bundles');
  const cores: Core[] = [];
  let n = 0;
  return {
    server, tmp,
    async offlineDesk(user, name = `${user}-${++n}`) {
      const core = await demoCore(server.url, tmp.file(`${name}.sqlite`), opts.now ? { clock: { now: opts.now, monotonicMs: () => performance.now() } } : {});
      cores.push(core);
      await ok(core, 'session.connectDemo', { user });
      // bundles.status after sign-in waits for nothing; a bundle call learns the keys if sign-in has not yet.
      for (let i = 0; i < 100 && !(await ok(core, 'bundles.status', {})).deviceRegistered; i++) await new Promise((r) => setTimeout(r, 20));
      await ok(core, 'session.signOut', {});
      return core;
    },
    async checkout(user, count, hours, extra = []) {
      const out = tmp.file(`work-${user}-${++n}.bundle`);
      await bundleCommand(['checkout', '--user', user, '--count', String(count), '--hours', String(hours), '--out', out, '--db', server.dbFile, ...extra]);
      return out;
    },
    async importDecisions(file, extra = []) {
      const receipt = tmp.file(`receipt-${++n}.bundle`);
      const text = await bundleCommand(['import', file, '--db', server.dbFile, '--out', receipt, ...extra]);
      return { receipt, text };
    },
    async close() {
      for (const c of cores) await c.close();
      await server.close();
      tmp.cleanup();
    },
  };
}
