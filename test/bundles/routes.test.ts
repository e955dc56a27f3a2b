// The bundle routes of the central API and the desk's connected checkout: who may check out for whom,
// the server key a desk learns at sign-in, and the CLI as an operator runs it (`npm run server -- bundle`).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCommand } from '../../server/bundle-cli';
import { BundleCheckoutResponse, BundleKeyResponse } from '../../shared/bundle-format';
import { ok } from '../core/core-fixture';
import { bundleWorld, type BundleWorld } from './bundle-fixture';

let world: BundleWorld;
beforeAll(async () => { world = await bundleWorld(); });
afterAll(async () => { await world?.close(); });

async function call(method: string, path: string, token: string | null, body?: unknown) {
  const res = await fetch(`${world.server.url}${path}`, {
    method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

describe('bundle routes', () => {
  it('serves the server key to anyone; the desk learns it at sign-in', async () => {
    const key = BundleKeyResponse.parse((await call('GET', '/v1/bundles/key', null)).body);
    const desk = await world.offlineDesk('alice', 'learner');
    expect((await ok(desk, 'bundles.status', {}))).toMatchObject({ serverKeyId: key.keyId, deviceRegistered: true, work: null });
  });

  it('a supervisor checks out for a reviewer; a reviewer only for themself; nobody for a non-reviewer', async () => {
    const forAlice = await call('POST', '/v1/bundles/checkout', 'demo-sam', { userId: 'alice', count: 3, hours: 48 });
    expect(forAlice.status).toBe(200);
    const parsed = BundleCheckoutResponse.parse(forAlice.body);
    expect(parsed.items).toBe(3);
    expect(Date.parse(parsed.leaseExpiresAt) - Date.now()).toBeGreaterThan(47 * 3600_000);
    const desk = await world.offlineDesk('alice', 'carrier');
    expect((await ok(desk, 'bundles.importWork', { bundle: parsed.bundle })).items).toBe(3);

    expect((await call('POST', '/v1/bundles/checkout', 'demo-bob', { count: 1, hours: 2 })).status).toBe(200);
    expect((await call('POST', '/v1/bundles/checkout', 'demo-bob', { userId: 'alice', count: 1, hours: 2 })).status).toBe(403);
    expect((await call('POST', '/v1/bundles/checkout', 'demo-sam', { userId: 'sam', count: 1, hours: 2 })).status).toBe(400);
    expect((await call('POST', '/v1/bundles/checkout', 'demo-ingest', { count: 1, hours: 2 })).status).toBe(403);
    expect((await call('POST', '/v1/bundles/checkout', 'demo-sam', { userId: 'alice', count: 1, hours: 24 * 8 })).status).toBe(400);
  });

  it('a connected desk checks out for its own reviewer, and another desk of the same reviewer imports the file', async () => {
    const connected = await world.offlineDesk('bob', 'station');
    await ok(connected, 'session.connectDemo', { user: 'bob' });
    const out = await ok(connected, 'bundles.checkout', { count: 4, hours: 12 });
    expect(out).toMatchObject({ items: 4, fileName: expect.stringMatching(/^work-bob-.*\.bundle$/) });
    const site = await world.offlineDesk('bob', 'site');
    expect((await ok(site, 'bundles.importWork', { bundle: out.bundle })).items).toBe(4);
    const offline = await site.call('bundles.checkout', { count: 1, hours: 2 });
    expect(offline).toMatchObject({ ok: false, error: { code: 'not_signed_in' } });
  });

  it('a desk that never learned the key accepts a key file from `bundle key`', async () => {
    const keyFile = world.tmp.file('server-key.json');
    const root = join(import.meta.dirname, '..', '..');
    const run = (args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', join(root, 'server', 'cli.ts'), 'bundle', ...args], { cwd: root });
    expect((await run(['key', '--db', world.server.dbFile, '--out', keyFile])).stdout).toMatch(/server bundle key [0-9a-f]{16} written/);
    // The rest in-process (the same bundleCommand the CLI runs), a child process costs seconds each.
    const work = world.tmp.file('cli-work.bundle');
    expect(await bundleCommand(['checkout', '--user', 'alice', '--count', '2', '--hours', '6', '--out', work, '--db', world.server.dbFile]))
      .toMatch(/2 item\(s\) leased to alice until .*; written to/);
    await expect(bundleCommand(['import', work, '--db', world.server.dbFile])).rejects.toThrow(/bundle refused \(wrong_kind\): this is a work bundle/);

    // A desk with a user but no server key (it signed in before the server had bundles, say): the key file is the anchor.
    const desk = await world.offlineDesk('alice', 'keyless');
    const cache = new BetterSqlite3(world.tmp.file('keyless.sqlite'));
    cache.prepare(`DELETE FROM kv WHERE key = 'bundle_server_key'`).run();
    cache.close();
    const bundle = readFileSync(work).toString('base64');
    const keyJson = JSON.parse(readFileSync(keyFile, 'utf8')) as { serverId: string; publicKey: string };
    expect(await desk.call('bundles.importWork', { bundle })).toMatchObject({ ok: false, error: { details: { bundleCode: 'unknown_signer' } } });
    const otherKey = JSON.parse(await bundleCommand(['key', '--db', world.tmp.file('other.sqlite')])) as { serverId: string; publicKey: string };
    expect(await desk.call('bundles.importWork', { bundle, serverKey: otherKey })).toMatchObject({ ok: false, error: { details: { bundleCode: 'unknown_signer' } } });
    expect(await desk.call('bundles.importWork', { bundle, serverKey: { ...keyJson, serverId: otherKey.serverId } }))
      .toMatchObject({ ok: false, error: { details: { bundleCode: 'wrong_server' } } });
    expect((await ok(desk, 'bundles.importWork', { bundle, serverKey: keyJson })).items).toBe(2);
    expect((await ok(desk, 'bundles.status', {})).serverKeyId).toBe(BundleKeyResponse.parse((await call('GET', '/v1/bundles/key', null)).body).keyId);
  });
});
