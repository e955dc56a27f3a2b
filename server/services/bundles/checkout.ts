// Work bundles (DESIGN §11): lease N open items to one reviewer for hours to days and hand them over as a
// signed file. The leases are ordinary claims (services/leases.ts), so "no item leased to two people"
// and the lease sweep apply unchanged; the bundle expires with the earliest of its leases.
import { randomUUID } from 'node:crypto';
import { sealBundle } from '../../../shared/bundle-container';
import { MAX_BUNDLE_HOURS, type WorkBundle } from '../../../shared/bundle-format';
import { MAX_CLAIM_COUNT } from '../../../shared/central-api';
import type { Item } from '../../../shared/domain';
import { badRequest, forbidden, notFound } from '../../problem';
import type { AuthUser, ServerContext } from '../context';
import { claim } from '../leases';
import { listQueues } from '../queues';
import { registerDevice, serverSigner } from './keys';
import { newEd25519KeyPair, nodeBundleCrypto } from './node-crypto';

export interface CheckoutOptions {
  userId: string;
  count: number;
  hours: number;
  queueIds?: string[];
  passphrase?: string;
  /** Make and register a device key for the reviewer and carry it in the bundle (a site that never connects). */
  device?: boolean;
}

export interface CheckedOut { bytes: Uint8Array; bundleId: string; items: number; leaseExpiresAt: string }

/**
 * `actor`: who asks (a supervisor for anyone, a reviewer for themself); null for the server CLI, which
 * has the database itself.
 */
export async function checkoutWorkBundle(ctx: ServerContext, actor: AuthUser | null, opts: CheckoutOptions): Promise<CheckedOut> {
  if (actor && actor.id !== opts.userId && !actor.roles.includes('supervisor')) {
    throw forbidden(`only a supervisor may check out work for another user ('${opts.userId}')`);
  }
  if (!(opts.hours > 0 && opts.hours <= MAX_BUNDLE_HOURS)) throw badRequest(`hours must be more than 0 and at most ${MAX_BUNDLE_HOURS}`);
  const row = await ctx.db.selectFrom('users').selectAll().where('id', '=', opts.userId).executeTakeFirst();
  if (!row) throw notFound(`no user '${opts.userId}'`);
  const roles = JSON.parse(row.roles) as string[];
  if (!roles.includes('reviewer')) throw badRequest(`'${opts.userId}' is not a reviewer; work bundles are for reviewers`);
  const reviewer: AuthUser = { id: row.id, name: row.name, roles };
  const leaseMinutes = Math.max(1, Math.round(opts.hours * 60));
  const items: Item[] = [];
  while (items.length < opts.count) {
    const got = await claim(ctx, reviewer, { count: Math.min(MAX_CLAIM_COUNT, opts.count - items.length), queueIds: opts.queueIds, leaseMinutes });
    items.push(...got);
    if (got.length === 0) break;
  }
  if (items.length === 0) throw notFound(`no open items to check out${opts.queueIds?.length ? ` in ${opts.queueIds.join(', ')}` : ''}`);
  const leaseExpiresAt = items.map((i) => i.leaseExpiresAt!).reduce((a, b) => (a < b ? a : b));
  const used = new Set(items.map((i) => i.queueId));
  const now = ctx.now().toISOString();
  // A site that never connects cannot register its own key: the server makes one for a new client id of
  // this reviewer, registers it as a desk's sign-in would, and the bundle carries it (kept only there).
  let device: WorkBundle['device'];
  if (opts.device) {
    const pair = newEd25519KeyPair();
    const clientId = `desk-${randomUUID()}`;
    await registerDevice(ctx, reviewer, { clientId, publicKey: pair.publicKey });
    device = { clientId, ...pair };
  }
  const body: WorkBundle = {
    reviewer: { id: reviewer.id, name: reviewer.name },
    server: { id: ctx.dbId, url: null },
    checkedOutBy: actor?.id ?? 'server-cli',
    checkedOutAt: now,
    leaseExpiresAt,
    items,
    queues: (await listQueues(ctx.db)).filter((q) => used.has(q.id)),
    ...(device ? { device } : {}),
  };
  const bundleId = `work-${randomUUID()}`;
  const bytes = sealBundle(nodeBundleCrypto, await serverSigner(ctx.db), {
    kind: 'work', bundleId, createdAt: now, expiresAt: leaseExpiresAt, serverId: ctx.dbId, userId: reviewer.id, clientId: device?.clientId ?? null,
    body, passphrase: opts.passphrase,
  });
  ctx.log.info({ bundleId, userId: reviewer.id, items: items.length, leaseExpiresAt, deviceClientId: device?.clientId }, 'work bundle checked out');
  return { bytes, bundleId, items: items.length, leaseExpiresAt };
}
