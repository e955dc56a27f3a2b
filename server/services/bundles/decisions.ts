// Decisions bundles (DESIGN §11): a desk's outbox as a signed file, imported through the same idempotent
// push path as the network (services/push.ts), answered with a signed receipt the desk imports to settle.
// Everything is verified before the first mutation is applied; a refused bundle changes nothing.
import { randomUUID } from 'node:crypto';
import { openBundle, sealBundle } from '../../../shared/bundle-container';
import { BundleError, summarise, type BundleReceipt, type ImportSummary } from '../../../shared/bundle-format';
import { MAX_PUSH_BATCH, type MutationResult } from '../../../shared/central-api';
import { forbidden } from '../../problem';
import type { AuthUser, ServerContext } from '../context';
import { push } from '../push';
import { deviceKey, serverSigner } from './keys';
import { nodeBundleCrypto } from './node-crypto';

export interface ImportedDecisions {
  receipt: Uint8Array;
  receiptId: string;
  bundleId: string;
  userId: string;
  clientId: string;
  lastMutationId: number;
  summary: ImportSummary;
}

/** A lease that ended before the file came back: say so in the words of a bundle, not of a live push. */
export function bundleWording(r: MutationResult, importedAt: string): MutationResult {
  if (r.code !== 'lease_expired') return r;
  return { ...r, message: `your lease ended before this decisions bundle reached the server (imported ${importedAt}); ` +
    'the item went back to its queue, so this decision was not applied. It stays in your conflicts inbox: resubmit it if the item is yours again.' };
}

/**
 * `actor`: the HTTP caller (the bundle's own reviewer, or a supervisor importing at a connected station);
 * null for the server CLI.
 */
export async function importDecisionsBundle(ctx: ServerContext, actor: AuthUser | null, bytes: Uint8Array, passphrase?: string): Promise<ImportedDecisions> {
  // The device key is looked up by the client id the manifest names and must be registered to the
  // manifest's user; openBundle returns only once the signature over the manifest verifies with it.
  const { manifest, body } = await openBundle(nodeBundleCrypto, bytes, {
    kind: 'decisions', passphrase,
    trustedKey: async (signer, m) => {
      if (signer.role !== 'device' || !m.clientId) return null;
      const device = await deviceKey(ctx.db, m.clientId);
      return device && device.user_id === m.userId && device.key_id === signer.keyId ? device.public_key : null;
    },
  });
  if (manifest.serverId !== ctx.dbId) throw new BundleError('wrong_server', `this bundle is for another central database (${manifest.serverId})`);
  if (body.clientId !== manifest.clientId || body.userId !== manifest.userId) {
    throw new BundleError('malformed', 'the bundle body names another client or user than its manifest');
  }
  if (actor && actor.id !== body.userId && !actor.roles.includes('supervisor')) {
    throw forbidden(`this decisions bundle is ${body.userId}'s; only they or a supervisor may import it`);
  }
  const user = await ctx.db.selectFrom('users').selectAll().where('id', '=', body.userId).executeTakeFirst();
  if (!user) throw new BundleError('wrong_reviewer', `the bundle's user '${body.userId}' is not a user here`);
  const author: AuthUser = { id: user.id, name: user.name, roles: JSON.parse(user.roles) as string[] };
  for (let i = 1; i < body.mutations.length; i++) {
    if (body.mutations[i].mutationId !== body.mutations[i - 1].mutationId + 1) {
      throw new BundleError('malformed', `mutation ids must follow on without gaps: ${body.mutations[i - 1].mutationId} then ${body.mutations[i].mutationId}`);
    }
  }
  // The push path, batch by batch: each batch is one transaction and idempotent, so a bundle imported
  // twice, or an older one after a newer, answers duplicates and changes nothing.
  const results: MutationResult[] = [];
  const client = await ctx.db.selectFrom('clients').select('last_mutation_id').where('client_id', '=', body.clientId).executeTakeFirst();
  let lastMutationId = client?.last_mutation_id ?? 0;
  // A push may settle less than its batch (at most MAX_ITEM_MUTATIONS_PER_PUSH on one item): resume after the
  // last id it settled. Each push settles at least its first new mutation, so this always moves on.
  for (let next = 0; next < body.mutations.length;) {
    const res = await push(ctx, author, { clientId: body.clientId, mutations: body.mutations.slice(next, next + MAX_PUSH_BATCH) });
    results.push(...res.results);
    lastMutationId = res.lastMutationId;
    const unsettled = body.mutations.findIndex((m, k) => k >= next && m.mutationId > res.lastMutationId);
    next = unsettled === -1 ? body.mutations.length : unsettled;
  }
  const importedAt = ctx.now().toISOString();
  const receiptBody: BundleReceipt = {
    clientId: body.clientId, userId: body.userId, decisionsBundleId: manifest.bundleId, importedAt, lastMutationId,
    results: results.map((r) => bundleWording(r, importedAt)),
  };
  const receiptId = `receipt-${randomUUID()}`;
  const receipt = sealBundle(nodeBundleCrypto, await serverSigner(ctx.db), {
    kind: 'receipt', bundleId: receiptId, createdAt: importedAt, expiresAt: null, serverId: ctx.dbId, userId: body.userId,
    clientId: body.clientId, body: receiptBody, passphrase,
  });
  const summary = summarise(results);
  ctx.log.info({ bundleId: manifest.bundleId, clientId: body.clientId, userId: body.userId, ...summary }, 'decisions bundle imported');
  return { receipt, receiptId, bundleId: manifest.bundleId, userId: body.userId, clientId: body.clientId, lastMutationId, summary };
}
