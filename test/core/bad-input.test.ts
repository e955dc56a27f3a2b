// Bad input changes nothing: server responses that are malformed, truncated, of the wrong types or
// oversize give a clear sync error and leave the cache as it was; desk API calls that fail their schema
// answer bad_input and leave the cache as it was.
import Database from 'better-sqlite3';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/index';
import { demoCore, ok, scriptItem, scriptPage, tmpDir } from './core-fixture';

const item = scriptItem;
const page = scriptPage;

type Mode = 'good' | 'malformed' | 'truncated' | 'wrong-types' | 'oversize-page' | 'oversize-body' | 'html' | 'unauthorized' | 'unavailable';
let pullMode: Mode = 'good';
let pushMode: 'malformed' | 'wrong-status' | 'unavailable' = 'malformed';
let http: Server;
let url: string;
let core: Core;
const tmp = tmpDir('bad-input');
const cacheFile = tmp.file('cache.sqlite');

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function answerPull(res: ServerResponse) {
  switch (pullMode) {
    case 'good': return json(res, 200, page({ reset: true, upserts: [1, 2, 3, 4, 5].map((i) => item(i)) }));
    case 'malformed': res.writeHead(200, { 'content-type': 'application/json' }); return res.end('{"cursor":"c.2","hasMore":fal');
    case 'truncated': {
      const text = JSON.stringify(page({ upserts: [item(6)] }));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': text.length });
      res.write(text.slice(0, 100));
      setTimeout(() => res.destroy(), 20);
      return;
    }
    case 'wrong-types': return json(res, 200, page({ cursor: 7, hasMore: 'no', upserts: [item(6)] }));
    case 'oversize-page': return json(res, 200, page({ upserts: Array.from({ length: 1001 }, (_, i) => item(100 + i)) }));
    case 'oversize-body': return json(res, 200, page({ upserts: [item(6, { summary: 'x'.repeat(3_000) })], padding: 'y'.repeat(1_100_000) }));
    case 'html': res.writeHead(200, { 'content-type': 'text/html' }); return res.end('<html><body>captive portal</body></html>');
    case 'unauthorized': return json(res, 401, { type: 'urn:exception-desk:problem:unauthorized', title: 'Unauthorized', status: 401 });
    case 'unavailable': return json(res, 503, { type: 'urn:exception-desk:problem:unavailable', title: 'Unavailable', status: 503 }, { 'retry-after': '30' });
  }
}

beforeAll(async () => {
  http = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    req.resume();
    req.on('end', () => {
      if (path === '/v1/me') return json(res, 200, { id: 'alice', name: 'Alice', roles: ['reviewer'] });
      if (path === '/v1/claims') return json(res, 200, { items: [] });
      if (path === '/v1/sync/pull') return answerPull(res);
      if (path === '/v1/sync/push') {
        if (pushMode === 'malformed') { res.writeHead(200, { 'content-type': 'application/json' }); return res.end('not json at all'); }
        if (pushMode === 'wrong-status') return json(res, 200, { lastMutationId: 1, results: [{ mutationId: 1, itemId: 'itm-1', status: 'maybe', code: 'ok', item: null }] });
        return json(res, 503, { type: 'urn:exception-desk:problem:unavailable', title: 'Unavailable', status: 503 });
      }
      json(res, 404, { type: 'urn:exception-desk:problem:not-found', title: 'Not found', status: 404 });
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  core = await demoCore(url, cacheFile, { maxResponseBytes: 1_000_000, requestTimeoutMs: 5_000 });
  await ok(core, 'session.connect', { serverUrl: url, token: 'secret-token' });
  const first = await ok(core, 'sync.now', {});
  expect(first).toMatchObject({ state: 'online', assigned: 5 });
});
afterAll(async () => {
  await core?.close();
  await new Promise((r) => http.close(r));
  tmp.cleanup();
});

/** Everything the cache holds that matters; `sent` is only a hint, so it reads as unsettled like `pending`. */
function snapshot(): string {
  const db = new Database(cacheFile, { readonly: true });
  try {
    const q = (sql: string) => db.prepare(sql).all();
    return JSON.stringify({
      items: q('SELECT * FROM items ORDER BY id'),
      queues: q('SELECT * FROM queues ORDER BY id'),
      mutations: q(`SELECT mutation_id, kind, item_id, payload_hash, labor_json, CASE WHEN state IN ('pending','sent') THEN 'unsettled' ELSE state END AS s, result_code FROM mutations ORDER BY mutation_id`),
      conflicts: q('SELECT * FROM conflicts ORDER BY id'),
      kv: q(`SELECT * FROM kv WHERE key <> 'last_sync_at' ORDER BY key`),
      labor: q('SELECT id, item_id, mutation_id FROM labor_segments ORDER BY id'),
    });
  } finally {
    db.close();
  }
}

describe('bad server responses', () => {
  it.each([
    ['malformed', 'error', /not valid JSON/],
    ['truncated', 'offline', /cut off|terminated|aborted|ECONNRESET|other side closed/i],
    ['wrong-types', 'error', /does not match the contract: cursor/],
    // An invalid item copy no longer fails the page: it is quarantined (test/core/poison-item.test.ts).
    ['oversize-page', 'error', /pull page too large/],
    ['oversize-body', 'error', /exceeds the 1000000-byte limit/],
    ['html', 'error', /not valid JSON/],
    ['unavailable', 'offline', /HTTP 503/],
  ] as const)('pull answering %s: state %s, a clear error, the cache unchanged', async (mode, state, message) => {
    const before = snapshot();
    pullMode = mode;
    const status = await ok(core, 'sync.now', {});
    pullMode = 'good';
    expect(status.state).toBe(state);
    expect(status.lastError).toMatch(message);
    expect(status.nextRetryAt).not.toBeNull();
    expect(snapshot()).toBe(before);
  });

  it('a 401 asks for credentials again and keeps everything', async () => {
    const before = snapshot();
    pullMode = 'unauthorized';
    const status = await ok(core, 'sync.now', {});
    pullMode = 'good';
    expect(status.state).toBe('unauthorized');
    expect(status.lastError).toMatch(/sign in again/);
    expect(snapshot()).toBe(before);
    await ok(core, 'session.connect', { serverUrl: url, token: 'secret-token' });
    expect((await ok(core, 'sync.now', {})).state).toBe('online');
  });

  it.each(['malformed', 'wrong-status', 'unavailable'] as const)('push answering %s settles nothing and keeps the decision', async (mode) => {
    await ok(core, 'triage.decide', { itemId: 'itm-1', kind: 'approve' }).catch(() => undefined);
    const before = snapshot();
    pushMode = mode;
    const status = await ok(core, 'sync.now', {});
    expect(['error', 'offline']).toContain(status.state);
    expect(status.lastError).toBeTruthy();
    expect(status.pending).toBe(1);
    expect(snapshot()).toBe(before);
  });
});

describe('desk API calls that fail their schema', () => {
  const bad: [string, unknown, string][] = [
    ['triage.decide', { itemId: 'itm-2', kind: 'reject', payload: {} }, 'bad_input'],
    ['triage.decide', { itemId: '', kind: 'approve' }, 'bad_input'],
    ['triage.decide', { itemId: 'itm-2', kind: 'revert', payload: {} }, 'bad_input'],
    ['triage.decide', { itemId: 'itm-2', kind: 'correct', payload: { correctedOutput: 'text' } }, 'bad_input'],
    ['triage.bulkApprove', { itemIds: [] }, 'bad_input'],
    ['settings.set', { claimTargetSize: 0 }, 'bad_input'],
    ['settings.set', { theme: 'pink' }, 'bad_input'],
    ['queue.page', { limit: 5000 }, 'bad_input'],
    ['queue.page', { sort: { by: 'title', dir: 'asc' } }, 'bad_input'],
    ['conflicts.resolve', { conflictId: 'x', action: 'discard' }, 'bad_input'],
    ['labor.signal', { signal: 'dance' }, 'bad_input'],
    ['session.connect', { serverUrl: 'not a url', token: 'x' }, 'bad_input'],
    ['session.get', { extra: 1 }, 'bad_input'],
    ['triage.undo', null, 'bad_input'],
    ['item.get', { itemId: 42 }, 'bad_input'],
    ['sync.checkout', { count: 10, leaseMinutes: 5 }, 'bad_input'],
    ['triage.open', 'itm-1', 'bad_input'],
    ['nope.method', {}, 'unknown_method'],
    ['__proto__', {}, 'unknown_method'],
    // Valid shape, refused by the handler: an unknown reason code.
    ['triage.decide', { itemId: 'itm-2', kind: 'reject', payload: { reasonCode: 'made_up' } }, 'bad_input'],
  ];

  it.each(bad)('%s %j answers %s and changes nothing', async (method, input, code) => {
    const before = snapshot();
    const settings = await ok(core, 'settings.get', {});
    const r = await core.call(method, input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.message.length).toBeGreaterThan(5);
    }
    expect(snapshot()).toBe(before);
    expect(await ok(core, 'settings.get', {})).toEqual(settings);
  });
});
