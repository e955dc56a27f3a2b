// Signing in and out. The token lives only in the SecretStore port; the cache keeps the server URL, the
// server's id and the user. A client id belongs to one user on one server (DESIGN §5), so switching either
// starts a fresh client, and is refused while anything of the previous user is unsynced or in the inbox.
// A server is the `serverId` it reports, not its URL: the embedded demo server gets a new port every
// launch, and a desk must not mistake that for another server. Starting never needs the server: a stored
// session opens on the cache (without a stored token it waits for one, saying so), and a token entered
// while the server is unreachable is taken provisionally and checked by the first sync.
import type { SessionInfo } from '../../shared/desk-api';
import type { Me } from '../../shared/central-api';
import { demoToken } from '../../shared/demo-token';
import type { Db } from './cache-db';
import { CentralClient, HttpError, NetworkError, ProtocolError } from './central-client';
import { DeskFailure } from './desk-failure';
import type { EventBus } from './event-bus';
import type { ItemsRepo } from './items-repo';
import type { KvRepo, StoredSession } from './kv-repo';
import type { OutboxRepo } from './outbox-repo';
import type { SecretStore } from './secret-store';

/** Whose work this cache holds: the user, and the server by its id (null: a server that reports none). */
interface Owner { userId: string; serverUrl: string; serverId: string | null }

export interface Connection {
  session: StoredSession;
  client: CentralClient;
  /** GET /v1/me confirmed this token's user and server since it was taken (false after a restore or offline sign-in). */
  verified: boolean;
}

/** The token works but belongs to another user, or the URL now answers as another server: nothing is sent. */
export class IdentityMismatch extends Error {
  override name = 'IdentityMismatch';
}

export const TOKEN_FORGOTTEN =
  'the token was not kept after the last launch (browser mode keeps it in memory only): enter it again to sync; every decision made here is kept';

export interface SessionServiceDeps {
  db: Db;
  kv: KvRepo;
  items: ItemsRepo;
  outbox: OutboxRepo;
  secrets: SecretStore;
  events: EventBus;
  /** Read at each use: the start script may point it at another port before signing in again (scripts/start.ts). */
  demo: { serverUrl: string } | undefined;
  /** The central API to offer on the sign-in screen when the cache names none (`--server`). */
  defaultServerUrl?: string;
  requestTimeoutMs: number;
  maxResponseBytes?: number;
  onSignedIn: () => void;
  onSignedOut: () => Promise<void>;
  /** A stored session came back without its token: the desk works on its cache and asks for the token. */
  onNeedsToken: (message: string) => void;
}

export class SessionService {
  private active: Connection | null = null;
  /** A stored session whose token is gone (browser mode restarted): its user's work stays open offline. */
  private awaitingToken: StoredSession | null = null;

  constructor(private readonly d: SessionServiceDeps) {}

  /**
   * At start: a stored session plus a stored token means signed in, without a network round trip; a stored
   * session without a token opens the cache for its user and asks for the token. Never waits for a server.
   */
  async restore(): Promise<void> {
    const stored = this.d.kv.session();
    if (!stored) return;
    // A demo session comes back at this launch's embedded demo server (a new port every launch) with the demo
    // token, unverified like any restore: the first sync asks the server who it is before it sends anything.
    const demo = stored.demo && this.d.demo ? this.d.demo : null;
    const session = demo ? { ...stored, serverUrl: demo.serverUrl } : stored;
    const token = demo ? demoToken(stored.user.id) : await this.d.secrets.get();
    if (token) {
      this.active = { session, client: this.client(session.serverUrl, token), verified: false };
      this.d.onSignedIn();
    } else {
      this.awaitingToken = session;
      this.d.onNeedsToken(TOKEN_FORGOTTEN);
    }
  }

  connection(): Connection | null {
    return this.active;
  }
  /** The user this cache belongs to (signed in or not): decisions and the assigned set are theirs. */
  userId(): string | null {
    return this.active?.session.user.id ?? this.owner()?.userId ?? null;
  }

  info(): SessionInfo {
    const s = this.active?.session ?? this.awaitingToken;
    return {
      signedIn: s !== null,
      needsToken: this.active === null && this.awaitingToken !== null,
      serverUrl: s?.serverUrl ?? this.d.kv.get('last_server_url') ?? this.d.defaultServerUrl ?? null,
      user: s?.user ?? null,
      clientId: this.d.kv.clientId(),
      demo: s?.demo ?? false,
      demoAvailable: this.d.demo !== undefined,
    };
  }

  async connectDemo(user: string): Promise<SessionInfo> {
    if (!this.d.demo) throw new DeskFailure('not_found', 'this desk was started without an embedded demo server');
    return this.connect(this.d.demo.serverUrl, demoToken(user), true);
  }

  async connect(serverUrl: string, token: string, demo = false): Promise<SessionInfo> {
    const client = this.client(serverUrl, token);
    let me: Me;
    let verified = true;
    try {
      me = await client.me();
    } catch (e) {
      if (e instanceof HttpError && e.status === 401) throw new DeskFailure('unauthorized', 'the server did not accept this token');
      if (e instanceof HttpError) throw new DeskFailure('server', e.message);
      const stored = e instanceof NetworkError ? this.storedSessionAt(serverUrl) : null;
      if (stored) {
        // The server is down but this cache already works for it: take the token now, check it on the first sync.
        me = stored.user;
        verified = false;
      } else {
        if (e instanceof NetworkError) throw new DeskFailure('network', `cannot reach ${serverUrl}: ${e.message}`);
        if (e instanceof ProtocolError) throw new DeskFailure('server', `${serverUrl} does not speak the Exception Desk API: ${e.message}`);
        throw e;
      }
    }
    const owner = this.owner();
    const serverId = me.serverId ?? (verified ? null : owner?.serverId ?? null);
    const switching = owner !== null && (owner.userId !== me.id || !sameServer(owner, serverUrl, serverId));
    if (switching) {
      const unsynced = this.d.outbox.unsettledCount();
      const inbox = this.d.outbox.openConflictCount();
      if (unsynced > 0 || inbox > 0) {
        const where = owner.serverId && serverId && owner.serverId !== serverId
          ? `the server ${owner.serverId} (last at ${owner.serverUrl}); ${serverUrl} is another server (${serverId})`
          : `${owner.serverUrl}`;
        throw new DeskFailure('conflict',
          `this cache holds ${unsynced} unsynced decision(s) and ${inbox} conflict(s) of ${owner.userId} at ${where}; sign in as them to sync first`,
          { userId: owner.userId, serverUrl: owner.serverUrl, ...(owner.serverId ? { serverId: owner.serverId } : {}), unsynced, conflicts: inbox });
      }
    }
    if (this.active) await this.d.onSignedOut();
    const session: StoredSession = { serverUrl, user: me, demo, serverId };
    this.d.db.transaction(() => {
      if (switching) this.startFreshClient();
      this.d.kv.setSession(session);
      this.setOwner({ userId: me.id, serverUrl, serverId });
    })();
    await this.d.secrets.set(token);
    this.active = { session, client, verified };
    this.awaitingToken = null;
    if (switching) this.d.events.emit('queue.changed', { reason: 'reset' });
    this.d.events.emit('session.changed', this.info());
    this.d.onSignedIn();
    return this.info();
  }

  /**
   * Before a connection's first sync (after a restore or an offline sign-in): is this token still this
   * cache's user, and the URL still this cache's server? A server that now reports an id binds the cache to it.
   */
  async verify(conn: Connection, signal: AbortSignal): Promise<void> {
    if (conn.verified) return;
    const me = await conn.client.me(signal);
    const owner = this.owner();
    if (owner && me.id !== owner.userId) {
      throw new IdentityMismatch(`this token signs in as ${me.id}, but this desk holds the work of ${owner.userId}: sign in as ${owner.userId}`);
    }
    if (owner && !sameServer(owner, conn.session.serverUrl, me.serverId ?? null)) {
      throw new IdentityMismatch(`${conn.session.serverUrl} is now another server (id ${me.serverId ?? 'none'}) than the one this desk's work belongs to (id ${owner.serverId ?? 'none'}, last at ${owner.serverUrl}): nothing was sent`);
    }
    const session: StoredSession = { ...conn.session, user: me, serverId: me.serverId ?? owner?.serverId ?? null };
    this.d.db.transaction(() => {
      this.d.kv.setSession(session);
      this.setOwner({ userId: me.id, serverUrl: session.serverUrl, serverId: session.serverId ?? null });
    })();
    conn.session = session;
    conn.verified = true;
  }

  /** Sign out: forget the token, stop syncing; the cache and the outbox stay for the next sign-in. */
  async signOut(): Promise<SessionInfo> {
    await this.d.onSignedOut();
    this.active = null;
    this.awaitingToken = null;
    await this.d.secrets.clear();
    this.d.kv.setSession(null);
    this.d.events.emit('session.changed', this.info());
    return this.info();
  }

  /**
   * A desk that never connected takes the reviewer of a verified work bundle as its owner (bundle-service.ts),
   * so its decisions are theirs; a later sign-in as another user or server is then a switch like any other.
   */
  adoptOwner(userId: string, serverId: string, serverUrl: string | null): void {
    if (this.owner()) throw new Error('this cache already belongs to a user');
    this.d.kv.set('owner', JSON.stringify({ userId, serverUrl: serverUrl ?? '', serverId }));
    if (serverUrl) this.d.kv.set('last_server_url', serverUrl);
    this.ownerCache = { userId, serverUrl: serverUrl ?? '', serverId };
  }

  private ownerCache: Owner | null | undefined;
  private owner(): Owner | null {
    if (this.ownerCache !== undefined) return this.ownerCache;
    const raw = this.d.kv.get('owner');
    let owner: Owner | null = null;
    try {
      const v = raw ? (JSON.parse(raw) as Partial<Owner>) : null;
      if (v && typeof v.userId === 'string' && typeof v.serverUrl === 'string') {
        owner = { userId: v.userId, serverUrl: v.serverUrl, serverId: typeof v.serverId === 'string' ? v.serverId : null };
      }
    } catch { owner = null; }
    this.ownerCache = owner;
    return owner;
  }
  private setOwner(owner: Owner): void {
    this.d.kv.set('owner', JSON.stringify(owner));
    this.d.kv.set('last_server_url', owner.serverUrl);
    this.ownerCache = owner;
  }

  /** The stored session of this cache's owner when it is for this URL (an offline sign-in may reuse it). */
  private storedSessionAt(serverUrl: string): StoredSession | null {
    const s = this.active?.session ?? this.awaitingToken ?? this.d.kv.session();
    const owner = this.owner();
    if (!s || !owner || s.user.id !== owner.userId || normalise(s.serverUrl) !== normalise(serverUrl)) return null;
    return s;
  }

  /** Another user or server: nothing of the old one is unsynced, so its cache and numbering go. */
  private startFreshClient(): void {
    this.d.db.exec(`DELETE FROM items; DELETE FROM triage_counts; DELETE FROM item_bodies; DELETE FROM queues; DELETE FROM mutations; DELETE FROM conflicts;
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

/** One server: the same reported id when both sides know one; otherwise (an older server) the same URL. */
function sameServer(owner: Owner, serverUrl: string, serverId: string | null): boolean {
  if (owner.serverId !== null && serverId !== null) return owner.serverId === serverId;
  return normalise(owner.serverUrl) === normalise(serverUrl);
}
