// The initial sync's same-run bound (issue 15 gap 1), for the core bench: how close the goal (>= 0.6x of the raw
// floor) can get AT BEST on this machine, from the parts of the sync it cannot skip, measured on the same rows
// in the same run as the sync and the floor, each as CPU of this thread:
//  - the items table's secondary indexes, built on a copy of the synced cache opened with the core's connection
//    settings (cache-db.ts openWithCachePragmas), one transaction each (as
//    electron/core/deferred-indexes.ts builds them after a snapshot's last page);
//  - the wire format: each pull page's bytes -> string (as central-client.ts readLimited) -> JSON.parse;
//  - validation: every pulled item through the compiled fast path of the Item schema (shared/fast-parse.ts),
//    the function central-client.ts runs on each upsert. The page frame's zod check is left out (~0.1-0.3 ms
//    per 1k items measured once), which only raises the bound.
// bound = floor / (floor + indexes + decode + parse + validate), CPU per item: an upper bound of the sync's CPU
// ratio (floor / core). It takes everything else the sync does as free (the inserts into items and its other
// tables, the HTTP client, the running tallies, commits, GC) and assumes these parts stay on the core's one thread,
// as today. The goal itself is on items/s, and the floor's wall also holds its time off the CPU (I/O waits, the
// neighbours' load), so the items/s ratio is bounded by the floor's wall over the same sum (printed beside it;
// higher, and noisier with the load). Below 0.6 no lever outside these parts can reach the goal; above it, the
// gap is the room left for the rest. As information, the same indexes are also built with each key's trailing
// `, id` dropped (ties then in rowid order): what narrowing the keys would buy. Only the copy's indexes change,
// never the product's.
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { openWithCachePragmas } from '../../electron/core/cache-db';
import { PULL_LIMIT } from '../../electron/core/sync-engine';
import { Item } from '../../shared/domain';
import { compileSafeParse } from '../../shared/fast-parse';
import { pct } from './bench-stats';

/** Above this many rows the index builds run once per side (at 1M one set took ~15 s), else INDEX_ROUNDS times. */
const REPEATED_BUILDS_UP_TO = 200_000;
const INDEX_ROUNDS = 3;
/** Pages are decoded and parsed over at most this many items (per-item costs; at 1M the bytes alone are ~1 GB). */
const MAX_SAMPLED_ITEMS = 100_000;
const DECODE_REPEATS = 5;
/** The bench's own client id (a pull with a client id carries the same fields as the core's). */
const CLIENT_ID = 'bench-sync-bound';

export interface Cost { wallMs: number; cpuMs: number }
export interface IndexBuild extends Cost { name: string; sql: string }
export interface IndexSet { total: Cost; each: IndexBuild[] }
export interface SyncBound {
  rows: number;
  indexRounds: number;
  indexes: IndexSet;
  narrowed: IndexSet;
  pages: number;
  sampledItems: number;
  bytes: number;
  decodeRepeats: number;
  decode: Cost;
  parse: Cost;
  validate: Cost;
  /** Wall time the whole measurement added to the bench run, ms. */
  tookMs: number;
}

/** CPU time of this thread so far, ms: SQLite builds indexes on the calling thread (PRAGMA threads is 0). */
export function threadCpuMs(): number {
  const c = process.threadCpuUsage();
  return (c.user + c.system) / 1000;
}

function timed<T>(fn: () => T): { value: T; cost: Cost } {
  const [cpu0, t0] = [threadCpuMs(), performance.now()];
  const value = fn();
  return { value, cost: { wallMs: performance.now() - t0, cpuMs: threadCpuMs() - cpu0 } };
}

const addCost = (a: Cost, b: Cost): Cost => ({ wallMs: a.wallMs + b.wallMs, cpuMs: a.cpuMs + b.cpuMs });
const NO_COST: Cost = { wallMs: 0, cpuMs: 0 };
const medianCost = (xs: Cost[]): Cost => ({ wallMs: pct(xs.map((x) => x.wallMs), 50), cpuMs: pct(xs.map((x) => x.cpuMs), 50) });

// ---------- indexes on the same rows ----------

interface IndexDef { name: string; sql: string }

/**
 * A copy of the synced cache beside it. The core is closed, so its last connection has checkpointed; a -wal left
 * anyway is copied with it (SQLite replays it on open).
 */
function copyCache(cacheFile: string): string {
  const copy = `${cacheFile}.bound`;
  copyFileSync(cacheFile, copy);
  if (existsSync(`${cacheFile}-wal`)) copyFileSync(`${cacheFile}-wal`, `${copy}-wal`);
  return copy;
}

/** The items table's secondary indexes, read from the schema as deferred-indexes.ts reads them. */
function itemIndexDefs(db: Database.Database): IndexDef[] {
  return db.prepare<[], IndexDef>(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'items' AND sql IS NOT NULL`).all();
}

/** The same index with the trailing `, id` of its key dropped (a key without one stays as it is). */
export function narrowedKey(sql: string): string {
  return sql.replace(/,\s*"?id"?\s*\)\s*$/i, ')');
}

function dropIndexes(db: Database.Database, defs: IndexDef[]): void {
  db.transaction(() => { for (const d of defs) db.exec(`DROP INDEX "${d.name.replace(/"/g, '""')}"`); })();
}

/** Each index in a transaction of its own, as deferred-indexes.ts builds them after a snapshot. */
function buildIndexes(db: Database.Database, defs: IndexDef[]): IndexBuild[] {
  return defs.map((d) => ({ ...d, ...timed(() => db.transaction(() => db.exec(d.sql))()).cost }));
}

/** Per index the median of the rounds, and the median of the rounds' totals. */
function summarize(rounds: IndexBuild[][]): IndexSet {
  const total = medianCost(rounds.map((r) => r.reduce(addCost, NO_COST)));
  const each = rounds[0].map((first, i) => ({ ...first, ...medianCost(rounds.map((r) => r[i])) }));
  return { total, each };
}

/**
 * The product's index set and the narrowed one, each dropped (untimed) and built again on a copy of the synced
 * cache, alternating which goes first from round to round so neither always finds the pages the other warmed.
 */
function measureIndexBuilds(cacheFile: string, rows: number): { rounds: number; indexes: IndexSet; narrowed: IndexSet } {
  const copy = copyCache(cacheFile);
  // The core's connection settings, without openCacheDb's index repair and migrations (they must not run here).
  const db = openWithCachePragmas(copy);
  try {
    const product = itemIndexDefs(db);
    if (product.length === 0) throw new Error('the synced cache has no items indexes: did the sync finish building them?');
    const narrow = product.map((d) => ({ ...d, sql: narrowedKey(d.sql) }));
    const rounds = rows <= REPEATED_BUILDS_UP_TO ? INDEX_ROUNDS : 1;
    const built = { product: [] as IndexBuild[][], narrow: [] as IndexBuild[][] };
    let present: IndexDef[] = product;
    for (let r = 0; r < rounds; r++) {
      for (const side of r % 2 === 0 ? (['product', 'narrow'] as const) : (['narrow', 'product'] as const)) {
        const defs = side === 'product' ? product : narrow;
        dropIndexes(db, present);
        built[side].push(buildIndexes(db, defs));
        present = defs;
      }
    }
    return { rounds, indexes: summarize(built.product), narrowed: summarize(built.narrow) };
  } finally {
    db.close();
    for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) rmSync(f, { force: true });
  }
}

// ---------- pages to objects ----------

interface RawPage { chunks: Uint8Array[]; items: number }

/** One pull page's body as the chunks the socket delivered, read as readLimited (central-client.ts) reads it. */
async function readChunks(res: Response): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
}

/**
 * Alice's snapshot, page after page with the core's page size (PULL_LIMIT), plain fetch, up to maxItems upserts;
 * untimed. Each page is parsed once here only to follow its cursor.
 */
async function fetchSnapshotPages(url: string, token: string, maxItems: number): Promise<RawPage[]> {
  const pages: RawPage[] = [];
  let cursor: string | null = null;
  for (let items = 0; items < maxItems;) {
    const params = new URLSearchParams({ limit: String(PULL_LIMIT), clientId: CLIENT_ID });
    if (cursor) params.set('cursor', cursor);
    const res = await fetch(`${url}/v1/sync/pull?${params}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    if (!res.ok) throw new Error(`pull for the bound: HTTP ${res.status}`);
    const chunks = await readChunks(res);
    const page = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { cursor: string; hasMore: boolean; upserts: unknown[] };
    pages.push({ chunks, items: page.upserts.length });
    items += page.upserts.length;
    cursor = page.cursor;
    if (!page.hasMore) break;
  }
  return pages;
}

/** Every pulled item goes through this on the core's thread (central-client.ts keepValidItems). */
const safeParseItem = compileSafeParse(Item);

/** One pass over the pages: the three steps timed apart, each summed over the pages. */
function decodeParseValidateOnce(pages: RawPage[]): { decode: Cost; parse: Cost; validate: Cost } {
  let [decode, parse, validate] = [NO_COST, NO_COST, NO_COST];
  for (const { chunks } of pages) {
    const text = timed(() => Buffer.concat(chunks).toString('utf8'));
    const json = timed(() => JSON.parse(text.value) as { upserts: unknown[] });
    const valid = timed(() => json.value.upserts.every((x) => safeParseItem(x).success));
    if (!valid.value) throw new Error('a pulled item failed the Item schema: the bound would time a quarantine, not the sync');
    decode = addCost(decode, text.cost);
    parse = addCost(parse, json.cost);
    validate = addCost(validate, valid.cost);
  }
  return { decode, parse, validate };
}

// ---------- the bound ----------

/**
 * Measures the parts on the cache the core just synced (closed) and on the server it synced from. Run it with the
 * core closed and nothing else running in this process, so this thread's CPU is these parts' alone.
 */
export async function measureSyncBound(opts: { cacheFile: string; serverUrl: string; token: string; rows: number }): Promise<SyncBound> {
  const t0 = performance.now();
  const builds = measureIndexBuilds(opts.cacheFile, opts.rows);
  const pages = await fetchSnapshotPages(opts.serverUrl, opts.token, MAX_SAMPLED_ITEMS);
  const passes = Array.from({ length: DECODE_REPEATS }, () => decodeParseValidateOnce(pages));
  return {
    rows: opts.rows,
    indexRounds: builds.rounds,
    indexes: builds.indexes,
    narrowed: builds.narrowed,
    pages: pages.length,
    sampledItems: pages.reduce((n, p) => n + p.items, 0),
    bytes: pages.reduce((n, p) => n + p.chunks.reduce((m, c) => m + c.byteLength, 0), 0),
    decodeRepeats: DECODE_REPEATS,
    decode: medianCost(passes.map((p) => p.decode)),
    parse: medianCost(passes.map((p) => p.parse)),
    validate: medianCost(passes.map((p) => p.validate)),
    tookMs: performance.now() - t0,
  };
}

const GOAL = 0.6;

/** Per 1k items, ms of this thread's CPU: the index builds over all rows, the page steps over the sampled items. */
export function boundParts(b: SyncBound): { indexes: number; narrowed: number; decode: number; parse: number; validate: number } {
  const perK = (ms: number, items: number) => (ms / items) * 1000;
  return {
    indexes: perK(b.indexes.total.cpuMs, b.rows),
    narrowed: perK(b.narrowed.total.cpuMs, b.rows),
    decode: perK(b.decode.cpuMs, b.sampledItems),
    parse: perK(b.parse.cpuMs, b.sampledItems),
    validate: perK(b.validate.cpuMs, b.sampledItems),
  };
}

const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);

/**
 * What the goal says about the bound. The goal is on items/s, so the statement rests on the wall bound: the floor's
 * wall also holds its time off the CPU (its commit's I/O waits, and whatever the neighbours' load took), which the
 * sync's CPU sum leaves out. The CPU bound speaks for the CPU ratio.
 */
function verdict(cpuBound: number, wallBound: number, roomPerK: number, corePerK: number): string {
  const f2 = (x: number) => x.toFixed(2);
  if (wallBound < GOAL) {
    return `out of reach: while these parts run on the core's thread, with these indexes and this wire format, the sync cannot pass ` +
      `${f2(wallBound)}x in items/s (${f2(cpuBound)}x in CPU) on this machine`;
  }
  if (cpuBound < GOAL) {
    return `out of reach in CPU (${f2(cpuBound)}x); in items/s only through the floor's time off the CPU (I/O waits, the neighbours' load): ` +
      `${f2(wallBound)}x at best`;
  }
  return `not ruled out: the rest of the sync would have to fit in ${roomPerK.toFixed(1)} ms CPU per 1k (the core's process used ${corePerK.toFixed(1)} in this run's sync)`;
}

/**
 * Prints the bound and its parts. floor: the raw floor's insert, wall and this thread's CPU; coreCpuMs: the measured
 * sync's CPU (the core's process), for the room the rest of the sync would have.
 */
export function reportSyncBound(b: SyncBound, floor: Cost, coreCpuMs: number): void {
  const f1 = (x: number) => x.toFixed(1);
  const perK = (ms: number) => (ms / b.rows) * 1000;
  const [floorCpu, floorWall] = [perK(floor.cpuMs), perK(floor.wallMs)];
  const p = boundParts(b);
  const parts = sum([p.indexes, p.decode, p.parse, p.validate]);
  const cpuBound = floorCpu / (floorCpu + parts);
  const wallBound = floorWall / (floorCpu + parts);
  console.log(`  bound (same run): floor / (floor + indexes + decode + parse + validate) ${cpuBound.toFixed(2)}   = ${f1(floorCpu)} / ` +
    `(${f1(floorCpu)} + ${f1(p.indexes)} + ${f1(p.decode)} + ${f1(p.parse)} + ${f1(p.validate)}) ms CPU per 1k, this thread; ` +
    `goal ${GOAL}: ${verdict(cpuBound, wallBound, floorCpu / GOAL - floorCpu - parts, perK(coreCpuMs))}`);
  console.log(`    an upper bound: it takes the rest of the sync as free (the inserts into items and its other tables, the HTTP client, the running ` +
    `tallies, commits, GC). It bounds the CPU ratio (floor / core above); the items/s ratio is bounded by the floor's wall (its CPU and its ` +
    `time off the CPU: I/O waits, the neighbours' load) over the same sum: ` +
    `${f1(floorWall)} / ${f1(floorCpu + parts)} = ${wallBound.toFixed(2)}`);
  const indexLine = (label: string, set: IndexSet) => console.log(`    ${label}: ${f1(set.total.cpuMs)} ms CPU (${f1(set.total.wallMs)} ms wall) for ${b.rows} rows: ` +
    set.each.map((i) => `${i.name} ${f1(i.cpuMs)}`).join(', '));
  indexLine(`indexes, ${b.indexRounds === 1 ? 'one build' : `median of ${b.indexRounds} builds`} (one txn each, on a copy of the synced cache)`, b.indexes);
  console.log(`    pages: ${b.pages} of up to ${PULL_LIMIT} items (${b.sampledItems} items${b.sampledItems < b.rows ? `, the first of ${b.rows}` : ''}, ` +
    `${f1(b.bytes / b.sampledItems)} bytes each), median of ${b.decodeRepeats} passes: decode ${f1(b.decode.cpuMs)}, parse ${f1(b.parse.cpuMs)}, ` +
    `validate ${f1(b.validate.cpuMs)} ms CPU`);
  const narrowBound = floorCpu / (floorCpu + sum([p.narrowed, p.decode, p.parse, p.validate]));
  indexLine(`information: the same indexes without the trailing ', id' (x${(p.narrowed / p.indexes).toFixed(2)} of the build; ` +
    `bound ${narrowBound.toFixed(2)})`, b.narrowed);
  console.log(`    (measuring the bound added ${(b.tookMs / 1000).toFixed(1)} s to this run)`);
}
