// createCore: the workstation core behind the desk API (DESIGN §4, §6, §7). Plain Node; Electron-only
// needs (token storage, power and focus signals) come in through ports and desk calls.
import { DeskFailure } from './desk-failure';
import type { BootOutput, DeskDispatcher, DeskEventName, DeskMethod, RendererErrorReport } from '../../shared/desk-api';
import { BundleService } from './bundles/bundle-service';
import { acquireCacheLock } from './cache-lock';
import { commitRelaxed, openCacheDb } from './cache-db';
import { systemClock, type Clock } from './clock';
import type { CoreContext } from './context';
import { createDispatcher } from './dispatcher';
import { EventBus } from './event-bus';
import { createHandlers } from './handlers';
import { ItemsRepo } from './items-repo';
import { KvRepo } from './kv-repo';
import { LaborClock } from './labor-clock';
import { sqliteLaborStore } from './labor-store';
import { OutboxRepo } from './outbox-repo';
import { memorySecretStore, type SecretStore } from './secret-store';
import { SessionService } from './session-service';
import { SyncEngine } from './sync-engine';
import { TriageService } from './triage-service';
import { startWalCheckpointer } from './wal-checkpointer';
import { walFlusher, type WalFlush } from './wal-flush';
import { traced } from './work-trace';
import type { BackoffOptions } from './backoff';
import { errorFields, openLogFile, silentLogger, type LogFile } from './log';
import { FIRST_ITEM_PAINTED } from '../../shared/desk-names';

/** The trigram index of titles grows by this many rows per step (~3 ms on this machine's 2 cores)... */
const TITLE_INDEX_STEP_ROWS = 1_000;
/** ...one step this often while it is behind: 10k rows/s, so 100k pulled rows are covered ~10 s after the pull... */
const TITLE_INDEX_STEP_MS = 100;
/**
 * ...and only once no triage call came for this long. A step holds the core's thread (9 ms on average, up to
 * 57 ms at load 2) and was the longest work in front of the slowest keys' decisions in the UI bench; while the
 * reviewer keys, text filters read the titles directly, and the steps run in the pauses between items.
 */
const TITLE_INDEX_QUIET_MS = 150;

/**
 * A WAL checkpoint waits for a pause in the keys at most this long (issue 15 gap 2); the WAL meanwhile grows by
 * what the decisions and the sync write (the auto-checkpoint ceiling, cache-db.ts, is far above a few seconds' worth).
 */
const CHECKPOINT_MAX_DEFER_MS = 5_000;

export type { Clock } from './clock';
export type { SecretStore } from './secret-store';

export interface CoreOptions {
  cacheFile: string;
  clock?: Clock;
  secrets?: SecretStore;
  demo?: { serverUrl: string };
  /** The central API to offer on the sign-in screen when the cache names none (`npm start -- --server URL`). */
  serverUrl?: string;
  /** Push/pull/claim on connect, on a timer and after each decision (default true). */
  autoSync?: boolean;
  /** Watchdog period of the sync loop (default 15 s). */
  syncIntervalMs?: number;
  /** Labor checkpoint period (default 3 s): a crash loses at most this much labor. */
  laborCheckpointMs?: number;
  /** Labor segment cap (default 30 min). */
  laborCapMs?: number;
  /** Per-request timeout towards the central API (default 30 s). */
  requestTimeoutMs?: number;
  /** Largest server response accepted (default 64 MiB); a bigger one is a sync error. */
  maxResponseBytes?: number;
  backoff?: BackoffOptions;
  /** The log folder in the app-data folder (core.N.log, rotating); none: nothing is logged. */
  logDir?: string;
  /** Shows the log folder to the user (Electron main does it; browser mode has no file manager). */
  revealLogs?: () => boolean;
  /** Makes the cache's WAL durable off the core's thread (default: fdatasync of `<cacheFile>-wal`; wal-flush.ts). */
  flushWal?: WalFlush;
  /** Told of the renderer's startup marks (`npm start -- --timings`). */
  onStartupMark?: (name: string) => void;
  /**
   * At boot, the first sync cycle (when the cache already has an item to show) and the WAL checkpointer's
   * thread wait for the renderer's first item painted, at most this long (default 0: they start at once).
   * The desk's launchers set it (issue 15 gap 4); tests that drive the core directly have no renderer.
   */
  firstPaintHoldMs?: number;
  /** How long after the last triage call the title index may take a step (default TITLE_INDEX_QUIET_MS). */
  titleIndexQuietMs?: number;
  /**
   * Every sync cycle waits for this to settle first: `npm start` opens the desk on its cache before its embedded
   * demo server listens, and starts the server after the first item is painted (scripts/start.ts).
   */
  syncHold?: Promise<unknown>;
}

export type Core = DeskDispatcher & {
  close(): Promise<void>;
  /**
   * Runs the renderer's first reads once, answers dropped (app.boot reads its first item's detail: no labor
   * clock), so their handlers, statements and zod validators are compiled before the page asks (zod builds
   * each object schema's parser on its first parse: ~100 ms over the boot's answers). `npm start` runs it
   * while the browser loads the page (issue 15 gap 4). Reads only: nothing changes.
   */
  warmUp(): Promise<void>;
};

export async function createCore(opts: CoreOptions): Promise<Core> {
  const clock = opts.clock ?? systemClock;
  const lock = acquireCacheLock(opts.cacheFile);
  let db;
  try {
    db = openCacheDb(opts.cacheFile);
  } catch (e) {
    lock.release();
    throw e;
  }
  let logFile: LogFile | null = null;
  try {
    logFile = opts.logDir ? await openLogFile(opts.logDir, 'core') : null;
  } catch (e) {
    // Logs are for diagnosis: a folder that cannot be written must not stop the desk.
    console.error(`[core] cannot open the log folder ${opts.logDir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const log = logFile?.logger ?? silentLogger();
  // Settles at the renderer's first item painted, or firstPaintHoldMs after the core opened.
  let bootOver: () => void = () => undefined;
  const firstPaintOrHold = new Promise<void>((resolve) => { bootOver = resolve; });
  const firstPaintHoldMs = opts.firstPaintHoldMs ?? 0;
  const holdTimer = setTimeout(() => bootOver(), firstPaintHoldMs);
  holdTimer.unref();
  let signedInBefore = false;
  log.info({ cacheFile: opts.cacheFile }, 'core starting');
  const events = new EventBus();
  const kv = new KvRepo(db);
  kv.clientId();
  const outbox = new OutboxRepo(db, kv);
  const secrets = opts.secrets ?? memorySecretStore();
  // The services refer to each other only through these late-bound callbacks (session, sync and bundles
  // are created below, before any callback can run); each gets the few things it uses.
  const items = new ItemsRepo(db, outbox, () => session.userId());
  const idleByItem = new Map<string, number>();
  const labor = new LaborClock({
    clock,
    store: sqliteLaborStore(db),
    idleThresholdMs: (itemId) => {
      // Asked on every labor event: remember it per item (a queue's policy seldom changes mid-item).
      let ms = idleByItem.get(itemId);
      if (ms === undefined) {
        const it = items.get(itemId)?.item;
        const q = it ? items.queue(it.queueId) : null;
        ms = (q?.idleThresholdSec ?? kv.settings().idleThresholdSec) * 1000;
        if (idleByItem.size > 1000) idleByItem.clear();
        idleByItem.set(itemId, ms);
      }
      return ms;
    },
    capMs: opts.laborCapMs,
    checkpointMs: opts.laborCheckpointMs,
  });
  const sync = new SyncEngine({
    db, kv, items, outbox, clock, events,
    connection: () => session.connection(),
    verify: (conn, signal) => session.verify(conn, signal),
    resubmitRenewedLeases: () => {
      let n = 0;
      for (const c of outbox.openLeaseEndedConflicts()) {
        const got = items.get(c.itemId);
        // The same reviewer holds the item again under a newer lease, and has not decided it again meanwhile.
        if (!got || !items.isInTriage(got.serverItem) || got.serverItem.assignmentEpoch <= c.epoch || outbox.hasUnsettledFor(c.itemId)) continue;
        try {
          new TriageService({
            db, items, outbox, labor: ctx.labor, clock, events, sync: ctx.sync,
            userId: () => session.connection()?.session.user.id ?? session.userId(),
          }).resubmit(c.id);
          n++;
        } catch { /* left in the inbox for the reviewer */ }
      }
      return n;
    },
    flushWal: opts.flushWal ?? walFlusher(opts.cacheFile),
    autoSync: opts.autoSync ?? true,
    intervalMs: opts.syncIntervalMs ?? 15_000,
    backoff: opts.backoff,
    log: log.child({ part: 'sync' }),
  });
  if (opts.syncHold) sync.holdRunsUntil(opts.syncHold);
  const keysWait = Promise.all([firstPaintOrHold, opts.syncHold?.catch(() => undefined)]);
  const session: SessionService = new SessionService({
    db, kv, items, outbox, secrets, events, demo: opts.demo, defaultServerUrl: opts.serverUrl,
    requestTimeoutMs: opts.requestTimeoutMs ?? 30_000,
    maxResponseBytes: opts.maxResponseBytes,
    onSignedIn: () => {
      const conn = session.connection();
      log.info({ userId: conn?.session.user.id, roles: conn?.session.user.roles, serverUrl: conn?.session.serverUrl }, 'signed in');
      // The boot's sign-in on a cache with work in it: the first item paints before the first sync runs. An
      // empty cache syncs at once (its first item comes from that sync).
      if (firstPaintHoldMs > 0 && !signedInBefore && items.triageCount() > 0) sync.holdFirstRun(firstPaintOrHold);
      signedInBefore = true;
      sync.start();
      // After the boot's first paint and once the server may listen (syncHold), as the first sync: the key
      // request was the core's first fetch, and loading Node's fetch (undici) held the core's thread ~60 ms
      // in front of the page's first reads; before an early demo server listens it could only fail anyway.
      void keysWait.then(() => bundles.learnKeysSoon());
    },
    onSignedOut: () => { log.info('signed out'); return sync.stop(); },
    onNeedsToken: (message) => void sync.needsCredentials(message),
  });

  const bundles = new BundleService({
    db, kv, items, outbox, clock, events,
    connection: () => session.connection(),
    userId: () => session.userId(),
    adoptOwner: (userId, serverId, serverUrl) => session.adoptOwner(userId, serverId, serverUrl),
    statusChanged: () => sync.emitStatus(),
  });
  const ctx: CoreContext = { db, clock, kv, items, outbox, labor, events, secrets, sync, session, bundles };

  // When the last triage call came (keys): background work (checkpoints, title index steps) waits for a pause in them.
  let lastTriageCallAt = -Infinity;
  const titleIndexQuietMs = opts.titleIndexQuietMs ?? TITLE_INDEX_QUIET_MS;
  const keysPaused = () => performance.now() - lastTriageCallAt >= titleIndexQuietMs;
  const checkpoint = setInterval(() => {
    // A checkpoint of labor may be lost to a power cut (DESIGN §6: at most a few seconds): no fsync of its own.
    try { traced('labor.tick', () => commitRelaxed(db, () => ctx.labor.tick())); } catch { /* the db is closing */ }
  }, ctx.labor.checkpointMs);
  checkpoint.unref();
  // Copy the WAL into the database every second, so a decision's commit almost never pays for the automatic
  // checkpoint (~1,000 pages and an fsync of the database file) that SQLite runs inside whichever commit
  // crosses the threshold; on a worker thread with its own connection, so it never holds up a desk call
  // either. PASSIVE: never waits. Durability is the WAL's fsync at each decision's commit and is unchanged.
  // Each checkpoint waits for a pause in the keys (as the title index does), at most CHECKPOINT_MAX_DEFER_MS: its
  // writes and fsync of the database file sit on the disk in front of a decision's fsync of the WAL.
  const walCheckpoint = startWalCheckpointer(db, opts.cacheFile, 1_000, (e) => log.warn(errorFields(e), 'checkpoints run on the core thread'), firstPaintOrHold,
    { quiet: keysPaused, maxDeferMs: CHECKPOINT_MAX_DEFER_MS });
  // The queue's trigram index of titles catches up with the rows a pull added (issue 15 gap 3), in steps of
  // ~1,000 rows (a few ms) in the pauses between keys and never while a pull is under way, so neither a decision nor
  // the initial sync waits for it. Until it covers nearly every row, text filters read the titles directly.
  const titleIndexer = setInterval(() => {
    try {
      if (ctx.sync.syncing || !keysPaused() || items.titlesBehind() === 0) return;
      // Derived rows (rebuilt from the titles if lost): no fsync of their own in front of a decision.
      traced('titles.step', () => commitRelaxed(db, () => items.indexTitles(TITLE_INDEX_STEP_ROWS)));
    } catch { /* the db is closing */ }
  }, TITLE_INDEX_STEP_MS);
  titleIndexer.unref();

  await ctx.session.restore();
  const onStartupMark = (name: string) => {
    if (name === FIRST_ITEM_PAINTED) bootOver();
    opts.onStartupMark?.(name);
  };
  const appDeps = {
    logDir: logFile?.dir ?? null, revealLogs: opts.revealLogs, onStartupMark,
    onRendererError: (report: RendererErrorReport) => log.error({ rendererError: report }, 'renderer error'),
  };
  const call = createDispatcher(createHandlers(ctx, appDeps), (method, e) => {
    log.error({ method, ...errorFields(e) }, 'desk call failed');
    if (process.env.DESK_CORE_DEBUG) console.error(`[core] ${method}:`, e);
  });
  log.info('core ready');

  let closed = false;
  return {
    async call(method, input) {
      if (closed) return { ok: false, error: { code: 'internal', message: 'the core is closed' } };
      if (method.startsWith('triage.')) lastTriageCallAt = performance.now();
      return call(method, input);
    },
    onEvent(listener: (name: DeskEventName, payload: unknown) => void) {
      return events.on(listener);
    },
    async warmUp() {
      // One call per event-loop turn: a desk call or a page request that arrives meanwhile waits one step at most.
      const step = async (method: DeskMethod, input: unknown) => {
        await new Promise((resolve) => setImmediate(resolve));
        return closed ? null : call(method, input);
      };
      const boot = await step('app.boot', {});
      const first = boot?.ok ? (boot.value as BootOutput).first?.item.id : undefined;
      for (const method of ['queue.list', 'sync.status', 'stats.today'] as const) await step(method, {});
      if (first) await step('triage.window', { around: first, ahead: 4, behind: 1, known: [first] });
    },
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(holdTimer);
      clearInterval(checkpoint);
      clearInterval(titleIndexer);
      await walCheckpoint.close();
      await ctx.sync.close();
      try { ctx.labor.close(); } catch { /* keep closing */ }
      db.close();
      lock.release();
      log.info('core closed');
      logFile?.flush();
    },
  };
}

export { DeskFailure };
