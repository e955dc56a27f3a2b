// The common stage of the fault suites (test/core/faults-*.test.ts): a demo-seeded reference server in a
// child process (so it can be SIGKILLed), a TCP proxy in front of it with a stable port, the core in a
// child process on one cache file in a tmp dir, a seeded PRNG and a ledger of every decision asked for.
//
// Two backends (`backend`, default FAULT_BACKEND=sqlite|pg-multinode): one server on a SQLite file, or three
// server processes on one PostgreSQL database behind a round-robin TCP balancer (DESIGN §12), the fault proxy
// in front of the balancer. On the multi-node backend "the server" is the set of nodes: killServer kills one
// node (picked from the seed), startServer brings every killed node back on its port, and the invariants
// read the database through db-snapshot.ts probes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeskOutput } from '../../shared/desk-api';
import { MAX_JSON_VALUE_DEPTH } from '../../shared/limits';
import { COMMIT_ORDER_LOCK_KEY } from '../../server/db/dialect';
import { CentralClient } from './central-client';
import { CoreChildGone, startCoreChild, type CoreChild } from './core-child';
import { FaultLedger, type DecisionAttempt } from './fault-ledger';
import { checkLive, checkStopped, type StoppedCheck } from './fault-invariants';
import { faultSeed, seededRandom, type SeededRandom } from './seeded-random';
import { openProbe } from './db-snapshot';
import { createTestDatabase } from './pg-cluster';
import { startRoundRobinProxy, type RoundRobinProxy } from './round-robin-proxy';
import { spawnServer } from './server';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

type SpawnedServer = Awaited<ReturnType<typeof spawnServer>>;

export const REVIEWER_TOKEN = 'demo-alice';

export type FaultBackend = 'sqlite' | 'pg-multinode';
/** FAULT_BACKEND=pg-multinode runs a fault suite against three nodes on PostgreSQL (see the header). */
export const faultBackend = (): FaultBackend => (process.env.FAULT_BACKEND === 'pg-multinode' ? 'pg-multinode' : 'sqlite');
const MULTINODE_NODES = 3;
const DECISION_KINDS = ['approve', 'approve', 'approve', 'reject', 'correct', 'escalate', 'defer', 'note'] as const;

export interface FaultRig {
  readonly seed: number;
  readonly rnd: SeededRandom;
  readonly dir: string;
  readonly cacheFile: string;
  readonly backend: FaultBackend;
  /** The server's SQLite file, or the postgres:// URL the nodes share (multi-node backend). */
  readonly serverDbFile: string;
  readonly proxy: TcpProxy;
  readonly ledger: FaultLedger;
  /** alice straight to the server (not through the fault proxy; through the balancer on multi-node), for the invariants' view. */
  reviewer(): CentralClient;
  /** How many times the core has been started: a decision's `life`. */
  readonly life: number;
  startCore(): Promise<CoreChild>;
  /** SQLite: stops the server. Multi-node: stops one node (seeded pick); the others keep serving. */
  killServer(signal?: NodeJS.Signals): Promise<void>;
  /** Brings back what killServer stopped, on the same port(s). */
  startServer(): Promise<void>;
  /** Decides up to `n` untouched assigned items one after another; stops quietly when the core dies. */
  decideBurst(core: CoreChild, n: number): Promise<{ acked: number; errors: string[]; died: boolean; attempts: DecisionAttempt[] }>;
  /** Waits until the cache shows at least `n` undecided leased items (the core claims them). */
  waitForWork(core: CoreChild, n: number, timeoutMs?: number): Promise<number>;
  /**
   * A poison item: one of alice's leased items made invalid (confidence 7) in the server's database, with a
   * change-log row so her next pull carries it. Never one the desk has already decided (that one comes back as a
   * removal once its push lands, never as an upsert to quarantine). Returns its id (null when none qualifies).
   */
  poisonItem(): Promise<string | null>;
  /** Makes every poisoned item valid again (a new version, pulled like any change): run before `finish`. */
  healPoisoned(): Promise<void>;
  /** Whether the server holds an invalid copy of this item now (a test client would refuse any answer carrying it). */
  isPoisoned(itemId: string): boolean;
  /** A poison mutation: a correction nested deeper than the server accepts. The desk must refuse it, writing nothing. */
  poisonDecision(core: CoreChild): Promise<{ refused: boolean; message: string }>;
  /** Quiet, stop the core and the server, and check all five invariants. */
  finish(core: CoreChild, opts?: { ackedMayBeGone?: Set<string> }): Promise<{ violations: string[]; stopped: StoppedCheck }>;
  cleanup(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFaultRig(
  suite: string,
  opts: { syncIntervalMs?: number; claimTargetSize?: number; undoChance?: number; backend?: FaultBackend } = {},
): Promise<FaultRig> {
  const backend = opts.backend ?? faultBackend();
  const undoChance = opts.undoChance ?? 0.12;
  const seed = faultSeed(suite);
  const rnd = seededRandom(seed);
  const dir = mkdtempSync(join(tmpdir(), `desk-${suite}-`));
  const cacheFile = join(dir, 'cache.sqlite');
  const ledger = new FaultLedger(`${suite}:${seed}`);
  let life = 0;
  const reasonByQueue = new Map<string, string>();
  const side = backend === 'sqlite' ? await sqliteServer(join(dir, 'server.sqlite')) : await multiNodeServers(seed);
  const serverDbFile = side.target;
  const proxy = await startTcpProxy({ targetPort: side.entryPort });
  const startServer = async (): Promise<void> => {
    const port = await side.start();
    if (port !== null) proxy.setTarget(port);
  };
  const killServer = (signal: NodeJS.Signals = 'SIGKILL') => side.kill(signal);

  const startCore = async (): Promise<CoreChild> => {
    life += 1;
    const core = await startCoreChild({
      cacheFile,
      syncIntervalMs: opts.syncIntervalMs ?? 250,
      tokenFile: join(dir, 'token.txt'),
    });
    const session = await core.ok('session.get', {});
    if (!session.signedIn) await core.ok('session.connect', { serverUrl: proxy.url, token: REVIEWER_TOKEN });
    const after = await core.ok('session.get', {});
    if (ledger.clientId && ledger.clientId !== after.clientId) {
      throw new Error(`the core's client id changed across a restart: ${ledger.clientId} -> ${after.clientId}`);
    }
    ledger.clientId = after.clientId;
    await core.ok('settings.set', { claimTargetSize: opts.claimTargetSize ?? 12, leaseMinutes: 240 });
    return core;
  };

  const candidates = async (core: CoreChild, limit: number): Promise<DeskOutput<'queue.page'>['rows']> => {
    const page = await core.ok('queue.page', {
      filter: { statuses: ['leased'], localStates: ['none', 'synced'] },
      sort: { by: 'slaDue', dir: 'asc' },
      limit,
    });
    return page.rows;
  };

  const reasonFor = async (core: CoreChild, queueId: string): Promise<string | null> => {
    if (!reasonByQueue.has(queueId)) {
      for (const q of (await core.ok('queue.list', {})).queues) reasonByQueue.set(q.id, q.reasonCodes[0].code);
    }
    return reasonByQueue.get(queueId) ?? null;
  };

  const decideBurst = async (core: CoreChild, n: number) => {
    const errors: string[] = [];
    const attempts: DecisionAttempt[] = [];
    let acked = 0;
    try {
      const rows = await candidates(core, n);
      for (const row of rows) {
        const reason = await reasonFor(core, row.queueId);
        let kind = rnd.pick(DECISION_KINDS);
        if (!reason && (kind === 'reject' || kind === 'escalate')) kind = 'approve';
        const { input, attempt } = ledger.decision(row.id, kind, reason ?? 'unused', life);
        attempts.push(attempt);
        const r = await core.call('triage.decide', input);
        if (r.ok) {
          markAcked(attempt, r.value.mutationId);
          acked += 1;
          if (kind !== 'note' && rnd.chance(undoChance)) await undo(core, attempt);
        } else errors.push(`${kind} on ${row.id}: ${r.error.code}: ${r.error.message}`);
      }
      return { acked, errors, died: false, attempts };
    } catch (e) {
      if (e instanceof CoreChildGone) return { acked, errors, died: true, attempts };
      throw e;
    }
  };

  // z right after a decision: taken from the outbox if unsent, else a revert (DESIGN §7).
  const undo = async (core: CoreChild, attempt: DecisionAttempt): Promise<void> => {
    attempt.undone = 'unknown';
    // Recorded first: if the core dies during the call, a revert may still be in its outbox.
    ledger.revert(attempt.itemId, life);
    const u = await core.ok('triage.undo', {});
    if (u.undone?.mutationId !== attempt.mutationId) attempt.undone = undefined;
    else if (u.via === 'outbox') attempt.undone = 'outbox';
    else if (u.via === 'revert') attempt.undone = 'revert';
    else attempt.undone = undefined;
  };

  const waitForWork = async (core: CoreChild, n: number, timeoutMs = 15_000): Promise<number> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await candidates(core, n);
      if (rows.length >= n || Date.now() > deadline) return rows.length;
      await sleep(100);
    }
  };

  const poisoned = new Map<string, number | null>();
  /** Writes beside the server in one transaction; change-log rows after the commit-order lock, as the server does. */
  const writeBeside = async (fn: (run: (sqlText: string, ...params: unknown[]) => Promise<void>) => Promise<void>): Promise<void> => {
    // The lock is taken before the item rows (the server takes them in the other order), so PostgreSQL may
    // pick this transaction as a deadlock victim: it rolled back whole, and is tried again, as the server does.
    for (let attempt = 1; ; attempt++) {
      const db = await openProbe(serverDbFile, { writable: true });
      try {
        await db.run('BEGIN');
        if (backend === 'pg-multinode') await db.run(`SELECT pg_advisory_xact_lock(${COMMIT_ORDER_LOCK_KEY})`);
        await fn((sqlText, ...params) => db.run(sqlText, ...params));
        await db.run('COMMIT');
        return;
      } catch (e) {
        if (attempt >= 5 || (e as { code?: string }).code !== '40P01') throw e;
      } finally {
        await db.close();
      }
      await sleep(20 * attempt);
    }
  };
  const poisonItem = async (): Promise<string | null> => {
    const db = await openProbe(serverDbFile);
    const rows = await db.all<{ id: string; confidence: number | null }>(
      `SELECT id, confidence FROM items WHERE assignee_id = 'alice' AND status = 'leased' ORDER BY random()`).finally(() => db.close());
    const touched = new Set(ledger.touchedItemIds());
    const row = rows.find((r) => !touched.has(r.id));
    if (!row) return null;
    await writeBeside(async (run) => {
      await run('UPDATE items SET confidence = 7, version = version + 1 WHERE id = ?', row.id);
      await run(`INSERT INTO change_log (user_id, kind, item_id, at) VALUES ('alice', 'upsert', ?, ?)`, row.id, new Date().toISOString());
    });
    if (!poisoned.has(row.id)) poisoned.set(row.id, row.confidence);
    return row.id;
  };
  const healPoisoned = async (): Promise<void> => {
    await writeBeside(async (run) => {
      for (const [id, confidence] of poisoned) {
        await run('UPDATE items SET confidence = ?, version = version + 1 WHERE id = ?', confidence, id);
        // alice's next pull carries it again: an upsert if still hers, else a removal (both take it out of quarantine).
        await run(`INSERT INTO change_log (user_id, kind, item_id, at) VALUES ('alice', 'upsert', ?, ?)`, id, new Date().toISOString());
      }
    });
    poisoned.clear();
  };
  const poisonDecision = async (core: CoreChild): Promise<{ refused: boolean; message: string }> => {
    const rows = await candidates(core, 5);
    if (rows.length === 0) return { refused: true, message: 'no item to decide' };
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < MAX_JSON_VALUE_DEPTH + 3; i++) deep = { n: deep };
    let last = 'no item to decide';
    // A sync may settle a candidate between the page and the call (`conflict`: not open any more); the
    // poison must meet an item it could otherwise decide, so the next candidate is tried.
    for (const row of rows) {
      const r = await core.call('triage.decide', { itemId: row.id, kind: 'correct', payload: { correctedOutput: deep } });
      if (r.ok) return { refused: false, message: `accepted as mutation ${r.value.mutationId}` };
      if (r.error.code !== 'conflict' && r.error.code !== 'item_changed') return { refused: r.error.code === 'bad_input', message: r.error.message };
      last = r.error.message;
    }
    return { refused: true, message: `no candidate was still open: ${last}` };
  };

  const finish = async (core: CoreChild, finishOpts: { ackedMayBeGone?: Set<string> } = {}) => {
    await startServer();
    proxy.setRefusing(false);
    const live = await checkLive({ core, reviewer: rig.reviewer(), ledger });
    await core.kill('SIGKILL');
    await killServer('SIGTERM');
    const stopped = await checkStopped({ cacheFile, serverDbFile, ledger, ackedMayBeGone: finishOpts.ackedMayBeGone });
    return { violations: [...live.violations, ...stopped.violations], stopped };
  };

  const rig: FaultRig = {
    seed, rnd, dir, cacheFile, backend, serverDbFile, proxy, ledger,
    reviewer: () => new CentralClient(side.directUrl, REVIEWER_TOKEN),
    get life() {
      return life;
    },
    startCore, killServer, startServer, decideBurst, waitForWork, poisonItem, healPoisoned, poisonDecision, finish,
    isPoisoned: (itemId) => poisoned.has(itemId),
    async cleanup() {
      await side.close().catch(() => undefined);
      await proxy.close();
      if (!process.env.FAULT_KEEP) rmSync(dir, { recursive: true, force: true });
      else console.log(`[${suite}] kept ${dir}`);
    },
  };
  return rig;
}

function markAcked(attempt: DecisionAttempt, mutationId: number): void {
  attempt.acked = true;
  attempt.mutationId = mutationId;
}

/** What the rig needs of "the server", whichever backend. */
interface ServerSide {
  target: string;
  /** Where the fault proxy forwards to: the server, or the balancer in front of the nodes. */
  entryPort: number;
  directUrl: string;
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Starts what was killed; returns a new entry port when it moved (never: ports are kept), else null. */
  start(): Promise<number | null>;
  close(): Promise<void>;
}

async function sqliteServer(file: string): Promise<ServerSide> {
  let server: SpawnedServer | null = await spawnServer({ dbFile: file, port: 0, seed: 'demo' });
  const serverPort = server.port;
  const kill = async (signal: NodeJS.Signals) => {
    if (!server) return;
    const s = server;
    server = null;
    await s.kill(signal);
    await s.stopped;
  };
  return {
    target: file, entryPort: serverPort, directUrl: `http://127.0.0.1:${serverPort}`, kill,
    async start() {
      if (server) return null;
      server = await spawnServer({ dbFile: file, port: serverPort });
      return server.port;
    },
    close: () => kill('SIGKILL'),
  };
}

/** Three nodes on one fresh PostgreSQL database of the test cluster, behind a round-robin balancer. */
async function multiNodeServers(seed: number): Promise<ServerSide> {
  const url = await createTestDatabase('faults');
  const first = await spawnServer({ dbFile: url, port: 0, seed: 'demo' });
  const nodes: (SpawnedServer | null)[] = [first, ...await Promise.all(Array.from({ length: MULTINODE_NODES - 1 }, () => spawnServer({ dbFile: url, port: 0 })))];
  const ports = nodes.map((n) => n!.port);
  const balancer: RoundRobinProxy = await startRoundRobinProxy(ports);
  // Which node dies has its own stream, so the suite's own draws stay as they are on SQLite.
  const pick = seededRandom((seed ^ 0x3a0de) >>> 0);
  const kill = async (k: number, signal: NodeJS.Signals) => {
    const n = nodes[k];
    if (!n) return;
    nodes[k] = null;
    await n.kill(signal);
    await n.stopped;
  };
  return {
    target: url, entryPort: Number(new URL(balancer.url).port), directUrl: balancer.url,
    async kill(signal) {
      const live = nodes.flatMap((n, k) => (n ? [k] : []));
      // Always leave one node up: the multi-node promise is that losing a node stops nobody.
      if (live.length <= 1) return;
      await kill(pick.pick(live), signal);
    },
    async start() {
      await Promise.all(nodes.map(async (n, k) => { if (!n) nodes[k] = await spawnServer({ dbFile: url, port: ports[k] }); }));
      return null;
    },
    async close() {
      await balancer.close();
      for (let k = 0; k < nodes.length; k++) await kill(k, 'SIGKILL');
    },
  };
}
