// The sync engine (DESIGN §5, §7): pushes the outbox in order in bounded batches, pulls pages (each
// applied with its results and cursor in one transaction), tops up the assigned set by claiming, and
// retries with full-jitter backoff. Only a result (push response or pull) settles a mutation.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { isConflictCode, MAX_CLAIM_COUNT, MAX_PULL_LIMIT, MutationPayloads, PROBLEM_TYPES, type ConflictCode, type Mutation, type MutationResult, type RemovalReason } from '../../shared/central-api';
import type { SyncStatus } from '../../shared/desk-api';
import { fullJitterDelay, type BackoffOptions } from './backoff';
import { commitRelaxed, type Db } from './cache-db';
import { CentralClient, HttpError, NetworkError, ProtocolError, type PullPage, type Quarantined } from './central-client';
import type { Clock } from './clock';
import { deferItemIndexes, itemIndexesDeferred, restoreItemIndexes } from './deferred-indexes';
import { DeskFailure } from './desk-failure';
import type { EventBus } from './event-bus';
import { errorFields, silentLogger, type Logger } from './log';
import type { ItemsRepo } from './items-repo';
import type { KvRepo } from './kv-repo';
import { MAX_MUTATION_BYTES } from './mutation-guard';
import type { MutationRow, OutboxRepo } from './outbox-repo';
import { jsonBytes } from '../../shared/limits';
import { IdentityMismatch, type Connection } from './session-service';
import { traced } from './work-trace';

export const PUSH_BATCH = 100;
export const PULL_LIMIT = MAX_PULL_LIMIT;
/**
 * Items a snapshot's pull page writes per transaction (every page of it, while the items indexes are set
 * aside): a decision waits behind one slice at most, never a whole page. The snapshot's later pages took
 * APPLY_SLICE_AT_WORK slices until issue 15 gap 1: five times the commits for the same rows.
 */
export const APPLY_SLICE = 250;
/**
 * Items per transaction for the pages after a snapshot (the reviewer is at work then): each row also moves the
 * items indexes, the running counts and the title index, so a slice of 250 held the core's thread 10-80 ms
 * under load; a key that arrives meanwhile waits for the slice to commit.
 */
export const APPLY_SLICE_AT_WORK = 50;
/**
 * A decision asks for a push this long after it (coalesced): a burst of keys shares one sync cycle instead
 * of starting one per key, each with its push, pull, results, status events and the renderer's reloads
 * that run on the core's thread between keys.
 */
export const PUSH_AFTER_DECISION_MS = 150;
/** The status counts (and the status bar warns about) triage leases ending within this many minutes. */
export const LEASE_WARNING_MINUTES = 10;
/** Status events for counts and progress (not state changes) are sent at most this often (emitStatusSoon). */
export const STATUS_COALESCE_MS = 100;
/** After a pull, leases ending within this share of the lease setting are renewed (one call per cycle). */
export const RENEW_WITHIN_SHARE = 1 / 4;

type State = SyncStatus['state'];
type Progress = SyncStatus['progress'];

export interface SyncEngineDeps {
  db: Db;
  kv: KvRepo;
  items: ItemsRepo;
  outbox: OutboxRepo;
  clock: Clock;
  events: EventBus;
  /** The signed-in session and a client for it, or null when signed out. */
  connection: () => Connection | null;
  /** Before a connection's first push: GET /v1/me confirms the user and the server (throws IdentityMismatch). */
  verify: (conn: Connection, signal: AbortSignal) => Promise<void>;
  /**
   * After pull and claims: conflicts that only say my lease ended, on items leased to me again under a new
   * epoch, are resubmitted with their labor. Answers how many (they need a push).
   */
  resubmitRenewedLeases?: () => number;
  /**
   * Makes the WAL durable off the core's thread (wal-flush.ts). Given, a push marks its batch sent with a
   * relaxed commit and awaits this before the batch leaves, instead of an fsync on the thread decisions wait
   * on; absent, the marks commit with synchronous=FULL as before.
   */
  flushWal?: () => Promise<void>;
  autoSync: boolean;
  intervalMs: number;
  backoff?: BackoffOptions;
  /** Where sync writes what it did (state changes, batches, failures); ids and counts only. */
  log?: Logger;
}


/** Every conflict means the item is no longer in my assigned set; this is the removal each one stands for. */
export const NOT_MINE_ANY_MORE: Record<ConflictCode, RemovalReason> = {
  reassigned: 'reassigned', lease_expired: 'lease_expired', stale_epoch: 'reassigned', withdrawn: 'withdrawn', resolved_elsewhere: 'resolved_elsewhere',
};

export class SyncEngine {
  private state: State = 'signed_out';
  private lastError: string | null = null;
  private progress: Progress = null;
  private nextRetryAt: string | null = null;
  private attempt = 0;
  private running: Promise<void> | null = null;
  private again = false;
  private interval: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private kickTimer: NodeJS.Timeout | null = null;
  private abort = new AbortController();
  private closed = false;
  private conflictsSeen = false;

  private takeConflictsSeen(): boolean {
    const seen = this.conflictsSeen;
    this.conflictsSeen = false;
    return seen;
  }

  private readonly log: Logger;

  /** The items indexes are set aside while a snapshot of several pages is written (deferred-indexes.ts). */
  private indexesDeferred: boolean;

  constructor(private readonly d: SyncEngineDeps) {
    this.log = d.log ?? silentLogger();
    this.indexesDeferred = itemIndexesDeferred(d.db);
  }

  /** A cycle is under way: the cheap question background work asks, without status()'s counts. */
  get syncing(): boolean { return this.state === 'syncing'; }

  status(): SyncStatus {
    return {
      state: this.state,
      pending: this.d.outbox.unsettledCount(),
      conflicts: this.d.outbox.openConflictCount(),
      assigned: this.d.items.triageCount(),
      lastSyncAt: this.d.kv.lastSyncAt(),
      lastError: this.lastError,
      progress: this.progress,
      nextRetryAt: this.nextRetryAt,
      quarantined: this.quarantine().size,
      // Not counted while a snapshot has the indexes set aside (it would scan the whole cache at every page).
      ...(this.indexesDeferred ? {} : {
        leasesExpiringSoon: this.d.items.leasesEndingCount(this.d.clock.now().getTime(), this.d.clock.now().getTime() + LEASE_WARNING_MINUTES * 60_000),
      }),
    };
  }

  // ---------- quarantine: item copies that fail the schema are skipped and reported, never fatal ----------
  private quarantined: Map<string, { problem: string; at: string }> | null = null;
  private quarantine(): Map<string, { problem: string; at: string }> {
    if (!this.quarantined) {
      this.quarantined = new Map();
      try {
        for (const [id, v] of JSON.parse(this.d.kv.get('quarantine') ?? '[]') as [string, { problem: string; at: string }][]) this.quarantined.set(id, v);
      } catch { /* a damaged list starts empty */ }
    }
    return this.quarantined;
  }
  /** In the page's transaction: `found` go in, items that arrived valid (or left my set) come out. */
  private noteQuarantine(found: readonly Quarantined[], cleared: Iterable<string>, reset: boolean): void {
    const map = this.quarantine();
    if (found.length === 0 && map.size === 0) return;
    const before = JSON.stringify([...map]);
    if (reset) map.clear();
    for (const id of cleared) map.delete(id);
    const at = this.d.clock.now().toISOString();
    for (const q of found) map.set(q.itemId ?? `(an item without a valid id: ${q.problem})`, { problem: q.problem, at });
    while (map.size > MAX_QUARANTINED) map.delete(map.keys().next().value!);
    const after = JSON.stringify([...map]);
    if (after !== before) this.d.kv.set('quarantine', after);
  }

  /**
   * A state change (or one the reviewer must see now: a conflict, a quarantine): one status event at the end of
   * this turn of the event loop, after the desk calls that arrived in it, however many changes the turn made.
   */
  emitStatus(): void {
    if (this.statusNow || this.closed) return;
    this.statusNow = setImmediate(() => {
      this.statusNow = null;
      if (this.statusLater) { clearTimeout(this.statusLater); this.statusLater = null; }
      if (!this.closed) traced('sync.status', () => this.d.events.emit('sync.status', this.status()));
    });
  }
  private statusNow: NodeJS.Immediate | null = null;

  /**
   * A count or progress moved (a decision, a push batch, a pull page): at most one status event per
   * STATUS_COALESCE_MS, at its end. Each event re-counts the outbox and the leases on the core's thread, which a
   * key's decision would wait behind: a burst of keys and sync answers emitted 2-4 per decision (issue 15 gap 2).
   */
  emitStatusSoon(): void {
    if (this.statusLater || this.statusNow || this.closed) return;
    this.statusLater = setTimeout(() => {
      this.statusLater = null;
      this.emitStatus();
    }, STATUS_COALESCE_MS);
    this.statusLater.unref();
  }
  private statusLater: NodeJS.Timeout | null = null;

  /** Set by holdFirstRun: the next start() runs its first cycle once this settles, not at once. */
  private firstRunHold: Promise<void> | null = null;

  /**
   * The next start() waits for `until` before its first cycle (a kick meanwhile, after a decision, still
   * runs). At boot the core holds its first sync until the renderer's first item is painted: the cycle's
   * pull, its writes and the in-process demo server's answers would otherwise share the core's one thread
   * (and the machine's cores) with the first item's open and paint (issue 15 gap 4).
   */
  holdFirstRun(until: Promise<void>): void {
    this.firstRunHold = until;
  }

  /** Set by holdRunsUntil: every cycle waits for it (cleared once it settles). */
  private runsHold: Promise<unknown> | null = null;

  /**
   * Every cycle (the first, a kick after a decision, sync.now) waits for `until` to settle before it starts.
   * `npm start` starts its embedded demo server after the first item is painted: a cycle sent before it
   * listens would fail and back off (issue 15 gap 4).
   */
  holdRunsUntil(until: Promise<unknown>): void {
    const hold = until.then(() => undefined, () => undefined);
    this.runsHold = hold;
    void hold.then(() => { if (this.runsHold === hold) this.runsHold = null; });
  }

  /** Signed in: run now (or once a first-run hold settles), then on the watchdog timer. */
  start(): void {
    if (this.closed) return;
    this.abort = new AbortController();
    this.attempt = 0;
    this.setState('online', null);
    if (this.d.autoSync) {
      if (!this.interval) {
        this.interval = setInterval(() => this.kick(0), this.d.intervalMs);
        this.interval.unref();
      }
      const hold = this.firstRunHold;
      this.firstRunHold = null;
      if (hold) void hold.then(() => this.kick(0));
      else this.kick(0);
    }
  }

  /** Signed out (or closing): stop timers and abort what is in flight. Nothing local is touched. */
  async stop(state: State = 'signed_out'): Promise<void> {
    if (this.interval) clearInterval(this.interval);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.kickTimer) clearTimeout(this.kickTimer);
    this.interval = this.retryTimer = this.kickTimer = null;
    this.abort.abort();
    await this.running?.catch(() => undefined);
    this.nextRetryAt = null;
    this.progress = null;
    this.setState(state, state === 'signed_out' ? null : this.lastError);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.statusNow) clearImmediate(this.statusNow);
    if (this.statusLater) clearTimeout(this.statusLater);
    await this.stop();
  }

  /** Signed in on the cache without a token: nothing to sync with until the reviewer gives it again. */
  async needsCredentials(message: string): Promise<void> {
    this.lastError = message;
    await this.stop('unauthorized');
  }

  /** After a decision or on the timer: run soon (coalesced), when automatic sync is on. */
  kick(delayMs = 25): void {
    if (!this.d.autoSync || this.closed || this.kickTimer) return;
    if (this.state === 'unauthorized' || this.state === 'signed_out') return;
    this.kickTimer = setTimeout(() => {
      this.kickTimer = null;
      void this.run();
    }, delayMs);
    this.kickTimer.unref();
  }

  /** One full cycle (push, pull, top-up claim); concurrent callers share it and a follow-up run. */
  async run(): Promise<SyncStatus> {
    if (this.runsHold) await this.runsHold;
    if (this.closed) return this.status();
    if (this.running) {
      this.again = true;
      await this.running;
      const follow = this.running as Promise<void> | null;
      if (follow) await follow;
      return this.status();
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.cycle();
      } while (this.again && !this.closed && this.state !== 'unauthorized');
    })().finally(() => { this.running = null; });
    await this.running;
    return this.status();
  }

  /** Offline checkout: claim `count` more items with a long lease. */
  async checkout(count: number, leaseMinutes: number): Promise<number> {
    const conn = this.requireConnection();
    let claimed = 0;
    try {
      while (claimed < count) {
        this.setProgress({ phase: 'checkout', done: claimed, total: count });
        const res = await conn.client.claim({ count: Math.min(MAX_CLAIM_COUNT, count - claimed), leaseMinutes }, this.abort.signal);
        this.d.db.transaction(() => {
          this.noteQuarantine(res.quarantined, [], false);
          for (const it of res.items) this.d.items.putServerCopy(it);
        })();
        claimed += res.items.length;
        if (res.items.length > 0) this.d.events.emit('queue.changed', { reason: 'claim', itemIds: res.items.map((i) => i.id) });
        if (res.items.length === 0) break;
      }
    } finally {
      this.setProgress(null);
    }
    return claimed;
  }

  private requireConnection() {
    const conn = this.d.connection();
    if (!conn) throw new DeskFailure('not_signed_in', 'sign in to a server first');
    return conn;
  }

  private async cycle(): Promise<void> {
    const conn = this.d.connection();
    if (!conn) { this.setState('signed_out', null); return; }
    if (this.retryTimer) { clearTimeout(this.retryTimer); this.retryTimer = null; }
    this.nextRetryAt = null;
    const roles = conn.session.user.roles;
    const canSync = roles.includes('reviewer') || roles.includes('owner');
    this.setState('syncing', this.lastError);
    try {
      await this.d.verify(conn, this.abort.signal);
      if (canSync) {
        await this.pushAll(conn.client);
        await this.pullAll(conn.client);
        if (roles.includes('reviewer')) {
          await this.renewEndingLeases(conn.client);
          await this.topUp(conn.client);
        }
        if ((this.d.resubmitRenewedLeases?.() ?? 0) > 0) this.again = true;
      } else {
        await this.refreshQueues(conn.client);
      }
      this.attempt = 0;
      commitRelaxed(this.d.db, () => this.d.kv.set('last_sync_at', this.d.clock.now().toISOString()));
      this.setProgress(null);
      this.setState('online', null);
    } catch (e) {
      this.setProgress(null);
      if (this.abort.signal.aborted) return;
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    if (e instanceof HttpError && e.status === 401) {
      this.setState('unauthorized', 'the server refused the saved credentials; sign in again');
      return;
    }
    if (e instanceof IdentityMismatch) {
      this.setState('unauthorized', e.message);
      return;
    }
    // Anything else (a ProtocolError, a local failure such as a full disk, a bug) is an error: the outbox
    // is untouched and sync retries.
    let state: State = 'error';
    let retryAfter: number | null = null;
    if (e instanceof NetworkError) state = 'offline';
    else if (e instanceof HttpError) {
      retryAfter = e.retryAfterMs;
      if (e.status === 503 || e.status === 502 || e.status === 504) state = 'offline';
    }
    // Whoever answers after an outage may be another server at the same URL: check again before pushing.
    const conn = this.d.connection();
    if (state === 'offline' && conn) conn.verified = false;
    const message = e instanceof Error ? e.message : String(e);
    const delay = fullJitterDelay(this.attempt++, this.d.backoff, retryAfter);
    this.log.warn({ state, attempt: this.attempt, retryInMs: delay, ...errorFields(e) }, 'sync failed');
    this.nextRetryAt = new Date(this.d.clock.now().getTime() + delay).toISOString();
    this.setState(state, message);
    if (this.d.autoSync && !this.closed) {
      this.retryTimer = setTimeout(() => { this.retryTimer = null; void this.run(); }, delay);
      this.retryTimer.unref();
    }
  }

  // ---------- push ----------
  private async pushAll(client: CentralClient): Promise<void> {
    const clientId = this.d.kv.clientId();
    let done = 0;
    let gaps = 0;
    // A batch the server refuses as a whole (malformed) is halved until the one mutation behind it is found.
    let limit = PUSH_BATCH;
    let isolated = 0;
    for (;;) {
      const { batch, firstSends } = await this.markBatchSent(limit);
      if (batch.length === 0) return;
      const total = this.d.outbox.unsettledCount() + done;
      this.setProgress({ phase: 'push', done, total });
      let res;
      try {
        res = await client.push({ clientId, mutations: batch, leanResults: true }, this.abort.signal);
      } catch (e) {
        // Never connected: these rows did not leave the machine, so undo may still take them out of the outbox.
        if (e instanceof NetworkError && e.neverSent) this.d.db.transaction(() => this.d.outbox.markUnsent(firstSends))();
        const expected = e instanceof HttpError && e.status === 409 && e.problem?.type === PROBLEM_TYPES.mutationGap ? e.problem.expectedMutationId : undefined;
        if (expected !== undefined && gaps++ < 3) {
          this.d.db.transaction(() => this.d.outbox.resendFrom(expected))();
          continue;
        }
        if (refusedAsMalformed(e)) {
          if (batch.length > 1) { limit = Math.ceil(batch.length / 2); continue; }
          // A server that refuses everything is broken, not the outbox: set aside a few, then stop and retry.
          if (isolated++ < MAX_ISOLATED_PER_CYCLE) {
            const changed = new Set<string>();
            this.d.db.transaction(() => this.isolate(batch[0], e, changed))();
            this.d.events.emit('queue.changed', { reason: 'conflict', itemIds: [...changed] });
            this.emitStatus();
            limit = PUSH_BATCH;
            continue;
          }
        }
        throw e;
      }
      limit = Math.min(PUSH_BATCH, limit * 2);
      const changed = new Set<string>();
      // Results commit without an fsync of their own: one lost to a power cut leaves its mutations 'sent', and
      // sending them again gets the server's stored result (it applies a mutation id once). Marking a batch
      // sent (above) must be on disk before the batch leaves: markBatchSent awaits the WAL's flush for it.
      const settledNow = traced('push.settle', () => commitRelaxed(this.d.db, () => this.d.db.transaction(() => {
        this.noteQuarantine(res.quarantined, [], false);
        this.d.kv.raiseMutationFloor(res.lastMutationId + 1);
        let n = 0;
        for (const r of res.results) if (this.applyResult(r, changed, 'push')) n++;
        return n;
      })()));
      done += settledNow;
      this.flushBehind();
      this.log.info({ sent: batch.length, settled: settledNow, lastMutationId: res.lastMutationId }, 'push');
      const conflicts = this.takeConflictsSeen();
      if (changed.size) this.d.events.emit('queue.changed', { reason: conflicts ? 'conflict' : 'pull', itemIds: [...changed] });
      if (conflicts) this.emitStatus();
      else this.emitStatusSoon();
      // The server answered nothing for this batch: do not spin; pull may carry the results.
      if (settledNow === 0) return;
    }
  }

  /**
   * The next batch, marked sent and on disk before it may leave: "sent" decides whether undo can still take a
   * row out of the outbox (its id is then reused), so a mark lost to a power cut after the server got the row
   * would let the desk send another mutation under the same id. With a WAL flusher the marks commit without
   * an fsync on the core's thread and the flush runs on the thread pool while decisions go on; without one,
   * or once it failed, the commit itself is synchronous=FULL.
   */
  private async markBatchSent(limit: number): Promise<{ batch: Mutation[]; firstSends: number[] }> {
    const flush = this.walFlushBroken ? undefined : this.d.flushWal;
    const prepare = () => this.d.db.transaction(() => this.prepareBatch(limit))();
    if (!flush) return traced('push.markSent', prepare);
    const marked = traced('push.markSent', () => commitRelaxed(this.d.db, prepare));
    if (marked.batch.length === 0) return marked;
    try {
      await flush();
    } catch (e) {
      // Never send marks that may not be on disk: this cycle fails (and retries); later ones commit FULL.
      this.walFlushBroken = true;
      this.log.warn(errorFields(e), 'the WAL flush failed; push marks commit with synchronous=FULL from now on');
      throw e;
    }
    return marked;
  }
  private walFlushBroken = false;

  /**
   * After relaxed writes (a pull page, push results): their WAL frames are flushed on the thread pool soon
   * after, between keys, so the next decision's commit (whose fsync carries every frame written before it)
   * has little more than its own pages to sync. Durability does not depend on it: a failure is ignored.
   */
  private flushBehind(): void {
    const flush = this.walFlushBroken ? undefined : this.d.flushWal;
    if (!flush || this.closed) return;
    if (this.flushingBehind) { this.flushBehindAgain = true; return; }
    this.flushingBehind = true;
    void flush().catch(() => undefined).finally(() => {
      this.flushingBehind = false;
      if (!this.flushBehindAgain) return;
      this.flushBehindAgain = false;
      this.flushBehind();
    });
  }
  private flushingBehind = false;
  private flushBehindAgain = false;

  /**
   * Pick the next batch in id order, rebasing mutations whose predecessors on the item are settled.
   * `firstSends`: the rows this batch moves from pending to sent (rows sent before stay sent whatever happens).
   */
  private prepareBatch(limit: number): { batch: Mutation[]; firstSends: number[] } {
    const batch: Mutation[] = [];
    const firstSends: number[] = [];
    let bytes = 0;
    for (let row of this.d.outbox.unsettledBatch(limit)) {
      if (row.needs_rebase) {
        if (this.d.outbox.hasUnsettledBefore(row.item_id, row.mutation_id)) break;
        const server = this.d.items.get(row.item_id)?.serverItem;
        if (server) row = this.d.outbox.rebase(row, server);
      }
      // The push body limit holds for the batch: a few large corrections fill one.
      const m = toMutation(row);
      const size = jsonBytes(m) + 1;
      if (batch.length > 0 && bytes + size > MAX_MUTATION_BYTES) break;
      bytes += size;
      if (this.d.outbox.markSent(row.mutation_id)) firstSends.push(row.mutation_id);
      batch.push(m);
    }
    return { batch, firstSends };
  }

  /** The server refused a batch of only `m` as malformed: it goes to the inbox and the rest moves up. */
  private isolate(m: Mutation, e: HttpError, changed: Set<string>): void {
    const detail = e.problem?.errors?.length ? e.problem.errors.map((x) => `${x.path}: ${x.message}`).join('; ') : (e.problem?.detail ?? e.message);
    const row = this.d.outbox.isolateMalformed(m.mutationId, `the server refused it as malformed (HTTP ${e.status}): ${detail}`, this.d.clock.now().toISOString());
    if (!row) return;
    this.d.items.recompute(row.item_id);
    changed.add(row.item_id);
  }

  private applyResult(r: MutationResult, changed: Set<string>, from: 'push' | 'pull'): boolean {
    const settled = this.d.outbox.settle(r, this.d.clock.now().toISOString(), from);
    if (settled && settled.state !== 'settled') {
      this.conflictsSeen = true;
      this.log.info({ mutationId: r.mutationId, itemId: r.itemId, status: r.status, code: r.code, from }, 'mutation not applied');
    }
    if (r.item) this.d.items.putServerCopy(r.item);
    else if (r.item === undefined && r.version !== undefined && settled && settled.state === 'settled') this.applyLean(r, settled.row);
    const itemId = settled?.row.item_id ?? r.itemId;
    // The server hides an item that moved on to someone else: the conflict itself says it is not mine.
    const gone = isConflictCode(r.code) ? NOT_MINE_ANY_MORE[r.code] : undefined;
    if (!r.item && settled && settled.state === 'conflict' && gone) this.d.items.markRemoved(itemId, gone, null);
    this.d.items.recompute(itemId);
    changed.add(itemId);
    return settled !== null;
  }

  /**
   * A lean result: the desk applies its own mutation to its copy, which the server changed from the same
   * version. Should the copy not be at that version (the server answers lean only for a mutation based on the
   * version it changed, and the desk bases mutations on its copy), the desk keeps the copy it has.
   */
  private applyLean(r: MutationResult, row: MutationRow): void {
    // The payload as the server read it: parsed by the same schema (which drops keys it does not know).
    const payload = MutationPayloads[row.kind].safeParse(JSON.parse(row.payload_json));
    const m = { kind: row.kind, at: row.at, payload: payload.data ?? {} };
    if (!payload.success || !this.d.items.applyLeanResult(r.itemId, m, r.version!)) {
      this.log.warn({ mutationId: r.mutationId, itemId: r.itemId, version: r.version }, 'lean push result for a copy at another version');
    }
  }

  // ---------- pull ----------
  private async pullAll(client: CentralClient): Promise<void> {
    const clientId = this.d.kv.clientId();
    const fetchPage = (cursor: string | null) => {
      const p = client.pull({ cursor, limit: PULL_LIMIT, clientId }, this.abort.signal);
      p.catch(() => undefined); // observed when awaited; a page never applied is simply fetched again
      return p;
    };
    let applied: number;
    try {
      applied = await this.pullPages(fetchPage(this.d.kv.cursor()), fetchPage);
    } finally {
      // After the snapshot's last page, or when pulling stopped half-way: the indexes come back now (a closing
      // core leaves them to the next open, which builds them before anything reads the cache).
      if (this.indexesDeferred && !this.closed) await this.restoreIndexes();
    }
    // Fresh statistics for the query planner after a big change (cheap when nothing changed much).
    if (applied >= 5_000) this.d.db.pragma('optimize');
  }

  private async restoreIndexes(): Promise<void> {
    const t0 = performance.now();
    const built = await restoreItemIndexes(this.d.db, () => yieldToLoop());
    this.indexesDeferred = itemIndexesDeferred(this.d.db);
    this.log.info({ built, ms: Math.round(performance.now() - t0) }, 'items indexes built after the snapshot');
  }

  /** Pulls and applies pages until the server has no more; answers how many upserts and removals it applied. */
  private async pullPages(first: Promise<PullPage>, fetchPage: (cursor: string | null) => Promise<PullPage>): Promise<number> {
    let done = 0;
    let next: Promise<PullPage> | null = first;
    for (let pages = 0; next && pages < 100_000; pages++) {
      this.setProgress({ phase: 'pull', done, total: null });
      const page: PullPage = await next;
      this.log.info({ upserts: page.upserts.length, removals: page.removals.length, results: page.results.length, reset: page.reset, hasMore: page.hasMore }, 'pull page');
      // Fetch the following page while this one is written: the cursor only moves when a page is applied.
      // The yield lets that request leave before the writes start (and lets a waiting desk call run).
      next = page.hasMore ? fetchPage(page.cursor) : null;
      await yieldToLoop();
      const changed = await this.applyPage(page);
      done += page.upserts.length + page.removals.length;
      const conflicts = this.takeConflictsSeen();
      if (page.reset || changed.size) {
        traced('pull.changed', () => this.d.events.emit('queue.changed', page.reset ? { reason: 'reset' } : { reason: conflicts ? 'conflict' : 'pull', itemIds: [...changed] }));
      }
    }
    return done;
  }

  /**
   * A page is written in slices of APPLY_SLICE items, each its own short transaction, with the event loop
   * free between them, so nothing the sync does sits long between a decision and its commit (issue 15
   * gap 2). The cursor moves in the last slice: a page cut off half-way (a crash, a sign-out) is pulled
   * again and applied again, and every step of it is idempotent (an older or equal server copy changes
   * nothing new, a result settles once, a removal of a missing row is nothing, a reset resets again).
   * Slices commit with synchronous=NORMAL: one lost to a power cut takes its cursor with it and is pulled
   * again; decisions keep synchronous=FULL.
   */
  private async applyPage(page: PullPage): Promise<Set<string>> {
    const changed = new Set<string>();
    const slices: (() => void)[] = [() => {
      this.noteQuarantine(page.quarantined, [...page.upserts.map((i) => i.id), ...page.removals.map((r) => r.itemId)], page.reset);
      // Results first: a stored result carries the item as it was when the mutation applied, so anything
      // newer in this page (a reset, upserts, removals) must land after it, never under it.
      for (const r of page.results) this.applyResult(r, changed, 'pull');
      if (page.reset) this.d.items.resetServerCopy();
      // A snapshot of several pages: its rows go in without the items indexes, built after its last page.
      if (page.reset && page.hasMore) {
        deferItemIndexes(this.d.db);
        this.indexesDeferred = true;
      }
      if (page.queues.length) this.d.items.upsertQueues(page.queues);
    }];
    // A snapshot's rows move no items index (set aside until its last page): the cheap write of a snapshot.
    const sliceSize = page.reset || this.indexesDeferred ? APPLY_SLICE : APPLY_SLICE_AT_WORK;
    for (let at = 0; at < page.upserts.length; at += sliceSize) {
      const part = page.upserts.slice(at, at + sliceSize);
      slices.push(() => {
        // Asked per slice: a decision made between two slices gives its item history.
        const withHistory = this.d.outbox.itemsWithHistory(part.map((i) => i.id));
        this.d.items.putServerCopies(part, { force: page.reset, withHistory });
        for (const it of part) changed.add(it.id);
      });
    }
    for (let at = 0; at < page.removals.length; at += sliceSize) {
      const part = page.removals.slice(at, at + sliceSize);
      slices.push(() => {
        for (const rm of part) {
          this.d.items.markRemoved(rm.itemId, rm.reason, rm.item);
          changed.add(rm.itemId);
        }
      });
    }
    const last = slices.pop()!;
    slices.push(() => {
      last();
      if (page.lastMutationId !== undefined) this.d.kv.raiseMutationFloor(page.lastMutationId + 1);
      this.d.kv.setCursor(page.cursor);
    });
    for (let k = 0; k < slices.length; k++) {
      if (k > 0) {
        await yieldToLoop();
        if (this.abort.signal.aborted) throw new Error('sync stopped while a pull page was being written; it is pulled again');
      }
      traced('pull.slice', () => this.relaxedCommit(() => this.d.db.transaction(slices[k])()));
    }
    this.flushBehind();
    return changed;
  }

  /** Runs a pull write with synchronous=NORMAL (see applyPage), then puts the decision path's FULL back. */
  private relaxedCommit(write: () => void): void {
    this.d.db.pragma('synchronous = NORMAL');
    try {
      write();
    } finally {
      this.d.db.pragma('synchronous = FULL');
    }
  }

  // ---------- claims ----------
  /** Renews, in one call, my held leases that end within a quarter of the lease setting (issue 8 item 4). */
  private async renewEndingLeases(client: CentralClient): Promise<void> {
    const leaseMinutes = this.d.kv.settings().leaseMinutes;
    const within = leaseMinutes * RENEW_WITHIN_SHARE * 60_000;
    const ids = this.d.items.leasesEndingBefore(this.d.clock.now().getTime() + within, MAX_CLAIM_COUNT);
    if (ids.length === 0) return;
    const res = await client.renewLeases({ itemIds: ids, leaseMinutes }, this.abort.signal);
    this.d.db.transaction(() => {
      this.noteQuarantine(res.quarantined, [], false);
      for (const it of res.items) this.d.items.putServerCopy(it);
    })();
    this.log.info({ asked: ids.length, renewed: res.items.length, notRenewed: res.notRenewed.length }, 'leases renewed');
    if (res.items.length > 0) this.d.events.emit('queue.changed', { reason: 'pull', itemIds: res.items.map((i) => i.id) });
  }

  private async topUp(client: CentralClient): Promise<void> {
    const target = this.d.kv.settings().claimTargetSize;
    const need = target - this.d.items.triageCount();
    if (need <= 0) return;
    this.setProgress({ phase: 'claim', done: 0, total: need });
    const res = await client.claim({ count: Math.min(need, MAX_CLAIM_COUNT), leaseMinutes: this.d.kv.settings().leaseMinutes }, this.abort.signal);
    this.d.db.transaction(() => {
      this.noteQuarantine(res.quarantined, [], false);
      for (const it of res.items) this.d.items.putServerCopy(it);
    })();
    if (res.items.length === 0) return;
    this.d.events.emit('queue.changed', { reason: 'claim', itemIds: res.items.map((i) => i.id) });
  }

  private async refreshQueues(client: CentralClient): Promise<void> {
    const res = await client.queues(this.abort.signal);
    this.d.db.transaction(() => this.d.items.upsertQueues(res.queues))();
  }

  // ---------- status ----------
  private setState(state: State, lastError: string | null): void {
    if (state !== this.state) this.log.info({ from: this.state, to: state, lastError }, 'sync state');
    this.state = state;
    this.lastError = lastError;
    this.emitStatus();
  }
  private setProgress(p: Progress): void {
    this.progress = p;
    this.emitStatusSoon();
  }
}

/** Quarantined item ids remembered (oldest forgotten first). */
const MAX_QUARANTINED = 1000;

/** Mutations one cycle may set aside as malformed before it stops (a server that refuses everything is broken). */
const MAX_ISOLATED_PER_CYCLE = 10;

/** The server refused the whole batch as malformed or too large: nothing in it applied. */
function refusedAsMalformed(e: unknown): e is HttpError {
  if (!(e instanceof HttpError)) return false;
  if (e.status === 413) return true;
  return e.status === 400 && (e.problem === null || e.problem.type === PROBLEM_TYPES.validation);
}

export function toMutation(r: MutationRow): Mutation {
  return {
    mutationId: r.mutation_id,
    kind: r.kind,
    itemId: r.item_id,
    baseVersion: r.base_version,
    assignmentEpoch: r.assignment_epoch,
    at: r.at,
    ...(r.labor_json ? { labor: JSON.parse(r.labor_json) } : {}),
    payload: JSON.parse(r.payload_json),
    payloadHash: r.payload_hash,
  } as Mutation;
}

export { NetworkError, HttpError, ProtocolError };
