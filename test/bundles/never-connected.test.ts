// DESIGN §11 for a site that never connects: `bundle checkout --device` makes and registers a device key for
// the reviewer and carries it in the (encrypted) work bundle; a desk whose cache never had a user imports it
// with the server's key file, adopts the reviewer and the device key, decides offline and exports a decisions
// bundle the server accepts, each decision exactly once. Tampered or foreign bundles change nothing.
import { readFileSync, writeFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/index';
import { ed25519Signer, newEd25519KeyPair, nodeBundleCrypto } from '../../electron/core/bundles/node-crypto';
import { openBundle, sealBundle } from '../../shared/bundle-container';
import { bundleCommand } from '../../server/bundle-cli';
import { demoCore, ok } from '../core/core-fixture';
import { changedTables, snapshot } from '../helpers/db-snapshot';
import { bundleWorld, type BundleWorld } from './bundle-fixture';

let world: BundleWorld;
const cores: Core[] = [];
const PASSPHRASE = 'correct horse battery staple';
let keyJson: { serverId: string; publicKey: string };

beforeAll(async () => {
  world = await bundleWorld();
  process.env.NEVER_CONNECTED_PASSPHRASE = PASSPHRASE;
  const keyFile = world.tmp.file('server-key.json');
  await bundleCommand(['key', '--db', world.server.dbFile, '--out', keyFile]);
  keyJson = JSON.parse(readFileSync(keyFile, 'utf8')) as { serverId: string; publicKey: string };
});
afterAll(async () => {
  for (const c of cores) await c.close();
  await world?.close();
  delete process.env.NEVER_CONNECTED_PASSPHRASE;
});

async function freshDesk(name: string): Promise<{ desk: Core; file: string }> {
  const file = world.tmp.file(`${name}.sqlite`);
  const desk = await demoCore(world.server.url, file);
  cores.push(desk);
  return { desk, file };
}

const flip = (bytes: Buffer, at: number) => { const b = Buffer.from(bytes); b[at] ^= 0x01; return b; };

// The demo history re-decides items across epochs (reverts, rollbacks, overrides); "decided twice" is
// only meaningful for decisions recorded after the mark the test takes before its import.
function serverRows(dbFile: string, clientId: string, sinceSeq = 0) {
  const db = new BetterSqlite3(dbFile, { readonly: true });
  try {
    const one = (q: string, ...a: unknown[]) => (db.prepare(q).get(...a) as { n: number }).n;
    return {
      devices: one('SELECT COUNT(*) AS n FROM bundle_devices WHERE client_id = ? AND user_id = ?', clientId, 'alice'),
      applied: one(`SELECT COUNT(*) AS n FROM client_mutations WHERE client_id = ? AND status = 'applied'`, clientId),
      settled: one('SELECT COUNT(*) AS n FROM client_mutations WHERE client_id = ?', clientId),
      doubleOutcomes: one('SELECT COUNT(*) AS n FROM (SELECT item_id FROM decisions WHERE seq > ? GROUP BY item_id HAVING COUNT(*) > 1)', sinceSeq),
      lastSeq: one('SELECT COALESCE(MAX(seq), 0) AS n FROM decisions'),
    };
  } finally {
    db.close();
  }
}

describe('a site that never connects', () => {
  it('adopts the device key of its work bundle, decides offline, and the server applies each decision once', async () => {
    const workFile = await world.checkout('alice', 30, 48, ['--device', '--passphrase-env', 'NEVER_CONNECTED_PASSPHRASE']);
    const work = readFileSync(workFile);
    const { desk, file } = await freshDesk('never-connected');
    expect((await ok(desk, 'session.get', {})).user).toBeNull();
    const bundle = work.toString('base64');

    // Refused before anything is written: a flipped bit, a foreign key file, no passphrase, a wrong one.
    const before = snapshot(file);
    for (const [input, code] of [
      [{ bundle: flip(work, work.length - 700).toString('base64'), passphrase: PASSPHRASE, serverKey: keyJson }, /damaged|bad_signature|wrong_passphrase|malformed/],
      [{ bundle, passphrase: PASSPHRASE, serverKey: { serverId: keyJson.serverId, publicKey: newEd25519KeyPair().publicKey } }, /unknown_signer/],
      [{ bundle, serverKey: keyJson }, /needs_passphrase/],
      [{ bundle, passphrase: 'not the passphrase', serverKey: keyJson }, /wrong_passphrase/],
      [{ bundle, passphrase: PASSPHRASE }, /unknown_signer/],
    ] as const) {
      const r = await desk.call('bundles.importWork', input);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(String((r.error.details as { bundleCode?: string } | undefined)?.bundleCode)).toMatch(code);
    }
    expect(changedTables(before, snapshot(file))).toEqual([]);

    // A bundle without a device key cannot give a never-connected desk an identity.
    const plain = readFileSync(await world.checkout('alice', 2, 48)).toString('base64');
    expect(await desk.call('bundles.importWork', { bundle: plain, serverKey: keyJson })).toMatchObject({ ok: false, error: { code: 'not_signed_in' } });
    expect(changedTables(before, snapshot(file))).toEqual([]);

    const imported = await ok(desk, 'bundles.importWork', { bundle, passphrase: PASSPHRASE, serverKey: keyJson });
    expect(imported.items).toBe(30);
    const status = await ok(desk, 'bundles.status', {});
    expect(status).toMatchObject({ deviceRegistered: true, work: { items: 30, remaining: 30 } });
    const session = await ok(desk, 'session.get', {});
    expect(session.signedIn).toBe(false);
    const clientId = session.clientId;
    expect(serverRows(world.server.dbFile, clientId).devices).toBe(1);

    let itemId = (await ok(desk, 'triage.next', { fromItemId: null })).itemId;
    let n = 0;
    while (itemId) {
      await ok(desk, 'triage.open', { itemId });
      n++;
      itemId = (await ok(desk, 'triage.decide', { itemId, kind: 'approve', payload: {} })).nextItemId;
    }
    expect(n).toBe(30);
    const exported = await ok(desk, 'bundles.exportDecisions', {});
    expect(exported).toMatchObject({ mutations: 30, firstMutationId: 1, lastMutationId: 30 });
    const decisions = Buffer.from(exported.bundle, 'base64');
    const decisionsFile = world.tmp.file(exported.fileName);

    // The server refuses a tampered decisions bundle and changes nothing.
    const tamperedFile = world.tmp.file('tampered-decisions.bundle');
    writeFileSync(tamperedFile, flip(decisions, decisions.length - 600));
    const serverBefore = snapshot(world.server.dbFile);
    await expect(world.importDecisions(tamperedFile)).rejects.toThrow(/bundle refused \((damaged|bad_signature|malformed)\)/);
    expect(changedTables(serverBefore, snapshot(world.server.dbFile))).toEqual([]);

    writeFileSync(decisionsFile, decisions);
    const mark = serverRows(world.server.dbFile, clientId).lastSeq;
    const { receipt, text } = await world.importDecisions(decisionsFile);
    expect(text).toContain('30 applied, 0 duplicate, 0 conflict, 0 rejected');
    expect(serverRows(world.server.dbFile, clientId, mark)).toMatchObject({ applied: 30, settled: 30, doubleOutcomes: 0 });
    expect((await world.importDecisions(decisionsFile)).text).toContain('0 applied, 30 duplicate');
    expect(serverRows(world.server.dbFile, clientId, mark)).toMatchObject({ applied: 30, settled: 30, doubleOutcomes: 0 });

    expect(await ok(desk, 'bundles.importReceipt', { bundle: readFileSync(receipt).toString('base64') }))
      .toEqual({ settled: 30, conflicts: 0, rejected: 0, alreadySettled: 0 });
    expect((await ok(desk, 'sync.status', {})).pending).toBe(0);
  });

  it('a desk that already has a user keeps its own identity: the carried device key is not adopted', async () => {
    const desk = await world.offlineDesk('alice', 'has-user');
    const clientId = (await ok(desk, 'session.get', {})).clientId;
    const workFile = await world.checkout('alice', 2, 48, ['--device']);
    expect((await ok(desk, 'bundles.importWork', { bundle: readFileSync(workFile).toString('base64') })).items).toBe(2);
    expect((await ok(desk, 'session.get', {})).clientId).toBe(clientId);
    expect((await ok(desk, 'bundles.status', {})).deviceRegistered).toBe(true);
  });

  it('a work bundle with a device key for bob is refused by a desk that belongs to alice', async () => {
    const desk = await world.offlineDesk('alice', 'alice-only');
    const before = snapshot(world.tmp.file('alice-only.sqlite'));
    const workFile = await world.checkout('bob', 2, 48, ['--device']);
    expect(await desk.call('bundles.importWork', { bundle: readFileSync(workFile).toString('base64') }))
      .toMatchObject({ ok: false, error: { details: { bundleCode: 'wrong_reviewer' } } });
    expect(changedTables(before, snapshot(world.tmp.file('alice-only.sqlite')))).toEqual([]);
  });

  it('a forged device key (signed by the real server key, but its private key is not its public key\'s) is refused with no change', async () => {
    const real = readFileSync(await world.checkout('alice', 2, 48, ['--device']));
    const { manifest, body } = await openBundle(nodeBundleCrypto, real, { kind: 'work', trustedKey: () => keyJson.publicKey });
    const db = new BetterSqlite3(world.server.dbFile, { readonly: true });
    const get = (k: string) => (db.prepare('SELECT value FROM meta WHERE key = ?').get(k) as { value: string }).value;
    const signer = ed25519Signer('server', { publicKey: get('bundle_signing_public_key'), privateKey: get('bundle_signing_private_key') });
    db.close();
    const reseal = (device: typeof body.device, clientId = manifest.clientId) => Buffer.from(sealBundle(nodeBundleCrypto, signer, {
      kind: 'work', bundleId: `${manifest.bundleId}-x`, createdAt: manifest.createdAt, expiresAt: manifest.expiresAt, serverId: manifest.serverId,
      userId: manifest.userId, clientId, body: { ...body, device },
    })).toString('base64');
    const { desk, file } = await freshDesk('forged-device');
    const before = snapshot(file);
    const otherKey = newEd25519KeyPair();
    for (const bundle of [reseal({ ...body.device!, privateKey: otherKey.privateKey }), reseal(body.device, 'desk-someone-else')]) {
      expect(await desk.call('bundles.importWork', { bundle, serverKey: keyJson })).toMatchObject({ ok: false, error: { details: { bundleCode: 'malformed' } } });
    }
    expect(changedTables(before, snapshot(file))).toEqual([]);
    expect((await ok(desk, 'session.get', {})).user).toBeNull();
  });
});
