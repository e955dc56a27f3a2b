// Signing in and out. The token lives only in the SecretStore port; the cache keeps the server URL and
// the user. A client id belongs to one user on one server (DESIGN §5), so switching either starts a
// fresh client, and is refused while anything of the previous user is unsynced or in the inbox.
import type { SessionInfo } from '../../shared/desk-api';
import type { Me } from '../../shared/central-api';
import type { Db } from './cache-db';
import { CentralClient, HttpError, NetworkError, ProtocolError } from './central-client';
import { DeskFailure } from './desk-failure';
import type { EventBus } from './event-bus';
import type { ItemsRepo } from './items-repo';
import type { KvRepo, StoredSession } from './kv-repo';
import type { OutboxRepo } from './outbox-repo';
import type { SecretStore } from './secret-store';

export interface SessionServiceDeps {
  db: Db;
  kv: KvRepo;
  items: ItemsRepo;
  outbox: OutboxRepo;
  secrets: SecretStore;
  events: EventBus;
  demo: { serverUrl: string } | undefined;
  requestTimeoutMs: number;
  maxResponseBytes?: number;
  onSignedIn: () => void;
  onSignedOut: () => Promise<void>;
}

export class SessionService {
  private active: { session: StoredSession; client: CentralClient } | null = null;

  constructor(private readonly d: SessionServiceDeps) {}

  /** At start: a stored session plus a stored token means signed in, without a network round trip. */
  async restore(): Promise<void> {
    const session = this.d.kv.session();
    const token = await this.d.secrets.get();
    if (session && token) {
      this.active = { session, client: this.client(session.serverUrl, token) };
      this.d.onSignedIn();
    }
  }

  connection(): { session: StoredSession; client: CentralClient } | null {
    return this.active;
  }
  /** The user this cache belongs to (signed in or not): decisions and the assigned set are theirs. */
  userId(): string | null {
    return this.active?.session.user.id ?? this.owner()?.userId ?? null;
  }

  info(): SessionInfo {
    const s = this.active?.session ?? null;
    return {
      signedIn: this.active !== null,
      serverUrl: s?.serverUrl ?? null,
      user: s?.user ?? null,
      clientId: this.d.kv.clientId(),
      demo: s?.demo ?? false,
      demoAvailable: this.d.demo !== undefined,
    };
  }

  async connectDemo(user: string): Promise<SessionInfo> {
    if (!this.d.demo) throw new DeskFailure('not_found', 'this desk was started without an embedded demo server');
    return this.connect(this.d.demo.serverUrl, `demo-${user}`, true);
  }

  async connect(serverUrl: string, token: string, demo = false): Promise<SessionInfo> {
    const client = this.client(serverUrl, token);
    let me: Me;
    try {
      me = await client.me();
    } catch (e) {
      if (e instanceof HttpError && e.status === 401) throw new DeskFailure('unauthorized', 'the server did not accept this token');
      if (e instanceof HttpError) throw new DeskFailure('server', e.message);
      if (e instanceof NetworkError) throw new DeskFailure('network', `cannot reach ${serverUrl}: ${e.message}`);
      if (e instanceof ProtocolError) throw new DeskFailure('server', `${serverUrl} does not speak the Exception Desk API: ${e.message}`);
      throw e;
    }
    const owner = this.owner();
    const switching = owner !== null && (owner.userId !== me.id || normalise(owner.serverUrl) !== normalise(serverUrl));
    if (switching) {
      const unsynced = this.d.outbox.unsettledCount();
      const inbox = this.d.outbox.openConflictCount();
      if (unsynced > 0 || inbox > 0) {
        throw new DeskFailure('conflict',
          `this cache holds ${unsynced} unsynced decision(s) and ${inbox} conflict(s) of ${owner.userId} at ${owner.serverUrl}; sign in as them to sync first`,
          { userId: owner.userId, serverUrl: owner.serverUrl, unsynced, conflicts: inbox });
      }
    }
    if (this.active) await this.d.onSignedOut();
    this.d.db.transaction(() => {
      if (switching) this.startFreshClient();
      const session: StoredSession = { serverUrl, user: me, demo };
      this.d.kv.setSession(session);
      this.d.kv.set('owner', JSON.stringify({ userId: me.id, serverUrl }));
      this.ownerCache = { userId: me.id, serverUrl };
    })();
    await this.d.secrets.set(token);
    this.active = { session: { serverUrl, user: me, demo }, client };
    if (switching) this.d.events.emit('queue.changed', { reason: 'reset' });
    this.d.events.emit('session.changed', this.info());
    this.d.onSignedIn();
    return this.info();
  }

  /** Sign out: forget the token, stop syncing; the cache and the outbox stay for the next sign-in. */
  async signOut(): Promise<SessionInfo> {
    await this.d.onSignedOut();
    this.active = null;
    await this.d.secrets.clear();
    this.d.kv.setSession(null);
    this.d.events.emit('session.changed', this.info());
    return this.info();
  }

  private ownerCache: { userId: string; serverUrl: string } | null | undefined;
  private owner(): { userId: string; serverUrl: string } | null {
    if (this.ownerCache !== undefined) return this.ownerCache;
    const raw = this.d.kv.get('owner');
    try { this.ownerCache = raw ? (JSON.parse(raw) as { userId: string; serverUrl: string }) : null; } catch { this.ownerCache = null; }
    return this.ownerCache;
  }

  /** Another user or server: nothing of the old one is unsynced, so its cache and numbering go. */
  private startFreshClient(): void {
    this.d.db.exec(`DELETE FROM items; DELETE FROM item_bodies; DELETE FROM queues; DELETE FROM mutations; DELETE FROM conflicts;
      DELETE FROM labor_segments; DELETE FROM labor_visits;
      DELETE FROM kv WHERE key IN ('pull_cursor', 'mutation_floor', 'last_sync_at');`);
    this.d.items.upsertQueues([]);
    this.d.items.resetServerCopy();
    this.d.kv.newClientId();
  }

  private client(serverUrl: string, token: string): CentralClient {
    return new CentralClient({ baseUrl: serverUrl, token, timeoutMs: this.d.requestTimeoutMs, maxBodyBytes: this.d.maxResponseBytes });
  }
}

function normalise(url: string): string {
  return url.replace(/\/+$/, '').toLowerCase();
}
