// `npm run bench -- core [--items 10k,100k,1M]`: the workstation core against DESIGN §10, each figure
// beside a raw better-sqlite3 baseline measured in the same run on the same rows. With several sizes,
// the per-item cost of the initial sync is compared step to step (1.00 = linear).
//  1. initial sync into an empty cache (items/s) vs a raw insert of the same rows: one transaction, no
//     secondary index (the floor of this machine); beside it the same-run bound of that ratio from the parts the
//     sync cannot skip (index builds, decode + parse + validation of the pages: sync-bound.ts);
//  2. decision durable through the desk API, with sync running (a feeder keeps new items arriving for the
//     reviewer, the core pushes, pulls and checkpoints between decisions because the loop yields; each
//     decided item is opened first, as the renderer does), timed from the moment the key is due, vs a
//     prepared transaction of the same shape (outbox insert + item update, synchronous=FULL) timed beside it;
//  3. queue pages uncached: before each timed page the reviewer decides one item (untimed), which
//     invalidates the cached total exactly as real work does; a class + status + text filter with a sort,
//     and a text filter alone whose term selects 0.1 %, 1 %, 30 % and 0 % of the rows;
//     both vs the same raw SQL (count + page) on the raw copy. Timed once the trigram index of titles has
//     caught up with the pull (it grows between keypresses after a sync; the wait is reported);
//  4. the title index A/B on the same cache in the same run: each text term's page through QueuePageQuery on
//     a second connection, with the index and with it switched off, both with the total counted afresh
//     (a term never asked before) and with it kept running; and the group totals A/B: the queue's default
//     view (open work) with each class toggled on for the first time, its total summed from the running
//     per-group counts vs counted from the rows and then kept running; and the class index A/B: the class
//     toggle (open work of one class or two, SLA order) with items_triage_class and on a copy without it.
// Ingesting the items and claiming them for the reviewer is set-up, not timed. `--parts=sync` (or
// `--parts=sync,decide`) stops after those parts, for quicker A/B runs of one lever. BENCH_CORE_AB=<other
// checkout>/electron/core/index.ts also times the other core's initial sync beside this one's (alternating,
// BENCH_SYNC_AB_RUNS each, default 2). The initial sync and its A/B also report CPU time: the core's (this
// process) and the server's (its /proc stat), beside the raw floor's: on a machine whose load is 10+ on 2
// cores the wall clock mostly measures the neighbours, CPU milliseconds much less.
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCore } from '../../electron/core/index';
import { memorySecretStore } from '../../electron/core/secret-store';
import { QueuePageQuery, type PageInput } from '../../electron/core/queue-page';
import type { DeskInput, DeskMethod, DeskOutput } from '../../shared/desk-api';
import { EXCEPTION_CLASSES, type Item } from '../../shared/domain';
import { CentralClient, ingestItems } from '../helpers/central-client';
import { spawnServer } from '../helpers/server';
import { loadAverage, ms, pct, sizesArg } from './bench-stats';
import { durableRecorder, reportDurableBreakdown, type PageDurable } from './durable-breakdown';
import { measureSyncBound, reportSyncBound, threadCpuMs, type SyncBound } from './sync-bound';

const DECISIONS = 500;
const PAGE_RUNS = 120;

/** Title tags with known shares of the rows, so a text filter's selectivity is exact at every size. */
const TERMS = [
  { term: 'priority', share: '0.1 %', has: (i: number) => i % 1000 === 0 },
  { term: 'recheck', share: '1 %', has: (i: number) => i % 100 === 1 },
  { term: 'split', share: '30 %', has: (i: number) => i % 10 >= 2 && i % 10 <= 4 },
  { term: 'no-such-term', share: '0 %', has: () => false },
] as const;
const titleTags = (i: number) => TERMS.filter((t) => t.has(i)).map((t) => ` (${t.term})`).join('');

type Core = Awaited<ReturnType<typeof createCore>>;

async function ok<M extends DeskMethod>(core: Core, method: M, input: DeskInput<M>): Promise<DeskOutput<M>> {
  const r = await core.call(method, input);
  if (!r.ok) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`);
  return r.value as DeskOutput<M>;
}

const progress = (label: string, done: number, total: number) => process.stdout.write(`\r  ${label}: ${done}/${total}   `);

async function ingestBatch(ingest: CentralClient, queueId: string, count: number, start: number, prefix: string) {
  const items = ingestItems(queueId, count, { source: 'bench', prefix, start })
    .map((it, k) => ({ ...it, title: `${it.title}${titleTags(start + k)}` }));
  await ingest.ingest({ items });
}

async function seedServer(url: string, n: number): Promise<void> {
  const ingest = new CentralClient(url, 'demo-ingest');
  const alice = new CentralClient(url, 'demo-alice');
  const { queues } = await alice.queues();
  for (let b = 0; b * 1000 < n; b++) {
    await ingestBatch(ingest, queues[b % queues.length].id, Math.min(1000, n - b * 1000), b * 1000, `b${b}`);
    progress('ingest', Math.min(n, (b + 1) * 1000), n);
  }
  process.stdout.write('\n');
  let claimed = 0;
  while (claimed < n) {
    const { items } = await alice.claim({ count: Math.min(1000, n - claimed), leaseMinutes: 7 * 24 * 60 });
    claimed += items.length;
    progress('claim for alice', claimed, n);
    if (items.length === 0) break;
  }
  process.stdout.write('\n');
}

async function pullEverything(url: string): Promise<Item[]> {
  const alice = new CentralClient(url, 'demo-alice');
  const byId = new Map<string, Item>();
  for (const page of await alice.pullAll({ limit: 1000 }, 1000)) for (const it of page.upserts) byId.set(it.id, it);
  return [...byId.values()];
}

interface RawDb {
  db: Database.Database;
  insertMs: number;
  /** CPU time of the raw insert (this process), ms. */
  insertCpuMs: number;
  /** The same on this thread alone, ms: the sync bound's parts are measured on this thread too. */
  insertThreadCpuMs: number;
  /** One decision as a prepared synchronous=FULL transaction of the core's shape; its time in ms. */
  decideOnce(): number;
  page(filter: { cls?: string; text: string }): number;
}

/** The raw copy: the same rows inserted in ONE transaction with no secondary index (the floor), then
 * indexed for the page baseline; decisions as a prepared synchronous=FULL transaction of the core's shape. */
function rawBaseline(file: string, items: Item[]): RawDb {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE items (id TEXT PRIMARY KEY, queue_id TEXT, class TEXT, status TEXT, confidence REAL,
    sla_due_ms INTEGER, enqueued_ms INTEGER, title_lc TEXT, json TEXT);
    CREATE TABLE outbox (mutation_id INTEGER PRIMARY KEY, item_id TEXT, kind TEXT, payload TEXT, at TEXT, state TEXT);`);
  const insert = db.prepare('INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const insertAll = db.transaction((rows: Item[]) => {
    for (const it of rows) {
      insert.run(it.id, it.queueId, it.exceptionClass, it.status, it.confidence, Date.parse(it.slaDueAt), Date.parse(it.enqueuedAt),
        it.title.toLowerCase(), JSON.stringify(it));
    }
  });
  const [cpu0, thread0] = [cpuMs()!, threadCpuMs()];
  const t0 = performance.now();
  insertAll(items);
  const insertMs = performance.now() - t0;
  const [insertCpuMs, insertThreadCpuMs] = [cpuMs()! - cpu0, threadCpuMs() - thread0];
  db.exec('CREATE INDEX items_class_conf ON items (class, confidence, id); CREATE INDEX items_sla ON items (sla_due_ms, id);');

  const outboxInsert = db.prepare('INSERT INTO outbox VALUES (?, ?, ?, ?, ?, ?)');
  const itemUpdate = db.prepare("UPDATE items SET status = 'resolved', json = ? WHERE id = ?");
  const decide = db.transaction((it: Item, n: number) => {
    outboxInsert.run(n, it.id, 'approve', '{"comment":"bench"}', new Date().toISOString(), 'pending');
    itemUpdate.run(JSON.stringify({ ...it, status: 'resolved' }), it.id);
  });
  let decided = 0;
  const decideOnce = () => {
    const s = performance.now();
    decide(items[(items.length - 1 - decided) % items.length], ++decided);
    return performance.now() - s;
  };

  const stmts = new Map<string, { count: Database.Statement; page: Database.Statement }>();
  return {
    db, insertMs, insertCpuMs, insertThreadCpuMs, decideOnce,
    page({ cls, text }) {
      const key = cls ? 'cls' : 'text';
      let st = stmts.get(key);
      if (!st) {
        const where = `${cls ? "class = ? AND status = 'leased' AND " : ''}instr(title_lc, ?) > 0`;
        st = {
          count: db.prepare(`SELECT count(*) AS n FROM items WHERE ${where}`),
          page: db.prepare(`SELECT id, title_lc, class, queue_id, confidence, sla_due_ms, enqueued_ms, status FROM items
            WHERE ${where} ORDER BY ${cls ? 'confidence DESC' : 'sla_due_ms ASC'}, id LIMIT 100`),
        };
        stmts.set(key, st);
      }
      const params = cls ? [cls, text] : [text];
      const s = performance.now();
      st.count.get(...params);
      st.page.all(...params);
      return performance.now() - s;
    },
  };
}

/** Keeps new work arriving for alice while decisions are timed: ingest and claim a small batch every 250 ms. */
function startFeeder(url: string, from: number): { stop: () => Promise<number> } {
  const ingest = new CentralClient(url, 'demo-ingest');
  const alice = new CentralClient(url, 'demo-alice');
  let running = true;
  let fed = 0;
  const loop = (async () => {
    const { queues } = await alice.queues();
    while (running) {
      await ingestBatch(ingest, queues[fed % queues.length].id, 50, from + fed, 'feed');
      await alice.claim({ count: 50, leaseMinutes: 7 * 24 * 60 });
      fed += 50;
      await sleep(250);
    }
  })();
  return { stop: async () => { running = false; await loop; return fed; } };
}

interface TitleAb { term: string; share: string; freshOn: number[]; freshOff: number[]; keptOn: number[]; keptOff: number[] }
interface GroupAb { on: number[]; off: number[]; fillMs: number }

/** Part 4b: open work with one class, each class asked for the first time, with and without the group totals. */
function groupTotalsAb(cacheFile: string, me: string, runs: number): GroupAb {
  const db = new Database(cacheFile, { readonly: true });
  try {
    const out: GroupAb = { on: [], off: [], fillMs: 0 };
    const input = (cls: (typeof EXCEPTION_CLASSES)[number]): PageInput => ({ filter: { openOnly: true, classes: [cls] }, sort: { by: 'slaDue', dir: 'asc' }, offset: 0, limit: 200, me });
    for (let i = 0; i < runs; i++) {
      for (const groupTotals of i % 2 === 0 ? [true, false] : [false, true]) {
        const q = new QueuePageQuery(db, { groupTotals });
        // The groups are filled once per core (the first page that needs them); time the toggles after it.
        const s0 = performance.now();
        q.page({ filter: { openOnly: true }, sort: { by: 'slaDue', dir: 'asc' }, offset: 0, limit: 200, me }, () => 'q');
        if (groupTotals) out.fillMs = Math.max(out.fillMs, performance.now() - s0);
        for (const cls of EXCEPTION_CLASSES) {
          const s = performance.now();
          q.page(input(cls), () => 'q');
          (groupTotals ? out.on : out.off).push(performance.now() - s);
        }
      }
    }
    return out;
  } finally {
    db.close();
  }
}

interface ClassIndexAb { on: number[]; off: number[]; copyMs: number }

/**
 * The class toggle (open work of one class, or two, in SLA order) with items_triage_class (migration 10) and
 * on a copy of the same cache without it (the walk of the triage set it replaced), alternating.
 */
function classIndexAb(cacheFile: string, me: string, runs: number): ClassIndexAb {
  const copy = `${cacheFile}.no-class-index`;
  const src = new Database(cacheFile, { readonly: true });
  const s0 = performance.now();
  try {
    src.prepare('VACUUM INTO ?').run(copy);
  } finally {
    src.close();
  }
  const copyMs = performance.now() - s0;
  const on = new Database(cacheFile, { readonly: true });
  const off = new Database(copy);
  try {
    off.exec('DROP INDEX items_triage_class');
    const out: ClassIndexAb = { on: [], off: [], copyMs };
    const sets = [...EXCEPTION_CLASSES.map((c) => [c]), [EXCEPTION_CLASSES[0], EXCEPTION_CLASSES[3]], [EXCEPTION_CLASSES[1], EXCEPTION_CLASSES[2]]];
    const queries = { on: new QueuePageQuery(on), off: new QueuePageQuery(off) };
    for (let i = 0; i < runs; i++) {
      for (const side of i % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        for (const classes of sets) {
          const s = performance.now();
          queries[side].page({ filter: { openOnly: true, classes }, sort: { by: 'slaDue', dir: 'asc' }, offset: 0, limit: 200, me }, () => 'q');
          out[side].push(performance.now() - s);
        }
      }
    }
    return out;
  } finally {
    on.close();
    off.close();
    rmSync(copy, { force: true });
  }
}

/** Part 4: the same text pages with the trigram index of titles and without it, on a second connection. */
function titleIndexAb(cacheFile: string, runs: number): TitleAb[] {
  const db = new Database(cacheFile, { readonly: true });
  try {
    const out: TitleAb[] = [];
    const name = () => 'q';
    for (const { term, share } of TERMS) {
      const row: TitleAb = { term, share, freshOn: [], freshOff: [], keptOn: [], keptOff: [] };
      const input: PageInput = { filter: { text: term }, sort: { by: 'slaDue', dir: 'asc' }, offset: 0, limit: 100 };
      for (let i = 0; i < runs; i++) {
        // Alternate which side goes first, so neither always runs on a cache the other just warmed.
        const sides = i % 2 === 0 ? [true, false] : [false, true];
        for (const titleIndex of sides) {
          const q = new QueuePageQuery(db, { titleIndex });
          let s = performance.now();
          q.page(input, name);
          (titleIndex ? row.freshOn : row.freshOff).push(performance.now() - s);
          s = performance.now();
          q.page(input, name);
          (titleIndex ? row.keptOn : row.keptOff).push(performance.now() - s);
        }
      }
      out.push(row);
    }
    return out;
  } finally {
    db.close();
  }
}

/** Waits until the trigram index of titles covers every row of the cache; how long that took. */
async function titleIndexCaughtUp(cacheFile: string): Promise<number> {
  const db = new Database(cacheFile, { readonly: true });
  const s = performance.now();
  try {
    const behind = db.prepare<[], { n: number }>('SELECT max(0, coalesce((SELECT max(rowid) FROM items), 0) - (SELECT through_rowid FROM title_index)) AS n');
    while (behind.get()!.n > 0) {
      if (performance.now() - s > 30 * 60_000) throw new Error('the title index did not catch up in 30 min');
      await sleep(200);
    }
    return performance.now() - s;
  } finally {
    db.close();
  }
}

/**
 * CPU time (ms) a process has used so far: this one's from process.cpuUsage, a child's from /proc (Linux; null
 * elsewhere). On a loaded machine the wall clock mostly measures the neighbours; CPU seconds are steadier.
 */
function cpuMs(pid?: number): number | null {
  if (pid === undefined) { const c = process.cpuUsage(); return (c.user + c.system) / 1000; }
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
  } catch {
    return null;
  }
}

/**
 * BENCH_CORE_AB on the initial sync: this core and the other checkout's each sync the same server into a fresh
 * cache, alternating (other, this, other, this, ...: BENCH_SYNC_AB_RUNS each, default 2), so both see the same
 * load; medians and their ratio, of the wall time and of the CPU the core (this process) and the server used.
 */
async function initialSyncAb(url: string, serverPid: number | undefined, dir: string, n: number, otherPath: string): Promise<void> {
  const other = (await import(otherPath) as { createCore: typeof createCore }).createCore;
  type Side = { wall: number[]; core: number[]; server: number[] };
  const sides: { mine: Side; other: Side } = { mine: { wall: [], core: [], server: [] }, other: { wall: [], core: [], server: [] } };
  const runs = Number(process.env.BENCH_SYNC_AB_RUNS ?? 2);
  for (let k = 0; k < 2 * runs; k++) {
    const mine = k % 2 === 1;
    const cacheFile = join(dir, `cache-ab-${k}.sqlite`);
    const c = await (mine ? createCore : other)({ cacheFile, autoSync: false, secrets: memorySecretStore() });
    try {
      const [core0, server0] = [cpuMs(), cpuMs(serverPid)];
      const t0 = performance.now();
      await ok(c, 'session.connect', { serverUrl: url, token: 'demo-alice' });
      let status = await ok(c, 'sync.now', {});
      while (status.assigned < n && status.state !== 'error') {
        await sleep(20);
        status = await ok(c, 'sync.status', {});
        if (status.state !== 'syncing' && status.assigned < n) status = await ok(c, 'sync.now', {});
      }
      if (status.assigned < n) throw new Error(`A/B initial sync stopped at ${status.assigned}/${n}: ${status.lastError}`);
      const side = mine ? sides.mine : sides.other;
      side.wall.push(performance.now() - t0);
      side.core.push(cpuMs()! - core0!);
      const server1 = cpuMs(serverPid);
      if (server0 !== null && server1 !== null) side.server.push(server1 - server0);
    } finally {
      await c.close();
    }
  }
  const med = (xs: number[]) => pct(xs, 50);
  const ratio = (key: keyof Side) => (sides.mine[key].length ? (med(sides.mine[key]) / med(sides.other[key])).toFixed(2) : 'n/a');
  console.log(`A/B: initial sync, median of ${runs} each: this core ${(n / (med(sides.mine.wall) / 1000)).toFixed(0)} items/s, ${otherPath} ` +
    `${(n / (med(sides.other.wall) / 1000)).toFixed(0)} items/s; time this / other ${ratio('wall')}; CPU this / other: core ${ratio('core')} ` +
    `(${med(sides.mine.core).toFixed(0)} / ${med(sides.other.core).toFixed(0)} ms), server ${ratio('server')} (${await loadAverage()})`);
  // Every sample, so a report can give min / median / max of the runs of each side.
  const spread = (xs: number[], per1k: boolean) => {
    const v = [...xs].sort((a, b) => a - b).map((x) => (per1k ? (x / n) * 1000 : n / (x / 1000)));
    return `${(per1k ? v : v.reverse()).map((x) => x.toFixed(per1k ? 1 : 0)).join(' / ')}`;
  };
  for (const [label, side] of [['this core', sides.mine], ['other core', sides.other]] as const) {
    console.log(`  ${label}: items/s min/median/max ${spread(side.wall, false)}; core CPU ms per 1k items ${spread(side.core, true)}; ` +
      `server CPU ms per 1k items ${side.server.length ? spread(side.server, true) : 'n/a'}`);
  }
}

interface SizeResult {
  n: number; syncMs: number; rawInsertMs: number; syncCpu: { core: number; server: number | null }; rawInsertCpuMs: number; rawInsertThreadCpuMs: number;
  pullOnlyMs: number; bound: SyncBound; titleWaitMs: number; titleAb: TitleAb[]; groupAb: GroupAb | null; classAb?: ClassIndexAb;
  decide: number[]; rawDecide: number[]; fed: number;
  filterSort: { core: number[]; raw: number[]; total: number };
  text: { term: string; share: string; core: number[]; raw: number[]; total: number }[];
}

const PARTS = (() => {
  const i = process.argv.findIndex((a) => a === '--parts' || a.startsWith('--parts='));
  if (i < 0) return new Set(['sync', 'decide', 'pages']);
  const raw = process.argv[i].includes('=') ? process.argv[i].split('=')[1] : process.argv[i + 1];
  return new Set((raw ?? '').split(','));
})();

async function runSize(n: number): Promise<SizeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'desk-core-bench-'));
  const server = await spawnServer({ dbFile: join(dir, 'server.sqlite'), port: 0, seed: 'demo', maxLeasedPerUser: 1_000_000 });
  let core: Core | null = null;
  let raw: RawDb | null = null;
  try {
    console.log(`\n-- ${n} items: set-up (not timed): ingest and claim them for alice`);
    await seedServer(server.url, n);
    const tPull = performance.now();
    const items = await pullEverything(server.url);
    const pullOnlyMs = performance.now() - tPull;

    // 1. Initial sync into an empty cache.
    const cacheFile = join(dir, 'cache.sqlite');
    // One token store for every core of this size: a core opened again on the cache is still signed in, so
    // its sync runs (with a store of its own it would find no token and stop, unauthorized: no sync at all).
    const secrets = memorySecretStore();
    core = await createCore({ cacheFile, autoSync: false, secrets });
    const [core0, server0] = [cpuMs()!, cpuMs(server.child.pid)];
    const t0 = performance.now();
    await ok(core, 'session.connect', { serverUrl: server.url, token: 'demo-alice' });
    let status = await ok(core, 'sync.now', {});
    while (status.assigned < items.length && status.state !== 'error') {
      await sleep(20);
      status = await ok(core, 'sync.status', {});
      if (status.state !== 'syncing' && status.assigned < items.length) status = await ok(core, 'sync.now', {});
    }
    const syncMs = performance.now() - t0;
    const server1 = cpuMs(server.child.pid);
    const syncCpu = { core: cpuMs()! - core0, server: server0 !== null && server1 !== null ? server1 - server0 : null };
    if (status.assigned < items.length) throw new Error(`initial sync stopped at ${status.assigned}/${items.length}: ${status.lastError}`);
    await core.close();
    if (process.env.BENCH_CORE_AB) await initialSyncAb(server.url, server.child.pid, dir, items.length, process.env.BENCH_CORE_AB);
    raw = rawBaseline(join(dir, 'raw.sqlite'), items);
    // The parts the sync cannot skip, on the same rows (the synced cache, the same server), with the core closed.
    const bound = await measureSyncBound({ cacheFile, serverUrl: server.url, token: 'demo-alice', rows: items.length });
    const result: SizeResult = { n, syncMs, rawInsertMs: raw.insertMs, syncCpu, rawInsertCpuMs: raw.insertCpuMs, rawInsertThreadCpuMs: raw.insertThreadCpuMs,
      pullOnlyMs, bound, titleWaitMs: 0, titleAb: [], groupAb: null, decide: [], rawDecide: [], fed: 0,
      filterSort: { core: [], raw: [], total: 0 }, text: [] };
    if (!PARTS.has('decide') && !PARTS.has('pages')) return result;

    // 2. Decisions through the desk API with sync running (the same cache, now with its sync loop on).
    core = await createCore({ cacheFile, autoSync: true, syncIntervalMs: 1000, secrets });
    const leased: { id: string }[] = [];
    const wanted = DECISIONS * (process.env.BENCH_CORE_AB ? 2 : 1) + PAGE_RUNS * (1 + TERMS.length);
    while (leased.length < wanted) {
      const { rows } = await ok(core, 'queue.page', { filter: { statuses: ['leased'] }, sort: { by: 'slaDue', dir: 'asc' }, offset: leased.length, limit: 1000 });
      if (rows.length === 0) throw new Error(`bench needs ${wanted} leased items, the cache holds ${leased.length}: use --items of at least 2k`);
      leased.push(...rows);
    }
    let next = 0;
    const decideOne = async () => ok(core!, 'triage.decide', { itemId: leased[next++].id, kind: 'approve', payload: { comment: 'bench' } });
    // Where the time goes (this core's decisions only): the key's due moment, the call, the core's work meanwhile.
    const trace = durableRecorder();
    const keys: PageDurable[] = [];
    const epoch = (t: number) => performance.timeOrigin + t;
    const feeder = startFeeder(server.url, n + 1);
    const decide: number[] = [];
    // The baseline is timed beside each core decision, on its own file on the same disk, so both see the
    // same load (this machine's fsync takes 2 ms or 10 ms depending on what else runs).
    // A key is timed from the moment it is due, not from when the loop gets round to it: whatever the core's
    // thread is doing then (a checkpoint, a pull slice, a push) is part of keypress -> durable.
    const rawDecide: number[] = [];
    // BENCH_CORE_AB=<another checkout>/electron/core/index.ts: blocks of decisions alternate between this core
    // and that one on the same cache, server and feeder (an A/B of a change in one run); only this core's
    // samples make the figures above, the other's are printed beside them.
    const other = process.env.BENCH_CORE_AB ? (await import(process.env.BENCH_CORE_AB) as { createCore: typeof createCore }).createCore : null;
    const block = other ? DECISIONS / 4 : DECISIONS;
    const otherDecide: number[] = [];
    const otherRaw: number[] = [];
    await ok(core, 'triage.open', { itemId: leased[next].id });
    trace.start();
    let due = performance.now();
    for (let i = 0; i < DECISIONS * (other ? 2 : 1); i++) {
      const isOther = other !== null && Math.floor(i / block) % 2 === 1;
      if (other && i > 0 && i % block === 0) {
        await core.close();
        core = await (isOther ? other : createCore)({ cacheFile, autoSync: true, syncIntervalMs: 1000, secrets });
        await ok(core, 'triage.open', { itemId: leased[next].id });
        due = performance.now();
      }
      const itemId = leased[next].id;
      if (isOther) await decideOne();
      else await trace.decide(itemId, decideOne);
      (isOther ? otherDecide : decide).push(performance.now() - due);
      if (!isOther) keys.push({ itemId, keyAt: epoch(due), sentAt: epoch(due), answerAt: epoch(performance.now()), ms: performance.now() - due });
      if (isOther) {
        await ok(core, 'triage.open', { itemId: leased[next].id });
        otherRaw.push(raw.decideOnce());
        const gap = 5 + (i % 4) * 5;
        due = performance.now() + gap;
        await sleep(gap);
        continue;
      }
      // As the renderer does: the next item becomes the focused one (its labor starts).
      await ok(core, 'triage.open', { itemId: leased[next].id });
      rawDecide.push(raw.decideOnce());
      // A reviewer's next key comes later: timers (checkpoint, push, pull, status) get their turn.
      const gap = 5 + (i % 4) * 5;
      due = performance.now() + gap;
      await sleep(gap);
    }
    trace.stop();
    console.log('\ndecision durable, where the time goes (due moment = the key; no renderer, so "sent" is the due moment):');
    reportDurableBreakdown(keys, trace.calls, trace.spans);
    result.rawDecide = rawDecide;
    if (other) {
      for (const p of [50, 95, 99]) {
        console.log(`A/B: decision durable p${p}: this core ${ms(pct(decide, p))} (x raw ${(pct(decide, p) / pct(rawDecide, p)).toFixed(2)}), ` +
          `${process.env.BENCH_CORE_AB} ${ms(pct(otherDecide, p))} (x raw ${(pct(otherDecide, p) / pct(otherRaw, p)).toFixed(2)}); this / other ${(pct(decide, p) / pct(otherDecide, p)).toFixed(2)}`);
      }
    }
    const fed = await feeder.stop();
    // "With sync running" must hold: a core that lost its token decides with no sync at all.
    const after = await ok(core, 'sync.status', {});
    console.log(`sync while deciding: state ${after.state}, ${after.pending} decisions not yet settled at the end`);
    if (after.state === 'unauthorized' || after.state === 'signed_out') throw new Error(`sync was not running while deciding (${after.state}: ${after.lastError})`);
    if (!PARTS.has('pages')) return { ...result, decide, fed };

    // 3. Uncached queue pages: one untimed decision before each timed page invalidates the cached total.
    const titleWaitMs = await titleIndexCaughtUp(cacheFile);
    const filterSort = { core: [] as number[], raw: [] as number[], total: 0 };
    for (let i = 0; i < PAGE_RUNS; i++) {
      await decideOne();
      const cls = EXCEPTION_CLASSES[i % EXCEPTION_CLASSES.length];
      const s = performance.now();
      const page = await ok(core, 'queue.page', {
        filter: { classes: [cls], statuses: ['leased'], text: 'recheck' }, sort: { by: 'confidence', dir: 'desc' }, offset: 0, limit: 100,
      });
      filterSort.core.push(performance.now() - s);
      filterSort.total = Math.max(filterSort.total, page.total);
      filterSort.raw.push(raw.page({ cls, text: 'recheck' }));
    }
    const text: SizeResult['text'] = [];
    for (const { term, share } of TERMS) {
      const row = { term, share, core: [] as number[], raw: [] as number[], total: 0 };
      for (let i = 0; i < PAGE_RUNS; i++) {
        await decideOne();
        const s = performance.now();
        const page = await ok(core, 'queue.page', { filter: { text: term }, sort: { by: 'slaDue', dir: 'asc' }, offset: 0, limit: 100 });
        row.core.push(performance.now() - s);
        row.total = page.total;
        row.raw.push(raw.page({ text: term }));
      }
      text.push(row);
    }
    const titleAb = titleIndexAb(cacheFile, 10);
    const aliceId = (await new CentralClient(server.url, 'demo-alice').me()).id;
    const groupAb = groupTotalsAb(cacheFile, aliceId, 5);
    const classAb = classIndexAb(cacheFile, aliceId, 10);
    return { ...result, decide, fed, filterSort, text, titleWaitMs, titleAb, groupAb, classAb };
  } finally {
    raw?.db.close();
    await core?.close();
    await server.kill('SIGTERM');
    await server.stopped;
    // BENCH_KEEP=1 keeps the caches for a closer look (query plans, migrations on a big cache).
    if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

function report(r: SizeResult, load: string): void {
  const line = (label: string, value: string, ratio: number, note: string) =>
    console.log(`${label.padEnd(38)} ${value.padStart(14)}   ratio ${ratio.toFixed(2).padStart(6)}  ${note}`);
  const rate = (count: number, t: number) => count / (t / 1000);
  console.log(`\nresults, ${r.n} items (${load}; baseline = raw better-sqlite3 on the same rows, same run)`);
  const core = rate(r.n, r.syncMs);
  const floor = rate(r.n, r.rawInsertMs);
  line('initial sync (items/s)', core.toFixed(0), core / floor, `of the raw floor ${floor.toFixed(0)} items/s (1 txn, no index); goal >= 0.6`);
  const { core: coreCpu, server: serverCpu } = r.syncCpu;
  line('  CPU per 1k items: core', `${(coreCpu / r.n * 1000).toFixed(1)} ms`, r.rawInsertCpuMs / coreCpu,
    `floor / core; server ${serverCpu === null ? 'n/a' : `${(serverCpu / r.n * 1000).toFixed(1)} ms`}, floor ${(r.rawInsertCpuMs / r.n * 1000).toFixed(1)} ms` +
    (serverCpu === null ? '' : `; floor / (core + server) ${(r.rawInsertCpuMs / (coreCpu + serverCpu)).toFixed(2)}`));
  line('  server pull alone (items/s)', rate(r.n, r.pullOnlyMs).toFixed(0), core / rate(r.n, r.pullOnlyMs), 'core / bare HTTP pull+parse (the network-side ceiling)');
  reportSyncBound(r.bound, { cpuMs: r.rawInsertThreadCpuMs, wallMs: r.rawInsertMs }, coreCpu);
  if (r.decide.length === 0) return;
  for (const p of [50, 95, 99]) {
    line(`decision durable, sync running p${p}`, ms(pct(r.decide, p)), pct(r.decide, p) / pct(r.rawDecide, p),
      `x prepared txn ${ms(pct(r.rawDecide, p))}${p === 99 ? '; goal <= 2 ms' : ''}`);
  }
  console.log(`${''.padEnd(38)} (${r.fed} items fed to alice while deciding)`);
  if (r.filterSort.core.length === 0) return;
  for (const p of [50, 95]) {
    line(`queue page class+text+sort p${p}`, ms(pct(r.filterSort.core, p)), pct(r.filterSort.core, p) / pct(r.filterSort.raw, p),
      `x raw ${ms(pct(r.filterSort.raw, p))} (uncached; ~${r.filterSort.total} rows match)${p === 95 ? '; goal <= 50 ms' : ''}`);
  }
  for (const t of r.text) {
    line(`queue page text ${t.share.padStart(5)} p95`, ms(pct(t.core, 95)), pct(t.core, 95) / pct(t.raw, 95),
      `x raw ${ms(pct(t.raw, 95))} (p50 ${ms(pct(t.core, 50))}; '${t.term}': ${t.total} rows)`);
  }
  console.log(`${''.padEnd(38)} (pages timed once the title index caught up: ${(r.titleWaitMs / 1000).toFixed(1)} s after the decisions part)`);
  console.log('title index A/B (same cache, same run; median of 10 each side; ratio = with / without)');
  for (const t of r.titleAb) {
    const med = (xs: number[]) => pct(xs, 50);
    line(`  text ${t.share.padStart(5)} total counted afresh`, ms(med(t.freshOn)), med(t.freshOn) / med(t.freshOff), `x without ${ms(med(t.freshOff))}`);
    line(`  text ${t.share.padStart(5)} total kept running`, ms(med(t.keptOn)), med(t.keptOn) / med(t.keptOff), `x without ${ms(med(t.keptOff))}`);
  }
  if (r.groupAb) {
    const g = r.groupAb;
    console.log('group totals A/B (open work + one class, each class asked for the first time; ratio = with / without)');
    for (const p of [50, 95]) {
      line(`  class toggle page p${p}`, ms(pct(g.on, p)), pct(g.on, p) / pct(g.off, p), `x counted from the rows ${ms(pct(g.off, p))}`);
    }
    console.log(`${''.padEnd(38)} (filling the groups once per core: ${ms(g.fillMs)})`);
  }
  if (r.classAb) {
    const c = r.classAb;
    console.log('class index A/B (open work of one class or two in SLA order, 200 rows; ratio = with items_triage_class / without)');
    for (const p of [50, 95]) {
      line(`  class toggle page p${p}`, ms(pct(c.on, p)), pct(c.on, p) / pct(c.off, p), `x walking items_triage ${ms(pct(c.off, p))}`);
    }
  }
}

export async function run(): Promise<void> {
  const sizes = sizesArg(process.argv, 'items', [Number(process.env.BENCH_ITEMS ?? 100_000)]);
  const results: SizeResult[] = [];
  for (const n of sizes) {
    const r = await runSize(n);
    report(r, await loadAverage());
    results.push(r);
  }
  if (results.length > 1) {
    console.log('\ngrowth per step (cost per item at this size / at the previous size; 1.00 = linear)');
    for (let i = 1; i < results.length; i++) {
      const [a, b] = [results[i - 1], results[i]];
      const perItem = (r: SizeResult) => r.syncMs / r.n;
      const floorPerItem = (r: SizeResult) => r.rawInsertMs / r.n;
      console.log(`  ${a.n} -> ${b.n}: initial sync ${(perItem(b) / perItem(a)).toFixed(2)}, raw floor ${(floorPerItem(b) / floorPerItem(a)).toFixed(2)}, ` +
        (b.decide.length ? `decision p95 ${(pct(b.decide, 95) / pct(a.decide, 95)).toFixed(2)}` : '') +
        (b.text.length ? `, text 1 % p95 ${(pct(b.text[1].core, 95) / pct(a.text[1].core, 95)).toFixed(2)}` : ''));
    }
  }
}
