// The five invariants a fault run must leave intact (issue 3, DESIGN §5, §7, §10):
//  1. every decision committed locally has exactly one result on the server;
//  2. no (item, epoch) decided twice;
//  3. after quiet, the cache equals the server's view of the assigned set;
//  4. the outbox drains;
//  5. PRAGMA integrity_check is ok on the cache file and the server file (a SQLite server; the PostgreSQL
//     database of the multi-node rig keeps its own files).
// Each check returns violations (strings) instead of throwing, so one failure message lists them all.
// Phase one (`checkLive`) needs the core and the server running; phase two (`checkStopped`) reads the
// files once both are stopped.
import Database from 'better-sqlite3';
import { isDeepStrictEqual } from 'node:util';
import type { DeskInput, DeskMethod, DeskOutput, LocalDecision, SyncStatus } from '../../shared/desk-api';
import type { Item, MutationKind } from '../../shared/domain';
import { isOutcomeKind } from '../../shared/domain';
import type { CentralClient } from './central-client';
import type { FaultLedger } from './fault-ledger';
import { openProbe } from './db-snapshot';

/** What the checks need from a core: a typed call that throws on an error result (CoreChild#ok fits). */
export interface DeskCaller {
  ok<M extends DeskMethod>(method: M, input: DeskInput<M>, timeoutMs?: number): Promise<DeskOutput<M>>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Syncs until the outbox is empty and the sync engine is idle and online. Returns the last status. */
export async function syncUntilQuiet(core: DeskCaller, timeoutMs = 30_000): Promise<SyncStatus> {
  const deadline = Date.now() + timeoutMs;
  let status = await core.ok('sync.now', {});
  while (Date.now() < deadline) {
    status = await core.ok('sync.status', {});
    if (status.pending === 0 && status.state === 'online' && status.progress === null) return status;
    if (status.state !== 'syncing') status = await core.ok('sync.now', {});
    await sleep(100);
  }
  return status;
}

/** The server's view of the reviewer's assigned set: a pull from scratch, pages folded in order. */
async function serverAssignedSet(reviewer: CentralClient): Promise<Map<string, Item>> {
  const set = new Map<string, Item>();
  for (const page of await reviewer.pullAll({ limit: 1000 })) {
    for (const r of page.removals) set.delete(r.itemId);
    for (const it of page.upserts) set.set(it.id, it);
  }
  return set;
}

/** Every row the cache shows in the queue table (all statuses, all local states). */
async function cacheRows(core: DeskCaller): Promise<DeskOutput<'queue.page'>['rows']> {
  const rows: DeskOutput<'queue.page'>['rows'] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await core.ok('queue.page', { offset, limit: 1000, sort: { by: 'slaDue', dir: 'asc' } });
    rows.push(...page.rows);
    if (page.rows.length < 1000 || rows.length >= page.total) return rows;
  }
}

const ASSIGNED_STATUSES = new Set(['leased', 'escalated']);

function itemDiff(local: Item, server: Item): string[] {
  const keys = new Set([...Object.keys(local), ...Object.keys(server)]) as Set<keyof Item>;
  return [...keys].filter((k) => !isDeepStrictEqual(local[k], server[k])).map(
    (k) => `${String(k)}: cache ${JSON.stringify(local[k])?.slice(0, 80)} vs server ${JSON.stringify(server[k])?.slice(0, 80)}`,
  );
}

/**
 * Invariant 3 once: the cache's assigned set (items it shows as mine and leased or escalated) against the
 * server's, both ways, each item in full. Items the cache keeps as history of this desk's decisions (no
 * longer mine) are not part of the set: the server no longer tells this reviewer about them.
 */
async function compareCacheToServer(core: DeskCaller, reviewer: CentralClient): Promise<string[]> {
  const me = (await core.ok('session.get', {})).user?.id;
  if (!me) return ['inv3: the core is not signed in after quiet'];
  const server = await serverAssignedSet(reviewer);
  const rows = await cacheRows(core);
  const violations: string[] = [];
  const cached = new Map<string, Item>();
  for (const row of rows) {
    const detail = await core.ok('item.get', { itemId: row.id });
    if (detail.item.assigneeId === me && ASSIGNED_STATUSES.has(detail.item.status)) cached.set(row.id, detail.item);
    if (row.localState === 'pending') violations.push(`inv3: item ${row.id} still pending after quiet`);
  }
  for (const id of server.keys()) {
    if (!cached.has(id)) violations.push(`inv3: item ${id} is assigned on the server but not in the cache's assigned set`);
  }
  for (const [id, local] of cached) {
    const s = server.get(id);
    if (!s) {
      violations.push(`inv3: item ${id} is ${local.status} and mine in the cache but not in the server's assigned set`);
      continue;
    }
    const diff = itemDiff(local, s);
    if (diff.length > 0) violations.push(`inv3: item ${id} differs from the server: ${diff.join('; ')}`);
  }
  const status = await core.ok('sync.status', {});
  if (status.assigned !== server.size) violations.push(`inv3: sync.status says ${status.assigned} assigned, the server ${server.size}`);
  return violations;
}

export interface LiveCheck {
  violations: string[];
  /** This desk's decisions as the cache shows them, by mutation id (for phase two). */
  localDecisions: Map<number, LocalDecision & { itemId: string }>;
  status: SyncStatus;
}

/**
 * Phase one, with the core and the server running: quiet, then invariants 3 and 4, and collect the
 * cache's decisions on every item the run touched (what "committed locally" means for invariant 1).
 */
export async function checkLive(opts: {
  core: DeskCaller;
  reviewer: CentralClient;
  ledger: FaultLedger;
  quietTimeoutMs?: number;
}): Promise<LiveCheck> {
  const { core, reviewer, ledger } = opts;
  const violations: string[] = [];
  const status = await syncUntilQuiet(core, opts.quietTimeoutMs);
  if (status.pending !== 0) violations.push(`inv4: outbox did not drain: ${status.pending} pending (state ${status.state}, lastError ${status.lastError})`);
  if (status.state !== 'online') violations.push(`inv4: sync not online after quiet: ${status.state} (${status.lastError})`);

  // The sync timer may top the assigned set up between two reads; equal twice in a row is quiet.
  let diff: string[] = [];
  for (let attempt = 0; attempt < 10; attempt++) {
    diff = await compareCacheToServer(core, reviewer);
    if (diff.length === 0) break;
    await syncUntilQuiet(core, 5_000);
    await sleep(300);
  }
  violations.push(...diff);

  const localDecisions = new Map<number, LocalDecision & { itemId: string }>();
  for (const itemId of ledger.touchedItemIds()) {
    const r = await getItem(core, itemId);
    if (!r) continue;
    for (const d of r.decisions) {
      localDecisions.set(d.mutationId, { ...d, itemId });
      if (d.state === 'pending' || d.state === 'sent') {
        violations.push(`inv4: mutation ${d.mutationId} (${d.kind} on ${itemId}) still ${d.state} after quiet`);
      }
    }
  }
  return { violations, localDecisions, status };
}

async function getItem(core: DeskCaller, itemId: string): Promise<DeskOutput<'item.get'> | null> {
  try {
    return await core.ok('item.get', { itemId });
  } catch (e) {
    if ((e as { error?: { code?: string } }).error?.code === 'not_found') return null;
    throw e;
  }
}

interface ServerMutationRow { mutation_id: number; item_id: string; kind: string; status: string; code: string; payload_hash: string }
interface ServerDecisionRow { seq: number; item_id: string; assignment_epoch: number; kind: string; comment: string | null }
export interface CacheMutationRow {
  mutation_id: number; item_id: string; kind: string; state: string; payload_hash: string; payload_json: string;
  base_version: number; assignment_epoch: number; at: string; labor_json: string | null;
  result_status: string | null; result_code: string | null;
}

/** The cache's outbox and its history: what "committed locally" means, read from the file itself. */
export function readCacheMutations(cacheFile: string): Map<number, CacheMutationRow> {
  const db = new Database(cacheFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(`SELECT mutation_id, item_id, kind, state, payload_hash, payload_json, base_version, assignment_epoch, at, labor_json,
       result_status, result_code FROM mutations ORDER BY mutation_id`).all() as CacheMutationRow[];
    return new Map(rows.map((r) => [r.mutation_id, r]));
  } finally {
    db.close();
  }
}

/** The tag a FaultLedger put in a decision's payload (comment, or a note's text). */
export function tagOf(payloadJson: string): string | null {
  const p = JSON.parse(payloadJson) as { comment?: unknown; text?: unknown };
  const t = typeof p.comment === 'string' ? p.comment : typeof p.text === 'string' ? p.text : null;
  return t;
}

export interface StoppedCheck {
  violations: string[];
  serverMutations: Map<number, ServerMutationRow>;
  serverDecisions: ServerDecisionRow[];
  cacheMutations: Map<number, CacheMutationRow>;
}

const isPostgresUrl = (target: string) => /^postgres(ql)?:\/\//.test(target);

/** The server's record of one client (its results and last id) and the whole decisions feed. */
async function readServer(target: string, clientId: string): Promise<{ rows: ServerMutationRow[]; decisions: ServerDecisionRow[]; last: number }> {
  const db = await openProbe(target);
  try {
    const rows = await db.all<ServerMutationRow>('SELECT mutation_id, item_id, kind, status, code, payload_hash FROM client_mutations WHERE client_id = ? ORDER BY mutation_id', clientId);
    const decisions = await db.all<ServerDecisionRow>('SELECT seq, item_id, assignment_epoch, kind, comment FROM decisions ORDER BY seq');
    const last = (await db.get<{ last_mutation_id: number }>('SELECT last_mutation_id FROM clients WHERE client_id = ?', clientId))?.last_mutation_id ?? 0;
    return { rows, decisions, last };
  } finally {
    await db.close();
  }
}

/**
 * Phase two, with the core stopped (and a SQLite server stopped; PostgreSQL nodes may run on): invariants
 * 1, 2, 4 (from the cache file) and 5. `serverDbFile` is the server's SQLite file or postgres:// URL.
 * `ackedMayBeGone`: acknowledged decisions that a test deliberately threw away with the cache (a restore
 * from an old copy); the server must still hold them, but the cache need not.
 */
export async function checkStopped(opts: {
  cacheFile: string;
  serverDbFile: string;
  ledger: FaultLedger;
  ackedMayBeGone?: Set<string>;
}): Promise<StoppedCheck> {
  const { ledger } = opts;
  const violations: string[] = [];
  const files: [string, string][] = [['cache', opts.cacheFile], ...(isPostgresUrl(opts.serverDbFile) ? [] : [['server', opts.serverDbFile] as [string, string]])];
  for (const [label, file] of files) {
    const result = integrity(file);
    if (result !== 'ok') violations.push(`inv5: integrity_check on the ${label} file: ${result}`);
  }
  const clientId = ledger.clientId;
  const empty = { serverMutations: new Map(), serverDecisions: [], cacheMutations: new Map() };
  if (!clientId) return { violations: [...violations, 'harness: the ledger has no clientId'], ...empty };

  const cache = readCacheMutations(opts.cacheFile);
  const { rows, decisions, last } = await readServer(opts.serverDbFile, clientId);

  // Invariant 4, from the file: nothing left pending or merely sent.
  for (const m of cache.values()) {
    if (m.state === 'pending' || m.state === 'sent') violations.push(`inv4: cache mutation ${m.mutation_id} (${m.kind} on ${m.item_id}) is still ${m.state}`);
  }

  // Invariant 1: exactly one server result per committed mutation, for the same item, kind and hash.
  const byId = new Map<number, ServerMutationRow>();
  for (const r of rows) {
    if (byId.has(r.mutation_id)) violations.push(`inv1: mutation ${r.mutation_id} has more than one result on the server`);
    byId.set(r.mutation_id, r);
  }
  for (let id = 1; id <= last; id++) {
    if (!byId.has(id)) violations.push(`inv1: server's last mutation id is ${last} but mutation ${id} has no stored result`);
  }
  for (const r of rows) {
    if (r.mutation_id > last) violations.push(`inv1: mutation ${r.mutation_id} stored above the client's last mutation id ${last}`);
  }
  for (const m of cache.values()) {
    const r = byId.get(m.mutation_id);
    if (!r) violations.push(`inv1: cached mutation ${m.mutation_id} (${m.kind} on ${m.item_id}, ${m.state}) has no result on the server`);
    else if (r.payload_hash !== m.payload_hash && (m.result_code !== 'client_diverged' || m.state !== 'rejected')) {
      // Same id, different decision (a cache restored from an old copy): the server must have said so.
      violations.push(`inv1: cached mutation ${m.mutation_id} (${m.kind} on ${m.item_id}) differs from the server's (${r.kind} on ${r.item_id}) but the cache holds ${m.state}/${m.result_code}, not rejected/client_diverged`);
    } else if (r.payload_hash === m.payload_hash && m.result_code !== null && m.result_code !== r.code) {
      violations.push(`inv1: mutation ${m.mutation_id} settled as ${m.result_status}/${m.result_code} in the cache but ${r.status}/${r.code} on the server`);
    }
  }
  const attempted = new Set(ledger.attempts.map((a) => `${a.itemId}|${a.kind}`));
  for (const r of rows) {
    if (!attempted.has(`${r.item_id}|${r.kind}`)) {
      violations.push(`inv1: server holds mutation ${r.mutation_id} (${r.kind} on ${r.item_id}) that the test never asked for`);
    }
  }
  for (const a of ledger.acked()) {
    if (a.mutationId === null) continue;
    const local = cache.get(a.mutationId);
    const gone = opts.ackedMayBeGone?.has(a.tag) ?? false;
    if (!gone && (!local || tagOf(local.payload_json) !== a.tag)) {
      violations.push(`inv1: acknowledged ${a.tag} (${a.kind} on ${a.itemId}, mutation ${a.mutationId}) is not in the cache's mutations`);
    }
    const r = byId.get(a.mutationId);
    if (!r) violations.push(`inv1: acknowledged ${a.tag} (mutation ${a.mutationId}) has no result on the server`);
  }

  // An applied outcome must be in the decisions feed with its tag, once.
  // Only this run's tags: the demo seed's history has decisions of its own, with comments that repeat.
  const ours = new Set(ledger.attempts.map((a) => a.tag));
  const byTag = new Map<string, ServerDecisionRow[]>();
  for (const d of decisions) {
    if (!d.comment || !ours.has(d.comment)) continue;
    byTag.set(d.comment, [...(byTag.get(d.comment) ?? []), d]);
  }
  for (const [tag, ds] of byTag) if (ds.length > 1) violations.push(`inv2: decision ${tag} recorded ${ds.length} times on the server`);
  for (const m of cache.values()) {
    const r = byId.get(m.mutation_id);
    const tag = tagOf(m.payload_json);
    if (r && r.status === 'applied' && r.payload_hash === m.payload_hash && isOutcomeKind(m.kind as MutationKind) && tag && !byTag.has(tag)) {
      violations.push(`inv1: ${tag} (mutation ${m.mutation_id}, ${m.kind} on ${m.item_id}) was applied but is not in the decisions feed`);
    }
  }

  // Invariant 2: per (item, epoch), outcomes and overrides minus reverts never exceed one at any point.
  const open = new Map<string, number>();
  for (const d of decisions) {
    const key = `${d.item_id}@${d.assignment_epoch}`;
    const n = open.get(key) ?? 0;
    if (d.kind === 'revert') open.set(key, Math.max(0, n - 1));
    else {
      if (n >= 1) violations.push(`inv2: item ${d.item_id} epoch ${d.assignment_epoch} decided twice (seq ${d.seq}, ${d.kind})`);
      open.set(key, n + 1);
    }
  }
  return { violations, serverMutations: byId, serverDecisions: decisions, cacheMutations: cache };
}

export function integrity(file: string): string {
  const db = new Database(file, { fileMustExist: true });
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

/** For failure messages: the seed and the violations, one a line. */
export function report(seed: number, violations: string[]): string {
  return `seed=${seed} (replay with FAULT_SEED=${seed})\n${violations.join('\n')}`;
}
