// The cache's copy of items and queues: server copy, visible overlay, and the indexed columns that
// queue pages and triage navigation read with prepared statements.
import { Item, Queue } from '../../shared/domain';
import type { LocalState, QueueRow } from '../../shared/desk-api';
import type { RemovalReason } from '../../shared/central-api';
import { departureFromRemoval, departureOf, type ItemDeparture } from '../../shared/item-departure';
import type { Db } from './cache-db';
import { applyMutationToItem, holdsAssignment, isAssignedTo, type EffectMutation } from '../../shared/item-effects';
import type { OutboxRepo } from './outbox-repo';
import { QueuePageQuery, type PageInput, type RowFacts } from './queue-page';

/** A row as it is before a write: what the running counts (triage set, page totals) and the title index move from. */
type PriorRow = RowFacts & { row_id: number };
const PRIOR = 'i.rowid AS row_id, i.class, i.queue_id, i.status, i.local_state, i.title_lc, CASE WHEN i.in_triage = 1 THEN i.assignee_id END AS held_by';

interface ItemRow extends PriorRow {
  id: string;
  json: string;
  server_json: string;
  server_version: number;
  local_state: LocalState;
}

const TRIAGE = `assignee_id = ? AND in_triage = 1`;
const DEPARTURES_KEPT = 500;
/** The items columns a write sets, in the order rowValues() gives them. */
const ITEM_COLUMNS = ['id', 'queue_id', 'class', 'status', 'assignee_id', 'sla_due_ms', 'enqueued_ms', 'sla_due_at', 'enqueued_at', 'confidence',
  'title', 'title_lc', 'local_state', 'in_triage', 'server_version', 'lease_expires_ms'] as const;
/**
 * Rows per multi-row INSERT when many new items arrive at once (a snapshot's slices): one statement step for
 * this many rows instead of one per row (16 columns x 50 = 800 parameters, far below SQLite's 32,766).
 */
const INSERT_ROWS = 50;
const placeholders = (rows: number, cols: string) => Array.from({ length: rows }, () => cols).join(', ');

const REMOVED_STATUS: Partial<Record<RemovalReason, Item['status']>> = {
  decided: 'resolved', resolved_elsewhere: 'resolved', withdrawn: 'withdrawn', escalated: 'escalated',
  reassigned: 'leased', lease_expired: 'open', deferred: 'open',
};

export class ItemsRepo {
  private readonly stmts;
  private queueCache: Map<string, Queue> | null = null;
  private readonly pages: QueuePageQuery;

  constructor(db: Db, private readonly outbox: OutboxRepo, private readonly me: () => string | null) {
    this.pages = new QueuePageQuery(db);
    this.stmts = {
      // An empty json means the desk shows the server's copy as it is (stored once: see write()).
      get: db.prepare<[string], ItemRow>(`SELECT i.id, CASE WHEN b.json = '' THEN b.server_json ELSE b.json END AS json, b.server_json, i.server_version, ${PRIOR}
        FROM items i JOIN item_bodies b ON b.id = i.id WHERE i.id = ?`),
      version: db.prepare<[string], PriorRow & { server_version: number }>(`SELECT i.server_version, ${PRIOR} FROM items i WHERE i.id = ?`),
      insert: db.prepare(`INSERT INTO items (${ITEM_COLUMNS.join(', ')}) VALUES (${ITEM_COLUMNS.map(() => '?').join(', ')})
        ON CONFLICT(id) DO UPDATE SET ${ITEM_COLUMNS.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`).join(', ')}`),
      insertBody: db.prepare(`INSERT INTO item_bodies (id, json, server_json) VALUES (?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET json = excluded.json, server_json = excluded.server_json`),
      // Which of a batch's ids have a row already (a batch of new items skips the lookup per item).
      existing: db.prepare<[string], { id: string }>('SELECT id FROM items WHERE id IN (SELECT value FROM json_each(?))'),
      insertNew: db.prepare(`INSERT INTO items (${ITEM_COLUMNS.join(', ')}) VALUES ${placeholders(INSERT_ROWS, `(${ITEM_COLUMNS.map(() => '?').join(', ')})`)}`),
      insertNewBodies: db.prepare(`INSERT INTO item_bodies (id, json, server_json) VALUES ${placeholders(INSERT_ROWS, "(?, '', ?)")}`),
      delete: db.prepare('DELETE FROM items WHERE id = ?'),
      deleteBody: db.prepare('DELETE FROM item_bodies WHERE id = ?'),
      deleteUndecided: db.prepare(`DELETE FROM items WHERE local_state = 'none'`),
      keptInTriage: db.prepare<[], { id: string }>('SELECT id FROM items WHERE in_triage = 1'),
      deleteOrphanBodies: db.prepare('DELETE FROM item_bodies WHERE id NOT IN (SELECT id FROM items)'),
      queues: db.prepare<[], { json: string }>('SELECT json FROM queues'),
      upsertQueue: db.prepare('INSERT INTO queues (id, json) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json'),
      triageFirst: db.prepare<[string], { id: string }>(`SELECT id FROM items WHERE ${TRIAGE} ORDER BY sla_due_ms, id LIMIT 1`),
      triageLast: db.prepare<[string], { id: string }>(`SELECT id FROM items WHERE ${TRIAGE} ORDER BY sla_due_ms DESC, id DESC LIMIT 1`),
      triageAfter: db.prepare<[string, number, string], { id: string }>(`SELECT id FROM items WHERE ${TRIAGE}
        AND (sla_due_ms, id) > (?, ?) ORDER BY sla_due_ms, id LIMIT 1`),
      triageBefore: db.prepare<[string, number, string], { id: string }>(`SELECT id FROM items WHERE ${TRIAGE}
        AND (sla_due_ms, id) < (?, ?) ORDER BY sla_due_ms DESC, id DESC LIMIT 1`),
      position: db.prepare<[string], { sla_due_ms: number; id: string }>('SELECT sla_due_ms, id FROM items WHERE id = ?'),
      // Moved by write() and deleteRow() in the transaction of every write (migration 8): no re-count of the set.
      triageCount: db.prepare<[string], { n: number }>('SELECT n FROM triage_counts WHERE assignee_id = ?'),
      recountTriage: db.prepare<[string], { n: number }>(`SELECT COUNT(*) AS n FROM items WHERE ${TRIAGE}`),
      adjustTriageCount: db.prepare(`INSERT INTO triage_counts (assignee_id, n) VALUES (?, ?)
        ON CONFLICT(assignee_id) DO UPDATE SET n = n + excluded.n`),
      clearTriageCounts: db.prepare('DELETE FROM triage_counts'),
      fillTriageCounts: db.prepare(`INSERT INTO triage_counts (assignee_id, n)
        SELECT assignee_id, COUNT(*) FROM items WHERE in_triage = 1 AND assignee_id IS NOT NULL GROUP BY assignee_id`),
      leasesEndingBefore: db.prepare<[string, number, number], { id: string }>(`SELECT id FROM items WHERE ${TRIAGE}
        AND lease_expires_ms < ? ORDER BY lease_expires_ms LIMIT ?`),
      leasesEndingCount: db.prepare<[string, number, number], { n: number }>(`SELECT COUNT(*) AS n FROM items WHERE ${TRIAGE}
        AND lease_expires_ms > ? AND lease_expires_ms <= ?`),
      triageAfterN: db.prepare<[string, number, string, number], { id: string }>(`SELECT id FROM items WHERE ${TRIAGE}
        AND (sla_due_ms, id) > (?, ?) ORDER BY sla_due_ms, id LIMIT ?`),
      triageBeforeN: db.prepare<[string, number, string, number], { id: string }>(`SELECT id FROM items WHERE ${TRIAGE}
        AND (sla_due_ms, id) < (?, ?) ORDER BY sla_due_ms DESC, id DESC LIMIT ?`),
      triageFirstN: db.prepare<[string, number], { id: string }>(`SELECT id FROM items WHERE ${TRIAGE} ORDER BY sla_due_ms, id LIMIT ?`),
      triageRank: db.prepare<[string, number, string], { n: number }>(`SELECT COUNT(*) AS n FROM items WHERE ${TRIAGE}
        AND (sla_due_ms, id) < (?, ?)`),
    };
  }

  // ---------- queues ----------
  queues(): Queue[] {
    return [...this.queueMap().values()];
  }
  queue(id: string): Queue | null {
    return this.queueMap().get(id) ?? null;
  }
  private queueMap(): Map<string, Queue> {
    if (!this.queueCache) {
      this.queueCache = new Map();
      for (const r of this.stmts.queues.all()) {
        const q = Queue.safeParse(JSON.parse(r.json));
        if (q.success) this.queueCache.set(q.data.id, q.data);
      }
    }
    return this.queueCache;
  }
  upsertQueues(queues: Queue[]): void {
    for (const q of queues) this.stmts.upsertQueue.run(q.id, JSON.stringify(q));
    this.queueCache = null;
  }

  // ---------- items ----------
  get(id: string): { item: Item; serverItem: Item; serverJson: string; localState: LocalState; prior: PriorRow } | null {
    const row = this.stmts.get.get(id);
    if (!row) return null;
    return {
      item: JSON.parse(row.json) as Item, serverItem: JSON.parse(row.server_json) as Item, serverJson: row.server_json, localState: row.local_state,
      prior: row,
    };
  }

  /**
   * A lean push result (PushRequest.leanResults): the server applied `m` to the item at `version - 1` and
   * answered the new version instead of the item. The desk applies the same mutation to its copy with the same
   * function (shared/item-effects.ts) and keeps the result as the server's copy, checked by the Item schema as
   * a copy from the server is. False when the desk has no copy at that version (nothing changes then).
   */
  applyLeanResult(itemId: string, m: EffectMutation, version: number): boolean {
    const row = this.stmts.get.get(itemId);
    if (!row) return false;
    const server = JSON.parse(row.server_json) as Item;
    if (server.version !== version - 1) return false;
    // LEAN_RESULT_KINDS read neither the clock nor the queues: `now` and `queues` are there for the type.
    const next = Item.safeParse(applyMutationToItem(server, m, { userId: this.me() ?? '', now: m.at, queues: this.queueMap() }));
    if (!next.success) return false;
    this.recomputeWith(next.data, JSON.stringify(next.data), row);
    return true;
  }

  /** Store the server's copy when it is at least as new as ours, then recompute what the desk shows. */
  putServerCopy(item: Item, opts: { force?: boolean; noHistory?: boolean } = {}): void {
    const row = this.stmts.version.get(item.id);
    if (row && !opts.force && row.server_version > item.version) return;
    this.recomputeWith(item, JSON.stringify(item), row ?? null, opts.noHistory);
  }

  /**
   * putServerCopy for each item in order, as one batch (a pull slice): `withHistory` holds the ids this desk has
   * decisions or conflicts on (the caller asked the outbox once for the batch). An item new to the cache, with
   * no history and in my set, takes the same write with the lookup, the running count and the statement steps
   * shared by the batch: one id lookup for all, INSERT_ROWS rows per INSERT, one count update per assignee
   * (most of a first sync: issue 15 gap 1). Every other item goes through putServerCopy, after the new ones
   * before it are written, so the batch leaves the cache exactly as the items one by one would.
   */
  putServerCopies(items: readonly Item[], opts: { force?: boolean; withHistory: ReadonlySet<string> }): void {
    const me = this.me();
    const present = new Set(this.stmts.existing.all(JSON.stringify(items.map((i) => i.id))).map((r) => r.id));
    const fresh: { item: Item; json: string }[] = [];
    for (const it of items) {
      if (present.has(it.id) || opts.withHistory.has(it.id)) {
        this.insertFresh(fresh);
        this.putServerCopy(it, { force: opts.force, noHistory: !opts.withHistory.has(it.id) });
        continue;
      }
      // Not mine and never decided here: putServerCopy would store nothing either.
      if (!isAssignedTo(it, me)) continue;
      fresh.push({ item: it, json: JSON.stringify(it) });
      // A second copy of the same item in one batch finds this one's row.
      present.add(it.id);
    }
    this.insertFresh(fresh);
  }

  /**
   * Writes new rows for items in my set that this desk never decided (the server copy as the desk shows it),
   * as write() would one by one, and empties `fresh`.
   */
  private insertFresh(fresh: { item: Item; json: string }[]): void {
    if (fresh.length === 0) return;
    const held = new Map<string, number>();
    let at = 0;
    for (; at + INSERT_ROWS <= fresh.length; at += INSERT_ROWS) {
      const chunk = fresh.slice(at, at + INSERT_ROWS);
      const rows = chunk.map(({ item }) => rowValues(item, 'none', item.version));
      const written = this.stmts.insertNew.run(rows.flat());
      this.stmts.insertNewBodies.run(chunk.flatMap(({ item, json }) => [item.id, json]));
      // A table without AUTOINCREMENT gives each new row max(rowid) + 1, so the chunk's rows are the last ones.
      const firstRowid = Number(written.lastInsertRowid) - chunk.length + 1;
      rows.forEach((row, k) => this.freshRowWritten(row, firstRowid + k, held));
    }
    for (; at < fresh.length; at++) {
      const { item, json } = fresh[at];
      const row = rowValues(item, 'none', item.version);
      const written = this.stmts.insert.run(row);
      this.stmts.insertBody.run(item.id, '', json);
      this.freshRowWritten(row, Number(written.lastInsertRowid), held);
    }
    for (const [assignee, n] of held) this.stmts.adjustTriageCount.run(assignee, n);
    fresh.length = 0;
  }

  /** The tallies and the title index after a new row; its triage count in `held` (moved once per batch). */
  private freshRowWritten(row: RowValues, rowid: number, held: Map<string, number>): void {
    const after = factsOf(row);
    if (after.held_by !== null) held.set(after.held_by, (held.get(after.held_by) ?? 0) + 1);
    this.pages.rowChanged(null, after);
    this.pages.titleRowChanged(rowid, null, after.title_lc);
  }

  /**
   * Why items recently left (newest DEPARTURES_KEPT, in memory): a refused decision or a vanished focused
   * item can then say "reassigned" rather than "not found" after the row itself is gone.
   */
  private readonly departed = new Map<string, ItemDeparture>();
  departure(itemId: string): ItemDeparture | null {
    return this.departed.get(itemId) ?? null;
  }
  private noteDeparture(itemId: string, departure: ItemDeparture): void {
    this.departed.delete(itemId);
    this.departed.set(itemId, departure);
    if (this.departed.size > DEPARTURES_KEPT) this.departed.delete(this.departed.keys().next().value as string);
  }

  /** The server says the item left my assigned set; keep it only while this desk has decisions on it. */
  markRemoved(itemId: string, reason: RemovalReason, serverItem: Item | null | undefined): void {
    const row = this.stmts.get.get(itemId);
    if (!row) return;
    if (serverItem) {
      this.putServerCopy(serverItem);
    } else {
      // No copy came with the removal: the item is no longer mine, whatever my stale copy says.
      const server = JSON.parse(row.server_json) as Item;
      const status = REMOVED_STATUS[reason] ?? server.status;
      this.recomputeWith({ ...server, assigneeId: null, status }, JSON.stringify({ ...server, assigneeId: null, status }), row);
    }
    // The server's reason beats the one recomputing guessed from the copy.
    this.noteDeparture(itemId, departureFromRemoval(reason));
    const left = this.stmts.get.get(itemId);
    if (!left) return;
    if (this.outbox.hasAnyDecision(itemId)) return;
    this.deleteRow(itemId, left);
  }

  /**
   * A pull `reset`: drop every item this desk never decided. Decided ones are kept for their history but
   * no longer count as mine: the reset snapshot that follows re-adds exactly those still assigned, so an
   * item reassigned while this desk was away cannot linger in triage.
   */
  resetServerCopy(): void {
    this.stmts.deleteUndecided.run();
    this.stmts.deleteOrphanBodies.run();
    this.rebuildTriageCounts();
    this.pages.forgetTotals();
    this.pages.forgetTitles();
    for (const { id } of this.stmts.keptInTriage.all()) {
      const row = this.stmts.get.get(id);
      if (!row) continue;
      const server = JSON.parse(row.server_json) as Item;
      const released: Item = { ...server, assigneeId: null, status: 'open' };
      this.recomputeWith(released, JSON.stringify(released), row);
    }
  }

  /**
   * Visible item = server copy + unsettled local mutations; local state from the outbox and inbox.
   * `known`: the server copy the caller just read in this transaction (saves reading and parsing it again).
   */
  recompute(itemId: string, known?: { serverItem: Item; serverJson: string; prior: PriorRow }): void {
    if (known) {
      this.recomputeWith(known.serverItem, known.serverJson, known.prior);
      return;
    }
    const row = this.stmts.get.get(itemId);
    if (!row) return;
    this.recomputeWith(JSON.parse(row.server_json) as Item, row.server_json, row);
  }

  /**
   * `prior`: the row as it is (null when there is none), for the running triage count.
   * `noHistory`: the caller checked that this desk has no decision or conflict on the item (bulk pulls).
   */
  private recomputeWith(server: Item, serverJson: string, prior: PriorRow | null, noHistory = false): void {
    const me = this.me();
    const unsettled = noHistory ? [] : this.outbox.unsettledFor(server.id);
    let visible = server;
    if (unsettled.length > 0) {
      const queues = this.queueMap();
      for (const m of unsettled) visible = applyMutationToItem(visible, m, { userId: me ?? '', now: m.at, queues });
    }
    let localState: LocalState = 'none';
    if (noHistory) localState = 'none';
    else if (this.outbox.hasOpenConflict(server.id)) localState = 'conflict';
    else if (unsettled.length > 0) localState = 'pending';
    else if (this.outbox.hasAnyDecision(server.id)) localState = 'synced';
    const mine = isAssignedTo(server, me);
    if (localState === 'none' && !mine) {
      if (prior) {
        if (me) this.noteDeparture(server.id, departureOf(server, me) ?? 'gone');
        this.deleteRow(server.id, prior);
      }
      return;
    }
    this.write(visible, localState, serverJson, server.version, prior, visible === server ? serverJson : undefined);
  }

  private deleteRow(id: string, prior: PriorRow): void {
    this.stmts.delete.run(id);
    this.stmts.deleteBody.run(id);
    if (prior.held_by !== null) this.stmts.adjustTriageCount.run(prior.held_by, -1);
    this.pages.rowChanged(prior, null);
    this.pages.titleRowChanged(prior.row_id, prior.title_lc, null);
  }

  private write(visible: Item, localState: LocalState, serverJson: string, serverVersion: number, prior: PriorRow | null, visibleJson?: string): void {
    const row = rowValues(visible, localState, serverVersion);
    const after = factsOf(row);
    const written = this.stmts.insert.run(row);
    // The JSON is stored once when the desk shows the server's copy unchanged (most items: half the bytes a
    // pull page writes); only an item with unsettled decisions keeps its own visible copy.
    this.stmts.insertBody.run(visible.id, visibleJson === serverJson ? '' : (visibleJson ?? JSON.stringify(visible)), serverJson);
    // The running triage count moves only when the row changes whose set it is in (same transaction).
    const heldBy = after.held_by;
    const before = prior?.held_by ?? null;
    if (heldBy !== before) {
      if (before !== null) this.stmts.adjustTriageCount.run(before, -1);
      if (heldBy !== null) this.stmts.adjustTriageCount.run(heldBy, 1);
    }
    this.pages.rowChanged(prior, after);
    // An upsert keeps its row's rowid; a new row's is the one just inserted.
    this.pages.titleRowChanged(prior ? prior.row_id : Number(written.lastInsertRowid), prior?.title_lc ?? null, after.title_lc);
  }

  // ---------- triage navigation (assigned set, SLA due order) ----------
  /** My triage items whose lease ends before `beforeMs` (soonest first): what a sync renews. */
  leasesEndingBefore(beforeMs: number, limit: number): string[] {
    const me = this.me();
    return me ? this.stmts.leasesEndingBefore.all(me, beforeMs, limit).map((r) => r.id) : [];
  }

  /** How many of my triage leases are still running at `nowMs` but end by `untilMs` (the offline warning). */
  leasesEndingCount(nowMs: number, untilMs: number): number {
    const me = this.me();
    return me ? this.stmts.leasesEndingCount.get(me, nowMs, untilMs)!.n : 0;
  }

  /** How many items are in my assigned set: the running count, O(1) whatever the size of the cache. */
  triageCount(): number {
    const me = this.me();
    return me ? (this.stmts.triageCount.get(me)?.n ?? 0) : 0;
  }
  /** The same figure counted from the rows (tests compare it with the running count). */
  recountTriage(): number {
    const me = this.me();
    return me ? this.stmts.recountTriage.get(me)!.n : 0;
  }
  /** Rebuilds every running triage count from the rows (after a repair; migration 8 does the same). */
  rebuildTriageCounts(): void {
    this.stmts.clearTriageCounts.run();
    this.stmts.fillTriageCounts.run();
  }
  /** In my assigned set: the same test the indexed columns (assignee_id, in_triage) are written from. */
  isInTriage(visible: Item): boolean {
    return isAssignedTo(visible, this.me());
  }
  /** The neighbour of `fromItemId` in triage order; wraps to the first when `wrap` and none follows. */
  neighbour(fromItemId: string | null, direction: 'next' | 'prev', wrap: boolean): string | null {
    const me = this.me();
    if (!me) return null;
    const pos = fromItemId ? this.stmts.position.get(fromItemId) : undefined;
    if (!pos) return (direction === 'next' ? this.stmts.triageFirst.get(me) : this.stmts.triageLast.get(me))?.id ?? null;
    const hit = direction === 'next'
      ? this.stmts.triageAfter.get(me, pos.sla_due_ms, pos.id)
      : this.stmts.triageBefore.get(me, pos.sla_due_ms, pos.id);
    if (hit) return hit.id;
    if (!wrap) return null;
    const other = (direction === 'next' ? this.stmts.triageFirst.get(me) : this.stmts.triageLast.get(me))?.id ?? null;
    return other === fromItemId ? null : other;
  }

  /**
   * The look-ahead window around `around` in triage order (no wrap), and its place in the set. An item
   * that left the set still has its row while decided here, so its neighbours are those of its old place.
   */
  window(around: string | null, ahead: number, behind: number): { ahead: string[]; behind: string[]; position: number | null; total: number } {
    const me = this.me();
    if (!me) return { ahead: [], behind: [], position: null, total: 0 };
    const pos = around ? this.stmts.position.get(around) : undefined;
    const total = this.triageCount();
    if (!pos) return { ahead: ahead ? this.stmts.triageFirstN.all(me, ahead).map((r) => r.id).filter((id) => id !== around) : [], behind: [], position: null, total };
    const row = this.get(pos.id);
    const inSet = !!row && this.isInTriage(row.item);
    return {
      ahead: ahead ? this.stmts.triageAfterN.all(me, pos.sla_due_ms, pos.id, ahead).map((r) => r.id) : [],
      behind: behind ? this.stmts.triageBeforeN.all(me, pos.sla_due_ms, pos.id, behind).map((r) => r.id) : [],
      position: inSet ? this.stmts.triageRank.get(me, pos.sla_due_ms, pos.id)!.n : null,
      total,
    };
  }

  // ---------- queue page ----------
  page(input: PageInput): { total: number; rows: QueueRow[] } {
    const queues = this.queueMap();
    return this.pages.page({ ...input, me: this.me() }, (id) => queues.get(id)?.name ?? id);
  }

  /** Extends the queue's trigram index of titles over up to `budget` more rows; 0 when it covers them all. */
  indexTitles(budget: number): number {
    return this.pages.indexTitles(budget);
  }

  /** Rows the trigram index of titles does not cover yet (an upper bound). */
  titlesBehind(): number {
    return this.pages.titlesBehind();
  }
}

/** An items row's values in ITEM_COLUMNS order: the indexed columns of the item as the desk shows it. */
type RowValues = [id: string, queueId: string, cls: string, status: string, assigneeId: string | null, slaDueMs: number, enqueuedMs: number,
  slaDueAt: string, enqueuedAt: string, confidence: number | null, title: string, titleLc: string, localState: LocalState, inTriage: 0 | 1,
  serverVersion: number, leaseExpiresMs: number | null];

function rowValues(visible: Item, localState: LocalState, serverVersion: number): RowValues {
  return [visible.id, visible.queueId, visible.exceptionClass, visible.status, visible.assigneeId, Date.parse(visible.slaDueAt),
    Date.parse(visible.enqueuedAt), visible.slaDueAt, visible.enqueuedAt, visible.confidence, visible.title, visible.title.toLowerCase(),
    localState, holdsAssignment(visible.status) ? 1 : 0, serverVersion,
    visible.leaseExpiresAt === null ? null : Date.parse(visible.leaseExpiresAt)];
}

/** What the tallies read of a row (held_by: whose triage set it is in). */
function factsOf(row: RowValues): RowFacts {
  return { class: row[2], queue_id: row[1], status: row[3], local_state: row[12], title_lc: row[11], held_by: row[13] === 1 ? row[4] : null };
}
