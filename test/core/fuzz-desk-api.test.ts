// Generated bad input over the whole desk API (issue 8: "a fuzz suite over the central API and the desk
// API"): for every method of the one table in shared/desk-api.ts, arbitrary JSON values, near misses of
// the method's own shape and oversized strings. Whatever the method's schema refuses must answer
// `bad_input` with a message, never an internal failure, and leave the cache exactly as it was. Inputs the
// schema happens to accept are not sent: they are real calls (sign out, connect), not bad input. (No
// `undefined`: it cannot cross either transport, which send `{}` for an absent input.)
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/index';
import { DESK_METHOD_NAMES, deskMethods, type DeskMethod } from '../../shared/desk-api';
import { startTestServer, type TestServer } from '../helpers/server';
import { demoCore, ok, tmpDir } from './core-fixture';

const SEED = 20261130;
const RUNS_PER_METHOD = 12;

let server: TestServer;
let core: Core;
const tmp = tmpDir('fuzz-desk-api');
const cacheFile = tmp.file('cache.sqlite');

beforeAll(async () => {
  server = await startTestServer({ seed: 'demo' });
  core = await demoCore(server.url, cacheFile);
  await ok(core, 'session.connectDemo', { user: 'alice' });
  await ok(core, 'sync.now', {});
}, 60_000);
afterAll(async () => {
  await core?.close();
  await server?.close();
  tmp.cleanup();
});

/** Every table of the cache, whole: a refused call may not change one row. */
function snapshot(): string {
  const db = new Database(cacheFile, { readonly: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[])
      .map((t) => t.name);
    // last_sync_at moves with the background sync, not with a call.
    return JSON.stringify(tables.map((t) => [t, db.prepare(`SELECT * FROM "${t}" ${t === 'kv' ? "WHERE key <> 'last_sync_at'" : ''} ORDER BY 1`).all()]));
  } finally {
    db.close();
  }
}

/** Near misses: the keys a desk method really takes, with values of every wrong kind, plus unknown keys. */
const KNOWN_KEYS = ['itemId', 'kind', 'payload', 'filter', 'sort', 'offset', 'limit', 'conflictId', 'action', 'signal', 'serverUrl', 'token',
  'user', 'count', 'leaseMinutes', 'itemIds', 'around', 'ahead', 'behind', 'shownVersion', 'theme', 'claimTargetSize', 'bytes', 'passphrase',
  '__proto__', 'constructor'];
const wrongValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(-1, 1e12, Number.MAX_SAFE_INTEGER, '', 'x'.repeat(5000), [], {}, null, true));
const nearMiss = fc.dictionary(fc.constantFrom(...KNOWN_KEYS), wrongValue, { maxKeys: 5 });
const anyInput = fc.oneof(fc.jsonValue({ maxDepth: 5 }), nearMiss, fc.string({ maxLength: 200_000 }));

describe('the desk API refuses bad input cleanly, whatever the method', () => {
  it.each(DESK_METHOD_NAMES.map((m) => [m]))('%s', async (method) => {
    const schema = deskMethods[method as DeskMethod].input;
    let refused = 0;
    await fc.assert(fc.asyncProperty(anyInput, async (input) => {
      fc.pre(!schema.safeParse(input).success);
      refused++;
      const before = snapshot();
      const r = await core.call(method, input);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code, r.error.message).toBe('bad_input');
        expect(r.error.message.length).toBeGreaterThan(0);
      }
      expect(snapshot()).toBe(before);
    }), { seed: SEED, numRuns: RUNS_PER_METHOD, maxSkipsPerRun: 100 });
    expect(refused).toBeGreaterThan(0);
  }, 60_000);
});
