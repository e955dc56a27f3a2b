// Restricted sites on the desk (DESIGN §11): import a work bundle, export the outbox as a decisions bundle,
// import the receipt that settles it, and (when connected) check out a bundle to carry elsewhere.
// Every file is verified in full (shared/bundle-container.ts: container, signature, hashes, schema, sizes,
// expiry) and checked against this desk's reviewer, server and client id before one row is written.
import { randomUUID } from 'node:crypto';
import { keyIdOf, openBundle, sealBundle } from '../../../shared/bundle-container';
import { BundleError, MAX_BUNDLE_MUTATIONS, type BundleKeyResponse } from '../../../shared/bundle-format';
import { isConflictCode, type Mutation, type MutationResult } from '../../../shared/central-api';
import type { BundleStatus } from '../../../shared/desk-bundles';
import type { Db } from '../cache-db';
import type { CentralClient } from '../central-client';
import type { Clock } from '../clock';
import { DeskFailure } from '../desk-failure';
import type { EventBus } from '../event-bus';
import type { ItemsRepo } from '../items-repo';
import type { KvRepo, StoredSession } from '../kv-repo';
import type { OutboxRepo } from '../outbox-repo';
import { NOT_MINE_ANY_MORE, toMutation } from '../sync-engine';
import { adoptDeviceKey, deviceKeyPair, deviceSigner } from './device-key';
import { nodeBundleCrypto, publicKeyOf } from './node-crypto';

export interface BundleServiceDeps {
  db: Db;
  kv: KvRepo;
  items: ItemsRepo;
  outbox: OutboxRepo;
  clock: Clock;
  events: EventBus;
  connection: () => { session: StoredSession; client: CentralClient } | null;
  /** The user this cache belongs to, signed in or not. */
  userId: () => string | null;
  /** A cache that never had a user takes the reviewer of a work bundle that carries a device key. */
  adoptOwner: (userId: string, serverId: string, serverUrl: string | null) => void;
  /** After a write: refresh sync status (counts) for the renderer. */
  statusChanged: () => void;
}

interface ActiveWork { bundleId: string; items: number; itemIds: string[]; leaseExpiresAt: string; importedAt: string }

const SERVER_KEY = 'bundle_server_key';
const DEVICE_REGISTERED = 'bundle_device_registered';
const ACTIVE_WORK = 'bundle_active_work';
const IMPORTED_PREFIX = 'bundle_imported:';

/** A refused bundle is `bad_input` (nothing changed) with the BundleErrorCode in details. */
function refusal(e: BundleError): DeskFailure {
  return new DeskFailure('bad_input', e.message, { bundleCode: e.code });
}

const fromBase64 = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const stamp = (iso: string) => iso.replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');

export class BundleService {
  /** Items of the bundle still in my assigned set: items-repo's triage condition, counted in one indexed query. */
  private readonly remainingStmt;

  constructor(private readonly d: BundleServiceDeps) {
    this.remainingStmt = d.db.prepare<[string, string], { n: number }>(
      'SELECT COUNT(*) AS n FROM items WHERE id IN (SELECT value FROM json_each(?)) AND assignee_id = ? AND in_triage = 1');
  }

  // ---------- keys ----------

  serverKey(): BundleKeyResponse | null {
    const raw = this.d.kv.get(SERVER_KEY);
    return raw ? (JSON.parse(raw) as BundleKeyResponse) : null;
  }

  /**
   * When signed in (and at each sign-in): learn the server's bundle key and register this desk's device key,
   * so that work bundles can be checked and decisions bundles accepted later without a network.
   */
  async learnKeys(): Promise<void> {
    const conn = this.d.connection();
    if (!conn) return;
    const key = await conn.client.bundleKey();
    this.d.kv.set(SERVER_KEY, JSON.stringify(key));
    const roles = conn.session.user.roles;
    if (!roles.includes('reviewer') && !roles.includes('owner')) return;
    const pair = deviceKeyPair(this.d.kv);
    const clientId = this.d.kv.clientId();
    await conn.client.registerDevice({ clientId, publicKey: pair.publicKey });
    this.d.kv.set(DEVICE_REGISTERED, JSON.stringify({ clientId, keyId: keyIdOf(nodeBundleCrypto, pair.publicKey), userId: conn.session.user.id }));
  }

  private learning: Promise<void> | null = null;
  /** At sign-in, in the background: offline is a normal state, so a failure only waits for the next chance. */
  learnKeysSoon(): void {
    this.learning ??= this.learnKeys().catch(() => undefined).finally(() => { this.learning = null; });
  }
  /** Before a bundle step: if connected and the keys are not known yet, learn them now (best effort). */
  private async keysIfConnected(): Promise<void> {
    if (this.learning) await this.learning;
    if (this.d.connection() && (!this.serverKey() || !this.deviceRegistered())) await this.learnKeys().catch(() => undefined);
  }

  private deviceRegistered(): boolean {
    const raw = this.d.kv.get(DEVICE_REGISTERED);
    if (!raw) return false;
    const reg = JSON.parse(raw) as { clientId: string; keyId: string; userId: string };
    return reg.clientId === this.d.kv.clientId() && reg.userId === this.d.userId()
      && reg.keyId === keyIdOf(nodeBundleCrypto, deviceKeyPair(this.d.kv).publicKey);
  }

  status(): BundleStatus {
    const active = this.activeWork();
    return {
      work: active ? { bundleId: active.bundleId, items: active.items, leaseExpiresAt: active.leaseExpiresAt, importedAt: active.importedAt,
        remaining: this.remainingStmt.get(JSON.stringify(active.itemIds), this.d.userId() ?? '')!.n } : null,
      serverKeyId: this.serverKey()?.keyId ?? null,
      deviceRegistered: this.deviceRegistered(),
      unsettled: this.d.outbox.unsettledCount(),
    };
  }

  private activeWork(): ActiveWork | null {
    const raw = this.d.kv.get(ACTIVE_WORK);
    if (!raw) return null;
    const w = JSON.parse(raw) as ActiveWork;
    return Date.parse(w.leaseExpiresAt) > this.d.clock.now().getTime() ? w : null;
  }

  // ---------- work bundles ----------

  async importWork(b64: string, passphrase?: string, keyFile?: { serverId: string; publicKey: string }) {
    // A desk that never signed in (a site that never connects) takes its reviewer, server and device key
    // from the bundle, once the server's signature over it verifies with the key file.
    const neverConnected = this.d.userId() === null;
    await this.keysIfConnected();
    const learned = this.serverKey();
    const now = this.d.clock.now();
    let opened;
    try {
      opened = await openBundle(nodeBundleCrypto, fromBase64(b64), {
        kind: 'work', passphrase, now,
        trustedKey: (signer) => {
          if (signer.role !== 'server') return null;
          if (learned?.keyId === signer.keyId) return learned.publicKey;
          if (keyFile && keyIdOf(nodeBundleCrypto, keyFile.publicKey) === signer.keyId) return keyFile.publicKey;
          return null;
        },
      });
      const { manifest, body } = opened;
      if (neverConnected) {
        const device = body.device;
        if (!device) {
          throw new DeskFailure('not_signed_in', 'this desk has never signed in, and this work bundle carries no device key: sign in once, ' +
            'or ask for a bundle checked out for a site that never connects (bundle checkout --device)');
        }
        if (manifest.clientId !== device.clientId || publicKeyOf(device.privateKey) !== device.publicKey) {
          throw new BundleError('malformed', 'the bundle\'s device key does not match its client id or its public key');
        }
      }
      const userId = neverConnected ? body.reviewer.id : this.d.userId()!;
      const serverId = learned?.serverId ?? keyFile?.serverId;
      if (manifest.serverId !== serverId || body.server.id !== manifest.serverId) {
        throw new BundleError('wrong_server', `this bundle is from another central server (${manifest.serverId}) than the one this desk belongs to`);
      }
      if (manifest.userId !== userId || body.reviewer.id !== userId) {
        throw new BundleError('wrong_reviewer', `this work bundle is for ${body.reviewer.id}, and this desk is signed in as ${userId}`);
      }
      const strays = body.items.filter((i) => i.assigneeId !== userId || i.status !== 'leased');
      if (strays.length > 0) throw new BundleError('malformed', `the bundle holds ${strays.length} item(s) not leased to ${userId} (first: ${strays[0].id})`);
      if (this.d.kv.get(IMPORTED_PREFIX + manifest.bundleId)) {
        throw new BundleError('already_imported', `work bundle ${manifest.bundleId} was already imported on this desk`);
      }
    } catch (e) {
      throw e instanceof BundleError ? refusal(e) : e;
    }
    const { manifest, body } = opened;
    const importedAt = now.toISOString();
    this.d.db.transaction(() => {
      if (neverConnected && body.device) {
        const { clientId, publicKey, privateKey } = body.device;
        this.d.kv.set('client_id', clientId);
        adoptDeviceKey(this.d.kv, clientId, { publicKey, privateKey });
        this.d.kv.set(DEVICE_REGISTERED, JSON.stringify({ clientId, keyId: keyIdOf(nodeBundleCrypto, publicKey), userId: body.reviewer.id }));
        this.d.adoptOwner(body.reviewer.id, manifest.serverId, body.server.url);
      }
      if (!learned && keyFile) {
        this.d.kv.set(SERVER_KEY, JSON.stringify({ serverId: keyFile.serverId, publicKey: keyFile.publicKey, keyId: keyIdOf(nodeBundleCrypto, keyFile.publicKey) }));
      }
      this.d.items.upsertQueues(body.queues);
      for (const it of body.items) this.d.items.putServerCopy(it);
      const active: ActiveWork = { bundleId: manifest.bundleId, items: body.items.length, itemIds: body.items.map((i) => i.id),
        leaseExpiresAt: body.leaseExpiresAt, importedAt };
      this.d.kv.set(ACTIVE_WORK, JSON.stringify(active));
      this.d.kv.set(IMPORTED_PREFIX + manifest.bundleId, importedAt);
    })();
    this.d.events.emit('queue.changed', { reason: 'claim', itemIds: body.items.map((i) => i.id) });
    this.d.statusChanged();
    return { bundleId: manifest.bundleId, items: body.items.length, leaseExpiresAt: body.leaseExpiresAt };
  }

  /** Connected: lease items to this desk's reviewer and hand back the file (to carry to a restricted site). */
  async checkout(count: number, hours: number, passphrase?: string) {
    const conn = this.d.connection();
    if (!conn) throw new DeskFailure('not_signed_in', 'checking out a work bundle needs a connection to the server');
    const res = await conn.client.bundleCheckout({ count, hours, passphrase });
    return { bundle: res.bundle, bundleId: res.bundleId, items: res.items, leaseExpiresAt: res.leaseExpiresAt,
      fileName: `work-${conn.session.user.id}-${stamp(this.d.clock.now().toISOString())}.bundle` };
  }

  // ---------- decisions bundles ----------

  /**
   * Everything of this client not yet settled, in id order (cumulative: a lost file costs nothing). Rows
   * become `sent`: from now on they may reach the server, so undo queues a revert instead of deleting.
   */
  async exportDecisions(passphrase?: string) {
    await this.keysIfConnected();
    const userId = this.d.userId();
    if (!userId) throw new DeskFailure('not_signed_in', 'sign in once before exporting decisions');
    const key = this.serverKey();
    if (!key || !this.deviceRegistered()) {
      throw new DeskFailure('conflict', 'the server does not know this desk\'s signing key yet: sign in once while connected, then export');
    }
    const clientId = this.d.kv.clientId();
    const mutations = this.d.db.transaction(() => {
      const out: Mutation[] = [];
      for (let row of this.d.outbox.unsettledBatch(MAX_BUNDLE_MUTATIONS)) {
        if (out.length > 0 && row.mutation_id !== out[out.length - 1].mutationId + 1) break;
        // As for a push: a mutation behind an unsettled revert or escalation waits for the server's new epoch.
        if (row.needs_rebase) {
          if (this.d.outbox.hasUnsettledBefore(row.item_id, row.mutation_id)) break;
          const server = this.d.items.get(row.item_id)?.serverItem;
          if (server) row = this.d.outbox.rebase(row, server);
        }
        this.d.outbox.markSent(row.mutation_id);
        out.push(toMutation(row));
      }
      return out;
    })();
    if (mutations.length === 0) throw new DeskFailure('conflict', 'nothing to export: every decision of this desk is settled');
    const exportedAt = this.d.clock.now().toISOString();
    const bundleId = `decisions-${randomUUID()}`;
    const bytes = sealBundle(nodeBundleCrypto, deviceSigner(this.d.kv), {
      kind: 'decisions', bundleId, createdAt: exportedAt, expiresAt: null, serverId: key.serverId, userId, clientId,
      body: { clientId, userId, exportedAt, mutations }, passphrase,
    });
    this.d.statusChanged();
    return {
      bundle: toBase64(bytes), bundleId, fileName: `decisions-${userId}-${stamp(exportedAt)}.bundle`, mutations: mutations.length,
      firstMutationId: mutations[0].mutationId, lastMutationId: mutations[mutations.length - 1].mutationId,
    };
  }

  /** The server's receipt: settles the outbox exactly as push results do (idempotent: twice settles nothing more). */
  async importReceipt(b64: string, passphrase?: string) {
    await this.keysIfConnected();
    const key = this.serverKey();
    const clientId = this.d.kv.clientId();
    let opened;
    try {
      opened = await openBundle(nodeBundleCrypto, fromBase64(b64), {
        kind: 'receipt', passphrase,
        trustedKey: (signer) => (signer.role === 'server' && key?.keyId === signer.keyId ? key.publicKey : null),
      });
      const { manifest, body } = opened;
      if (manifest.serverId !== key?.serverId) throw new BundleError('wrong_server', `this receipt is from another central server (${manifest.serverId})`);
      if (manifest.clientId !== clientId || body.clientId !== clientId) {
        throw new BundleError('wrong_client', `this receipt is for desk ${body.clientId}, not this one (${clientId})`);
      }
      if (body.userId !== this.d.userId()) throw new BundleError('wrong_reviewer', `this receipt is ${body.userId}'s`);
    } catch (e) {
      throw e instanceof BundleError ? refusal(e) : e;
    }
    const { body } = opened;
    const at = this.d.clock.now().toISOString();
    const changed = new Set<string>();
    const counts = this.d.db.transaction(() => {
      const c = { settled: 0, conflicts: 0, rejected: 0, alreadySettled: 0 };
      this.d.kv.raiseMutationFloor(body.lastMutationId + 1);
      for (const r of body.results) {
        const state = this.applyResult(r, at, changed);
        if (state === null) c.alreadySettled++;
        else if (state === 'settled') c.settled++;
        else if (state === 'conflict') c.conflicts++;
        else c.rejected++;
      }
      return c;
    })();
    if (changed.size) this.d.events.emit('queue.changed', { reason: counts.conflicts + counts.rejected > 0 ? 'conflict' : 'pull', itemIds: [...changed] });
    this.d.statusChanged();
    return counts;
  }

  /** The same steps as the sync engine's push results (sync-engine.ts applyResult). */
  private applyResult(r: MutationResult, at: string, changed: Set<string>) {
    const settled = this.d.outbox.settle(r, at, 'push');
    if (r.item) this.d.items.putServerCopy(r.item);
    const itemId = settled?.row.item_id ?? r.itemId;
    const gone = isConflictCode(r.code) ? NOT_MINE_ANY_MORE[r.code] : undefined;
    if (!r.item && settled && settled.state === 'conflict' && gone) this.d.items.markRemoved(itemId, gone, null);
    this.d.items.recompute(itemId);
    changed.add(itemId);
    return settled ? settled.state : null;
  }
}
