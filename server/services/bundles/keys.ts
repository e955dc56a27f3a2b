// The server's bundle signing key (Ed25519, made once per database and kept in `meta`) and the device keys
// desks register to sign their decisions bundles.
import { keyIdOf } from '../../../shared/bundle-container';
import type { BundleKeyResponse, DeviceRegistration } from '../../../shared/bundle-format';
import type { Db } from '../../db/connection';
import { writeTransaction } from '../../db/write-transaction';
import { conflictProblem } from '../../problem';
import type { AuthUser, ServerContext } from '../context';
import { bindClient } from '../push';
import { ed25519Signer, newEd25519KeyPair, nodeBundleCrypto, type Ed25519KeyPair } from './node-crypto';

const PUBLIC = 'bundle_signing_public_key';
const PRIVATE = 'bundle_signing_private_key';

/** The server key pair; the first caller creates it (insert-or-ignore, so two racing callers agree). */
export async function serverKeyPair(db: Db): Promise<Ed25519KeyPair> {
  const read = async () => {
    const rows = await db.selectFrom('meta').select(['key', 'value']).where('key', 'in', [PUBLIC, PRIVATE]).execute();
    const get = (k: string) => rows.find((r) => r.key === k)?.value;
    const publicKey = get(PUBLIC);
    const privateKey = get(PRIVATE);
    return publicKey && privateKey ? { publicKey, privateKey } : null;
  };
  const existing = await read();
  if (existing) return existing;
  const fresh = newEd25519KeyPair();
  await writeTransaction(db, async (tx) => {
    const have = await tx.selectFrom('meta').select('key').where('key', '=', PUBLIC).executeTakeFirst();
    if (have) return;
    await tx.insertInto('meta').values([{ key: PUBLIC, value: fresh.publicKey }, { key: PRIVATE, value: fresh.privateKey }]).execute();
  });
  return (await read())!;
}

export async function serverSigner(db: Db) {
  return ed25519Signer('server', await serverKeyPair(db));
}

export async function bundleKey(ctx: ServerContext): Promise<BundleKeyResponse> {
  const { publicKey } = await serverKeyPair(ctx.db);
  return { serverId: ctx.dbId, publicKey, keyId: keyIdOf(nodeBundleCrypto, publicKey) };
}

/**
 * Registers the key a desk signs its decisions bundles with. A client id belongs to one user (as for
 * push), and keeps its first key: a different key for a known client id is refused.
 */
export async function registerDevice(ctx: ServerContext, user: AuthUser, reg: DeviceRegistration) {
  const keyId = keyIdOf(nodeBundleCrypto, reg.publicKey);
  const at = ctx.now().toISOString();
  await writeTransaction(ctx.db, async (tx) => {
    await bindClient(tx, user, reg.clientId);
    const known = await tx.selectFrom('clients').select('client_id').where('client_id', '=', reg.clientId).executeTakeFirst();
    if (!known) await tx.insertInto('clients').values({ client_id: reg.clientId, user_id: user.id, last_mutation_id: 0, created_at: at, updated_at: at }).execute();
    const existing = await tx.selectFrom('bundle_devices').selectAll().where('client_id', '=', reg.clientId).executeTakeFirst();
    if (existing && existing.public_key !== reg.publicKey) {
      throw conflictProblem(`client id '${reg.clientId}' already has another device key (${existing.key_id}); a desk keeps its first key`);
    }
    if (!existing) {
      await tx.insertInto('bundle_devices').values({ client_id: reg.clientId, user_id: user.id, public_key: reg.publicKey, key_id: keyId, created_at: at }).execute();
    }
  });
  return { clientId: reg.clientId, userId: user.id, keyId };
}

export async function deviceKey(db: Db, clientId: string) {
  return db.selectFrom('bundle_devices').selectAll().where('client_id', '=', clientId).executeTakeFirst();
}
