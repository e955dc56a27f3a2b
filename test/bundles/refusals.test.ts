// Every bundle is verified before anything is applied (DESIGN §11): a tampered, truncated, expired, foreign
// or wrongly encrypted file gets a clear error and changes nothing, on the desk (cache file digest) and on
// the server (database digest). Forged bundles are made with the real server key so that each check, not
// an earlier one, is what refuses them.
import { readFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTar, sealBundle, type BundleSigner } from '../../shared/bundle-container';
import { MAX_MANIFEST_BYTES, type WorkBundle } from '../../shared/bundle-format';
import type { Core } from '../../electron/core/index';
import { ed25519Signer, newEd25519KeyPair, nodeBundleCrypto } from '../../server/services/bundles/node-crypto';
import { ok } from '../core/core-fixture';
import { changedTables, snapshot } from '../helpers/db-snapshot';
import { bundleWorld, type BundleWorld } from './bundle-fixture';

let world: BundleWorld;
let desk: Core;
let cacheFile: string;
let work: Buffer;
let serverSigner: BundleSigner;
let serverId: string;
let workBody: WorkBundle;

function serverKeys(dbFile: string) {
  const db = new BetterSqlite3(dbFile, { readonly: true });
  try {
    const get = (k: string) => (db.prepare('SELECT value FROM meta WHERE key = ?').get(k) as { value: string }).value;
    return { pair: { publicKey: get('bundle_signing_public_key'), privateKey: get('bundle_signing_private_key') }, dbId: get('db_id') };
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  world = await bundleWorld();
  desk = await world.offlineDesk('alice', 'refusing');
  cacheFile = world.tmp.file('refusing.sqlite');
  work = readFileSync(await world.checkout('alice', 20, 24));
  const keys = serverKeys(world.server.dbFile);
  serverSigner = ed25519Signer('server', keys.pair);
  serverId = keys.dbId;
  const other = await world.offlineDesk('alice', 'reader');
  await ok(other, 'bundles.importWork', { bundle: work.toString('base64') });
  const items = (await ok(other, 'queue.page', { limit: 100 })).rows;
  workBody = {
    reviewer: { id: 'alice', name: 'Alice' }, server: { id: serverId, url: null }, checkedOutBy: 'sam', checkedOutAt: new Date().toISOString(),
    leaseExpiresAt: new Date(Date.now() + 3600_000).toISOString(),
    items: await Promise.all(items.slice(0, 3).map(async (r) => (await ok(other, 'item.get', { itemId: r.id })).item)), queues: [],
  };
}, 60_000);
afterAll(async () => { await world?.close(); });

const forged = (over: Partial<Parameters<typeof sealBundle<'work'>>[2]> = {}, signer = serverSigner) => Buffer.from(sealBundle(nodeBundleCrypto, signer, {
  kind: 'work', bundleId: `work-forged-${Math.random().toString(36).slice(2)}`, createdAt: new Date().toISOString(),
  expiresAt: workBody.leaseExpiresAt, serverId, userId: 'alice', clientId: null, body: workBody, ...over,
}));

/** Imports on the desk and expects a refusal with `code`, and not one changed row in the cache. */
async function refusedOnDesk(bytes: Uint8Array, code: string | null, extra: { passphrase?: string } = {}): Promise<string> {
  const before = snapshot(cacheFile);
  const r = await desk.call('bundles.importWork', { bundle: Buffer.from(bytes).toString('base64'), ...extra });
  expect(r.ok).toBe(false);
  if (r.ok) return '';
  expect(r.error.code).toBe('bad_input');
  if (code) expect(r.error.details).toEqual({ bundleCode: code });
  expect(changedTables(before, snapshot(cacheFile))).toEqual([]);
  return r.error.message;
}

describe('a work bundle the desk refuses, changing nothing', () => {
  it('the untouched bundle verifies (so each refusal below is caused by its damage)', async () => {
    const probe = await world.offlineDesk('alice', 'probe');
    expect((await ok(probe, 'bundles.importWork', { bundle: work.toString('base64') })).items).toBe(20);
    expect((await ok(probe, 'bundles.importWork', { bundle: forged().toString('base64') })).items).toBe(3);
  });

  it('a flipped bit anywhere in the file', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: work.length - 1 }), fc.integer({ min: 0, max: 7 }), async (at, bit) => {
      const bad = Buffer.from(work);
      bad[at] ^= 1 << bit;
      await refusedOnDesk(bad, null);
    }), { numRuns: 60 });
  });

  it('a truncated file', async () => {
    for (const len of [1, 100, 1536, work.length >> 1, work.length - 512, work.length - 1]) {
      expect(await refusedOnDesk(work.subarray(0, len), len < 1536 ? 'damaged' : null)).toMatch(/truncated|too short|damaged/);
    }
  });

  it('a wrong signature, and a key the desk does not know', async () => {
    const impostor = ed25519Signer('server', newEd25519KeyPair());
    expect(await refusedOnDesk(forged({}, { ...impostor, keyId: serverSigner.keyId }), 'bad_signature')).toMatch(/does not verify/);
    expect(await refusedOnDesk(forged({}, impostor), 'unknown_signer')).toMatch(/does not know/);
    expect(await refusedOnDesk(forged({}, { ...serverSigner, role: 'device' }), 'unknown_signer')).toBeTruthy();
  });

  it('an expired bundle', async () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    expect(await refusedOnDesk(forged({ expiresAt: past, body: { ...workBody, leaseExpiresAt: past } }), 'expired')).toMatch(/expired at/);
  });

  it('a bundle for another reviewer, or from another server', async () => {
    const bobs = readFileSync(await world.checkout('bob', 2, 24));
    expect(await refusedOnDesk(bobs, 'wrong_reviewer')).toMatch(/for bob.*signed in as alice/);
    expect(await refusedOnDesk(forged({ serverId: 'another-db' }), 'wrong_server')).toBeTruthy();
    const strays = { ...workBody, items: workBody.items.map((i) => ({ ...i, assigneeId: 'bob' })) };
    expect(await refusedOnDesk(forged({ body: strays }), 'malformed')).toMatch(/not leased to alice/);
  });

  it('an encrypted bundle: wrong or missing passphrase', async () => {
    process.env.BUNDLE_TEST_PASSPHRASE = 'correct horse battery staple';
    const sealed = readFileSync(await world.checkout('alice', 2, 24, ['--passphrase-env', 'BUNDLE_TEST_PASSPHRASE']));
    expect(sealed.subarray(0, 15).toString()).toBe('encryption.json');
    expect(await refusedOnDesk(sealed, 'needs_passphrase')).toMatch(/passphrase/);
    expect(await refusedOnDesk(sealed, 'wrong_passphrase', { passphrase: 'correct horse battery stapler' })).toMatch(/passphrase is wrong/);
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1100] ^= 4;
    await refusedOnDesk(flipped, null, { passphrase: process.env.BUNDLE_TEST_PASSPHRASE });
    const probe = await world.offlineDesk('alice', 'sealed');
    expect((await ok(probe, 'bundles.importWork', { bundle: sealed.toString('base64'), passphrase: process.env.BUNDLE_TEST_PASSPHRASE })).items).toBe(2);
  });

  it('an oversized or malformed manifest, a foreign entry name, a huge declared size', async () => {
    const enc = new TextEncoder();
    const signed = (manifest: string) => encodeTar([
      { name: 'manifest.json', data: enc.encode(manifest) },
      { name: 'signature.json', data: enc.encode(JSON.stringify({ algorithm: 'Ed25519', keyId: serverSigner.keyId, signature: serverSigner.sign(enc.encode(manifest)) })) },
      { name: 'work.json', data: enc.encode('{}') },
    ]);
    expect(await refusedOnDesk(signed(JSON.stringify({ format: 'exception-desk-bundle', pad: 'x'.repeat(MAX_MANIFEST_BYTES) })), 'too_large')).toMatch(/manifest\.json.*limit/);
    expect(await refusedOnDesk(signed('{"format":"exception-desk-bundle","version":1,"kind":"work"}'), 'malformed')).toMatch(/manifest\.json is not valid/);
    expect(await refusedOnDesk(signed('not json'), 'malformed')).toMatch(/not valid JSON/);
    expect(await refusedOnDesk(encodeTar([{ name: '../../.bashrc', data: enc.encode('echo pwned') }]), 'malformed')).toMatch(/no bundle has/);
    expect(await refusedOnDesk(encodeTar([{ name: '/etc/passwd', data: enc.encode('x') }]), 'malformed')).toBeTruthy();
    // A header that declares 8 GiB: refused from the header alone, nothing is allocated for it.
    const huge = Buffer.from(encodeTar([{ name: 'work.json', data: enc.encode('{}') }]));
    huge.write('77777777777', 124, 'ascii');
    expect(await refusedOnDesk(huge, 'too_large')).toMatch(/limit/);
  });

  it('a decisions bundle or a receipt where a work bundle is expected', async () => {
    const receiptLike = Buffer.from(sealBundle(nodeBundleCrypto, serverSigner, {
      kind: 'receipt', bundleId: 'receipt-xyz12345', createdAt: new Date().toISOString(), expiresAt: null, serverId, userId: 'alice',
      clientId: 'desk-whatever', body: { clientId: 'desk-whatever', userId: 'alice', decisionsBundleId: 'decisions-1234', importedAt: new Date().toISOString(), lastMutationId: 0, results: [] },
    }));
    expect(await refusedOnDesk(receiptLike, 'wrong_kind')).toMatch(/receipt bundle/);
  });
});

describe('a decisions bundle the server refuses, changing nothing', () => {
  let decisions: Buffer;
  let bobsDecisions: Buffer;
  let decider: Core;
  beforeAll(async () => {
    const a = decider = await world.offlineDesk('alice', 'decider');
    await ok(a, 'bundles.importWork', { bundle: readFileSync(await world.checkout('alice', 5, 24)).toString('base64') });
    for (let i = 0; i < 3; i++) {
      const { itemId } = await ok(a, 'triage.next', { fromItemId: null });
      await ok(a, 'triage.decide', { itemId: itemId!, kind: 'approve', payload: {} });
    }
    decisions = Buffer.from((await ok(a, 'bundles.exportDecisions', {})).bundle, 'base64');
    const b = await world.offlineDesk('bob', 'bob-decider');
    await ok(b, 'bundles.importWork', { bundle: readFileSync(await world.checkout('bob', 1, 24)).toString('base64') });
    const { itemId } = await ok(b, 'triage.next', { fromItemId: null });
    await ok(b, 'triage.decide', { itemId: itemId!, kind: 'approve', payload: {} });
    bobsDecisions = Buffer.from((await ok(b, 'bundles.exportDecisions', {})).bundle, 'base64');
  }, 60_000);

  async function post(bytes: Uint8Array, token = 'demo-alice', extra: Record<string, unknown> = {}) {
    const res = await fetch(`${world.server.url}/v1/bundles/decisions`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ bundle: Buffer.from(bytes).toString('base64'), ...extra }),
    });
    return { status: res.status, body: await res.json() as { errors?: { message: string }[]; detail?: string; summary?: unknown } };
  }
  async function refusedOnServer(bytes: Uint8Array, code: string | null, token?: string, status = 400) {
    const before = snapshot(world.server.dbFile);
    const r = await post(bytes, token);
    expect(r.status).toBe(status);
    if (code) expect(r.body.errors?.[0]?.message).toBe(code);
    expect(changedTables(before, snapshot(world.server.dbFile))).toEqual([]);
    return r.body.detail ?? '';
  }

  it('a flipped bit anywhere, a truncated file', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: decisions.length - 1 }), fc.integer({ min: 0, max: 7 }), async (at, bit) => {
      const bad = Buffer.from(decisions);
      bad[at] ^= 1 << bit;
      await refusedOnServer(bad, null);
    }), { numRuns: 12 });
    expect(await refusedOnServer(decisions.subarray(0, decisions.length - 700), 'damaged')).toMatch(/truncated/);
  });

  it('a device key the server never registered, and another user\'s bundle', async () => {
    const stranger = ed25519Signer('device', newEd25519KeyPair());
    const unsigned = sealBundle(nodeBundleCrypto, stranger, {
      kind: 'decisions', bundleId: 'decisions-stranger', createdAt: new Date().toISOString(), expiresAt: null, serverId, userId: 'alice',
      clientId: 'desk-stranger-0001', body: { clientId: 'desk-stranger-0001', userId: 'alice', exportedAt: new Date().toISOString(), mutations: [] },
    });
    expect(await refusedOnServer(unsigned, 'unknown_signer')).toMatch(/device key/);
    await refusedOnServer(bobsDecisions, null, 'demo-alice', 403);
  });

  it('then the untouched bundle applies; a damaged receipt changes nothing on the desk, the intact one settles it', async () => {
    const r = await post(decisions);
    expect(r.status).toBe(200);
    expect(r.body.summary).toEqual({ applied: 3, duplicate: 0, conflict: 0, rejected: 0 });
    const receipt = Buffer.from((r.body as { receipt: string }).receipt, 'base64');
    const deciderCache = world.tmp.file('decider.sqlite');
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: receipt.length - 1 }), fc.integer({ min: 0, max: 7 }), async (at, bit) => {
      const bad = Buffer.from(receipt);
      bad[at] ^= 1 << bit;
      const before = snapshot(deciderCache);
      const res = await decider.call('bundles.importReceipt', { bundle: bad.toString('base64') });
      expect(res).toMatchObject({ ok: false, error: { code: 'bad_input' } });
      expect(changedTables(before, snapshot(deciderCache))).toEqual([]);
    }), { numRuns: 25 });
    expect(await ok(decider, 'bundles.importReceipt', { bundle: receipt.toString('base64') })).toMatchObject({ settled: 3 });
  });
});
