// GET /v1/sync/pull: a user's assigned set, as a snapshot (first pull, or an unknown / too-old cursor) and
// then as a replay of their change_log rows in commit order. The cursor is opaque to clients:
//   c.<dbId>.<pos>                      replay change_log after pos
//   s.<dbId>.<pos>.<lastItemId>         snapshot taken at pos, continuing after lastItemId
// A snapshot page reads the items' current state; anything that changes during paging is also in the
// change log after pos, so replay afterwards converges. Every page is read in one transaction.
// Item copies are served as the stored JSON spliced into the page's text (itemJsonFromRow; on SQLite the database
// writes it, itemJsonSql), never parsed and stringified again (issue 15 gap 1).
import type { z } from 'zod';
import type { MutationResult, PullQuery, PullResponse, RemovalReason } from '../../shared/central-api';
import type { Item } from '../../shared/domain';
import { ASSIGNED_STATUSES, holdsAssignment } from '../../shared/item-effects';
import type { Db } from '../db/connection';
import { itemFromRow, itemJsonFromRow, itemJsonSql, itemRowBytesSql } from '../db/rows';
import { selectOnSqlite } from '../db/prepared';
import { JsonText } from '../json-text';
import type { ItemRow } from '../db/schema';
import { jsonBytes, MAX_PULL_PAGE_BYTES, utf8Bytes } from '../../shared/limits';
import { readTransaction } from '../db/write-transaction';
import type { AuthUser, ServerContext } from './context';
import { sweepExpiredLeases } from './leases';
import { listQueues } from './queues';
import { bindClient, resultsWithCurrentItems } from './push';

type ParsedPull = z.output<typeof PullQuery>;
type Cursor = { kind: 'c'; pos: number } | { kind: 's'; pos: number; after: string } | null;

const ASSIGNED = ASSIGNED_STATUSES;
/**
 * A removal carries the item only for the puller's own decision, and only while the item still shows that
 * decision: a replay from an old cursor must not hand over what others did to it since (a rollback by the
 * owner and someone else's outcome, correction and notes).
 */
const removalMayCarry = (reason: string | null, item: Item | undefined, userId: string): item is Item =>
  reason === 'decided' && item !== undefined && item.status === 'resolved' && item.outcome?.by === userId;

/** A page as the route serves it: the item copies already JSON, as text or as its UTF-8 bytes (see pageJson). */
export type PageOut = Omit<PullResponse, 'upserts'> & { upserts: (string | Buffer)[] };

const COMMA = Buffer.from(',');
const PAGE_END = Buffer.from(']}');

/**
 * The page's JSON: its fields stringified, and the upserts' JSON spliced in after them. Item copies the database
 * wrote as bytes (a SQLite snapshot page) are copied once into the body, which leaves as those bytes: no JS
 * string of each item, no join of a page-long string, no UTF-8 encoding of it again on the way out.
 */
export function pageJson(page: PageOut): JsonText {
  const { upserts, ...rest } = page;
  const head = JSON.stringify(rest);
  const open = `${head.slice(0, -1)},"upserts":[`;
  if (!upserts.some((u) => Buffer.isBuffer(u))) return new JsonText(`${open}${upserts.join(',')}]}`);
  const parts: Buffer[] = [Buffer.from(open)];
  upserts.forEach((u, k) => {
    if (k > 0) parts.push(COMMA);
    parts.push(Buffer.isBuffer(u) ? u : Buffer.from(u));
  });
  parts.push(PAGE_END);
  return new JsonText(Buffer.concat(parts));
}

export async function pull(ctx: ServerContext, user: AuthUser, q: ParsedPull): Promise<JsonText> {
  return pageJson(await pullPage(ctx, user, q));
}

async function pullPage(ctx: ServerContext, user: AuthUser, q: ParsedPull): Promise<PageOut> {
  await sweepExpiredLeases(ctx);
  // One snapshot for the whole page: the log's top and the rows below it (REPEATABLE READ on PostgreSQL).
  return readTransaction(ctx.db, async (tx) => {
    const lastMutationId = q.clientId !== undefined ? await bindClient(tx, user, q.clientId) : undefined;
    const floor = await changeLogFloor(tx);
    // Compaction may have emptied the log: positions never go back below the floor (AUTOINCREMENT never reuses them).
    const maxPos = Math.max(await currentPos(tx), floor);
    const cursor = parseCursor(q.cursor, ctx.dbId);
    const valid = cursor !== null && cursor.pos >= floor && cursor.pos <= maxPos;
    const queues = await listQueues(tx);
    const queueById = new Map(queues.map((qu) => [qu.id, qu]));
    const base = { queues, serverTime: ctx.now().toISOString(), ...(lastMutationId !== undefined ? { lastMutationId } : {}) };
    if (!valid) {
      const page = await snapshotPage(tx, user.id, maxPos, '', q.limit);
      const results = q.clientId ? await resultsWithCurrentItems(tx, await recentResults(tx, q.clientId, Math.min(q.limit, 500)), user, queueById) : [];
      return { ...base, ...page, reset: true, removals: [], results: withinResultBudget(results) };
    }
    if (cursor.kind === 's') {
      const page = await snapshotPage(tx, user.id, cursor.pos, cursor.after, q.limit);
      return { ...base, ...page, reset: false, removals: [], results: [] };
    }
    const page = await replayPage(tx, ctx.dbId, user.id, cursor.pos, maxPos, q);
    return { ...base, ...page, results: await resultsWithCurrentItems(tx, page.results, user, queueById), reset: false };
  });

  async function snapshotPage(tx: Db, userId: string, pos: number, after: string, limit: number) {
    const rows = await snapshotRows(tx, userId, after, limit + 1);
    let more = rows.length > limit;
    let page = rows.slice(0, limit);
    // A page ends before its items pass MAX_PULL_PAGE_BYTES (at least one item a page).
    let bytes = 0;
    for (let i = 0; i < page.length; i++) {
      bytes += page[i].bytes;
      if (bytes > MAX_PULL_PAGE_BYTES && i > 0) { page = page.slice(0, i); more = true; break; }
    }
    const upserts = page.map((r) => r.json);
    if (more) return { cursor: `s.${ctx.dbId}.${pos}.${page[page.length - 1].id}`, hasMore: true, upserts };
    const pending = await tx.selectFrom('change_log').select('pos').where('user_id', '=', userId).where('pos', '>', pos).limit(1).execute();
    return { cursor: `c.${ctx.dbId}.${pos}`, hasMore: pending.length > 0, upserts };
  }
}

/** A snapshot page's item: its id, its JSON as served (UTF-8 bytes on SQLite), and its size as itemRowBytes counts it. */
interface SnapshotRow { id: string; json: string | Buffer; bytes: number }

/**
 * One index range per assigned status, each cut at `count`, merged in id order by the database (its own
 * collation): `status IN (...) ORDER BY id` read every remaining row of the set and sorted it, at every page
 * (quadratic in the set's size). The first `count` items of the user's set after `after`.
 */
const snapshotRange = (select: string) => ASSIGNED.map((status) =>
  `SELECT * FROM (SELECT ${select} FROM items WHERE assignee_id = ? AND status = '${status}' AND id > ? ORDER BY id LIMIT ?)`).join(' UNION ALL ');
/**
 * On SQLite the ranges read the items_assignee index alone (rowid and id: the merge sorts those, not whole
 * rows), and the database writes each page item's JSON as it reads the row (itemJsonSql): no Kysely query to
 * build, no 26 column values a row turned into JS strings. A 100k-item first sync: server CPU 0.91x. The JSON
 * leaves the database as a BLOB of its UTF-8 bytes (a Buffer), which goes into the response as it is (pageJson).
 */
const SQLITE_SNAPSHOT_PAGE = `SELECT i.id AS id, CAST(${itemJsonSql('i')} AS BLOB) AS json, ${itemRowBytesSql('i')} AS bytes
  FROM (${snapshotRange('rowid AS r, id')} ORDER BY id LIMIT ?) p JOIN items i ON i.rowid = p.r ORDER BY p.id`;

async function snapshotRows(tx: Db, userId: string, after: string, count: number): Promise<SnapshotRow[]> {
  const params: unknown[] = [];
  for (let k = 0; k < ASSIGNED.length; k++) params.push(userId, after, count);
  params.push(count);
  const onSqlite = selectOnSqlite<SnapshotRow>(tx, SQLITE_SNAPSHOT_PAGE, params);
  if (onSqlite) return onSqlite;
  const part = (status: string, alias: string) => tx.selectFrom((eb) => eb.selectFrom('items').selectAll().where('assignee_id', '=', userId)
    .where('status', '=', status).where('id', '>', after).orderBy('id').limit(count).as(alias)).selectAll();
  const [first, ...others] = ASSIGNED.map((status, k) => part(status, `s${k}`));
  const rows = await others.reduce((u, p) => u.unionAll(p), first).orderBy('id').limit(count).execute();
  return rows.map((r) => ({ id: r.id, json: itemJsonFromRow(r), bytes: itemRowBytes(r) }));
}

async function replayPage(tx: Db, dbId: string, userId: string, from: number, maxPos: number, q: ParsedPull) {
  let query = tx.selectFrom('change_log').selectAll().where('user_id', '=', userId).where('pos', '>', from);
  query = q.clientId
    ? query.where((eb) => eb.or([eb('kind', '!=', 'result'), eb('client_id', '=', q.clientId!)]))
    : query.where('kind', '!=', 'result');
  const rows = await query.orderBy('pos').limit(q.limit + 1).execute();
  let hasMore = rows.length > q.limit;
  let page = rows.slice(0, q.limit);

  const itemIds = [...new Set(page.flatMap((r) => (r.item_id ? [r.item_id] : [])))];
  const itemRows = new Map<string, ItemRow>();
  for (let i = 0; i < itemIds.length; i += 500) {
    for (const row of await tx.selectFrom('items').selectAll().where('id', 'in', itemIds.slice(i, i + 500)).execute()) itemRows.set(row.id, row);
  }
  // Bytes too, not only rows: end the page before the items it would carry pass MAX_PULL_PAGE_BYTES (an item
  // once per upsert or removal, and again with every result, which carries it too). At least one row a page.
  let bytes = 0;
  const counted = new Set<string>();
  for (let i = 0; i < page.length; i++) {
    const r = page[i];
    const row = r.item_id ? itemRows.get(r.item_id) : undefined;
    if (row && (r.kind === 'result' || !counted.has(row.id))) bytes += itemRowBytes(row);
    if (r.kind !== 'result' && row) counted.add(row.id);
    if (bytes > MAX_PULL_PAGE_BYTES && i > 0) { page = page.slice(0, i); hasMore = true; break; }
  }
  const nextPos = hasMore ? page[page.length - 1].pos : maxPos;

  // Collapse to the last change per item: upsert emits the item's current state, so only the last one matters.
  const lastChange = new Map<string, { kind: string; reason: string | null }>();
  const resultIds: number[] = [];
  for (const r of page) {
    if (r.kind === 'result') { resultIds.push(r.mutation_id!); continue; }
    lastChange.delete(r.item_id!);
    lastChange.set(r.item_id!, { kind: r.kind, reason: r.reason });
  }
  const items = new Map<string, Item>();
  for (const id of lastChange.keys()) {
    const row = itemRows.get(id);
    if (row) items.set(id, itemFromRow(row));
  }
  const upserts: string[] = [];
  const removals: PullResponse['removals'] = [];
  for (const [itemId, c] of lastChange) {
    const item = items.get(itemId);
    const mine = item !== undefined && item.assigneeId === userId && holdsAssignment(item.status);
    if (c.kind === 'upsert') {
      // Not mine any more: the removal that says why is further on in the log (next page).
      if (mine) upserts.push(itemJsonFromRow(itemRows.get(itemId)!));
    } else {
      removals.push({ itemId, reason: c.reason as RemovalReason, ...(removalMayCarry(c.reason, item, userId) ? { item } : {}) });
    }
  }
  const results = q.clientId ? await resultsByIds(tx, q.clientId, resultIds) : [];
  return { cursor: `c.${dbId}.${nextPos}`, hasMore, upserts, removals, results };
}

/**
 * A reset page's results carry items on top of the snapshot's: past half a page's byte budget, older results
 * go without their item (the snapshot, or a later pull, has its current state anyway).
 */
function withinResultBudget(results: MutationResult[]): MutationResult[] {
  let bytes = 0;
  const out = [...results];
  for (let i = out.length - 1; i >= 0; i--) {
    const item = out[i].item;
    if (!item) continue;
    bytes += jsonBytes(item);
    if (bytes > MAX_PULL_PAGE_BYTES / 2) out[i] = { ...out[i], item: null };
  }
  return out;
}

/** An item's size as served, near enough: its stored JSON columns and texts as UTF-8, plus the small fields. */
export function itemRowBytes(r: ItemRow): number {
  let n = 1024;
  for (const text of [r.title, r.summary, r.reasons, r.input, r.output, r.notes, r.outcome, r.escalation]) if (text) n += utf8Bytes(text);
  return n;
}

/** Stored results (no item: resultsWithCurrentItems attaches what the user may see now). */
async function resultsByIds(tx: Db, clientId: string, ids: number[]): Promise<MutationResult[]> {
  const out: MutationResult[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await tx.selectFrom('client_mutations').select('result').where('client_id', '=', clientId)
      .where('mutation_id', 'in', ids.slice(i, i + 500)).orderBy('mutation_id').execute();
    out.push(...rows.map((r) => JSON.parse(r.result) as MutationResult));
  }
  return out;
}

async function recentResults(tx: Db, clientId: string, n: number): Promise<MutationResult[]> {
  const rows = await tx.selectFrom('client_mutations').select('result').where('client_id', '=', clientId)
    .orderBy('mutation_id', 'desc').limit(n).execute();
  return rows.reverse().map((r) => JSON.parse(r.result) as MutationResult);
}

function parseCursor(raw: string | undefined, dbId: string): Cursor {
  if (!raw) return null;
  const parts = raw.split('.');
  if (parts[1] !== dbId) return null;
  const pos = Number(parts[2]);
  if (!Number.isSafeInteger(pos) || pos < 0) return null;
  if (parts[0] === 'c' && parts.length === 3) return { kind: 'c', pos };
  if (parts[0] === 's' && parts.length >= 4) return { kind: 's', pos, after: parts.slice(3).join('.') };
  return null;
}

async function currentPos(tx: Db): Promise<number> {
  const r = await tx.selectFrom('change_log').select((eb) => eb.fn.max('pos').as('pos')).executeTakeFirst();
  return Number(r?.pos ?? 0);
}

/** Positions below the floor were compacted away; a cursor there is too old and gets a reset. */
export async function changeLogFloor(tx: Db): Promise<number> {
  const r = await tx.selectFrom('meta').select('value').where('key', '=', 'change_log_floor').executeTakeFirst();
  return r ? Number(r.value) : 0;
}

/** Drops change_log rows at or below `pos` (retention). Clients holding older cursors get a reset. */
export async function compactChangeLog(db: Db, pos: number): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('change_log').where('pos', '<=', pos).execute();
    await tx.insertInto('meta').values({ key: 'change_log_floor', value: String(pos) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(pos) })).execute();
  });
}

/** Retention: compacts change_log rows older than `days`. Clients whose cursor is older get a reset. */
export async function compactOlderThan(db: Db, now: Date, days: number): Promise<number> {
  const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
  const r = await db.selectFrom('change_log').select((eb) => eb.fn.max('pos').as('pos')).where('at', '<', cutoff).executeTakeFirst();
  const pos = Number(r?.pos ?? 0);
  if (pos > 0) await compactChangeLog(db, pos);
  return pos;
}
