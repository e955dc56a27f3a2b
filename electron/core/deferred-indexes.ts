// The items table's secondary indexes are set aside while a snapshot of many pages fills the cache, and built
// again, sorted in one pass each, after its last page (issue 15 gap 1). Every pull slice is its own short
// transaction, and with six indexes on random keys each commit wrote several MB of index pages to the WAL:
// inserting without them and building them at the end measured about three times faster.
//
// Crash safety: the index definitions are saved in kv in the same transaction that drops them, and each one
// is built in the transaction that takes it off that list. Whatever stops a snapshot half-way (a crash, a
// sign-out, the network), the list says what is missing, and opening the cache builds it (openCacheDb),
// so a cache is never left without its indexes across a restart.
import type { Db } from './cache-db';

const KEY = 'deferred_item_indexes';
/**
 * Built first after a snapshot: the index the triage view reads on every key (triage.window / next / open walk
 * the reviewer's set in SLA order). Until it is back each of those reads scans and sorts the whole table, so a
 * reviewer deciding right after a first sync waited behind the other builds and then behind every scan.
 */
const FIRST = ['items_triage'];

interface IndexDef { name: string; sql: string }

function saved(db: Db): IndexDef[] {
  const row = db.prepare<[string], { value: string }>('SELECT value FROM kv WHERE key = ?').get(KEY);
  if (!row) return [];
  try {
    const list = JSON.parse(row.value) as unknown;
    return Array.isArray(list)
      ? list.filter((d): d is IndexDef => typeof d?.name === 'string' && typeof d?.sql === 'string' && /^CREATE (UNIQUE )?INDEX /i.test(d.sql))
      : [];
  } catch {
    return [];
  }
}

function save(db: Db, list: IndexDef[]): void {
  if (list.length === 0) db.prepare('DELETE FROM kv WHERE key = ?').run(KEY);
  else db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(KEY, JSON.stringify(list));
}

/** True while some of the items table's indexes are set aside (a snapshot is being written). */
export function itemIndexesDeferred(db: Db): boolean {
  return saved(db).length > 0;
}

/**
 * In the caller's transaction: drop every secondary index on items and remember its definition. Read from the
 * schema rather than listed here, so an index a later migration adds is set aside (and comes back) too.
 */
export function deferItemIndexes(db: Db): void {
  const present = db.prepare<[], IndexDef>(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'items' AND sql IS NOT NULL`).all();
  if (present.length === 0) return;
  const list = saved(db);
  for (const d of present) {
    if (!list.some((x) => x.name === d.name)) list.push(d);
    db.exec(`DROP INDEX "${d.name.replace(/"/g, '""')}"`);
  }
  save(db, list);
}

/** The index to build next: the triage view's first (FIRST), then the rest in the order they were set aside. */
function pickNext(list: IndexDef[]): IndexDef | undefined {
  return list.find((d) => FIRST.includes(d.name)) ?? list[0];
}

/** Builds the next index still set aside, in the transaction that takes it off the list; false when none is left. */
function buildNext(db: Db): boolean {
  const list = saved(db);
  const next = pickNext(list);
  if (!next) return false;
  const rest = list.filter((d) => d !== next);
  db.transaction(() => {
    db.exec(next.sql.replace(/^CREATE (UNIQUE )?INDEX (IF NOT EXISTS )?/i, (_m, u: string | undefined) => `CREATE ${u ?? ''}INDEX IF NOT EXISTS `));
    save(db, rest);
  })();
  return true;
}

/**
 * Builds the indexes set aside, one transaction each. `between` runs after each one (the sync engine yields
 * to the event loop there, so a waiting decision is held behind one index build at most, never all of them).
 * Answers how many it built.
 */
export async function restoreItemIndexes(db: Db, between: () => Promise<void> | void = () => undefined): Promise<number> {
  let built = 0;
  while (buildNext(db)) {
    built++;
    await between();
  }
  return built;
}

/** At open (nothing else runs yet): builds what a snapshot cut off half-way left set aside. */
export function restoreItemIndexesNow(db: Db): number {
  let built = 0;
  while (buildNext(db)) built++;
  return built;
}
