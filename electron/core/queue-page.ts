// Queue pages over the cached items (DESIGN §10: filter and sort on 100k rows well under 100 ms).
// The total comes first (cached per filter until the cache changes) and picks the plan:
//  - nothing matches, or the page starts past the end: no page query at all;
//  - no filter: the sort index, stopping after offset + limit rows;
//  - a filter: walk the sort index over a bounded prefix (3x the rows the match rate says it needs); if
//    the matches were bunched further on and the page is not full, or the prefix would be a large part
//    of the table anyway (rare status or title term, deep pages), read the table once and keep the top
//    offset + limit rows: never a walk of the whole index with a table lookup for every row.
// Text is a substring of the lower-cased title, checked with instr().
// A trigram FTS5 index was tried and dropped: FTS5 flushes its pending terms at every statement
// savepoint, so keeping it in step with item upserts turned each pull page into ~1,000 tiny segments
// and nearly doubled the time to apply 100k items (see README).
import type Database from 'better-sqlite3';
import type { LocalState, QueuePageInput, QueueRow } from '../../shared/desk-api';
import type { Item } from '../../shared/domain';
import type { Db } from './cache-db';

export type PageInput = Required<Pick<QueuePageInput, 'offset' | 'limit'>> & {
  filter: NonNullable<QueuePageInput['filter']>;
  sort: NonNullable<QueuePageInput['sort']>;
  /** With `filter.openOnly`: whose triage set (the signed-in reviewer; null matches nothing). */
  me?: string | null;
};

interface PageRow {
  id: string; title: string; class: Item['exceptionClass']; queue_id: string; confidence: number | null;
  sla_due_at: string; enqueued_at: string; status: Item['status']; local_state: LocalState;
}

/** The walk looks at this many times the rows it should need if matches were spread evenly. */
const WALK_MARGIN = 3;
/** Walking more than this share of the table (a lookup per row) costs more than reading it once. */
const SCAN_SHARE = 0.25;
const COLUMNS = 'id, title, class, queue_id, confidence, sla_due_at, enqueued_at, status, local_state';

export class QueuePageQuery {
  private readonly totals = new Map<string, { version: number; total: number }>();
  private rows: { version: number; n: number } | null = null;
  private readonly stmtCache = new Map<string, Database.Statement<unknown[]>>();

  constructor(private readonly db: Db) {}

  /** `version` changes whenever items change (ItemsRepo.dataVersion): cached totals are then stale. */
  page(input: PageInput, version: number, queueName: (queueId: string) => string): { total: number; rows: QueueRow[] } {
    const q = this.plan(input, version);
    let rows: PageRow[] = [];
    if (q.walk) {
      rows = this.prepared(q.walk.sql).all(...q.walk.params) as PageRow[];
      // The budget ran out before the page was full (matches bunched further on): read the table instead.
      if (rows.length < input.limit && q.offset + rows.length < q.total) rows = [];
      else q.sql = null;
    }
    if (q.sql) rows = this.prepared(q.sql).all(...q.params) as PageRow[];
    return {
      total: q.total,
      rows: rows.map((r) => ({
        id: r.id, title: r.title, exceptionClass: r.class, queueId: r.queue_id, queueName: queueName(r.queue_id),
        confidence: r.confidence, slaDueAt: r.sla_due_at, enqueuedAt: r.enqueued_at, status: r.status, localState: r.local_state,
      })),
    };
  }

  /** How a page would be read: the chosen order and SQLite's query plan (for tests and diagnosis). */
  explain(input: PageInput, version: number): { total: number; order: 'index' | 'walk' | 'sort' | 'none'; plan: string[] } {
    const q = this.plan(input, version);
    const sql = q.walk?.sql ?? q.sql;
    const params = q.walk?.params ?? q.params;
    const plan = sql ? (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail) : [];
    return { total: q.total, order: q.walk ? 'walk' : q.order, plan };
  }

  private plan(input: PageInput, version: number): {
    total: number; offset: number; order: 'index' | 'sort' | 'none'; sql: string | null; params: unknown[];
    walk: { sql: string; params: unknown[] } | null;
  } {
    const f = input.filter;
    const where: string[] = [];
    const params: unknown[] = [];
    const inList = (col: string, vals: readonly string[] | undefined) => {
      if (!vals || vals.length === 0) return;
      where.push(`${col} IN (${vals.map(() => '?').join(',')})`);
      params.push(...vals);
    };
    inList('class', f.classes);
    inList('queue_id', f.queueIds);
    inList('status', f.statuses);
    inList('local_state', f.localStates);
    if (f.openOnly) {
      // The triage set, as ItemsRepo's triage statements read it (the items_triage index).
      where.push('assignee_id = ? AND in_triage = 1');
      params.push(input.me ?? '');
    }
    const term = f.text?.trim().toLowerCase() ?? '';
    if (term) {
      where.push('instr(title_lc, ?) > 0');
      params.push(term);
    }
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';

    const tableRows = this.tableRows(version);
    const total = this.total(version, `${whereSql}|${JSON.stringify(params)}`, () => this.count(`SELECT COUNT(*) AS n FROM items ${whereSql}`, params));
    const offset = input.offset;
    if (total === 0 || offset >= total) return { total, offset, order: 'none', sql: null, params: [], walk: null };

    const col = input.sort.by === 'slaDue' ? 'sla_due_ms' : input.sort.by === 'confidence' ? 'confidence' : 'enqueued_ms';
    // "age" ascending means youngest first, i.e. latest enqueue first.
    const asc = input.sort.by === 'age' ? input.sort.dir === 'desc' : input.sort.dir === 'asc';
    const dir = asc ? 'ASC' : 'DESC';
    const nulls = input.sort.by === 'confidence' ? ' NULLS LAST' : '';
    const orderBy = (key: string) => `ORDER BY ${key} ${dir}${nulls}, id ${dir}`;
    const pageParams = [...params, input.limit, offset];
    if (where.length === 0) {
      return { total, offset, order: 'index', sql: `SELECT ${COLUMNS} FROM items ${orderBy(col)} LIMIT ? OFFSET ?`, params: pageParams, walk: null };
    }
    // Unary + keeps the planner off the sort index: read the matching rows once, keep the top offset + limit.
    const sort = { total, offset, order: 'sort' as const, sql: `SELECT ${COLUMNS} FROM items ${whereSql} ${orderBy(`+${col}`)} LIMIT ? OFFSET ?`, params: pageParams };
    // Rows the sort index walk should visit to see offset + limit matches, with a margin for uneven spread.
    const share = total / Math.max(1, tableRows);
    const budget = Math.ceil(((offset + input.limit) / share) * WALK_MARGIN) + 100;
    if (budget >= tableRows * SCAN_SHARE) return { ...sort, walk: null };
    // A bounded walk: only the first `budget` rows in sort order are looked at; if they hold the page, it
    // is exactly the page (they are a prefix of the full order).
    const walk = {
      sql: `SELECT ${COLUMNS} FROM (SELECT ${COLUMNS}, title_lc${col === 'confidence' ? '' : `, ${col}`} FROM items ${orderBy(col)} LIMIT ?) ${whereSql} ${orderBy(col)} LIMIT ? OFFSET ?`,
      params: [budget, ...pageParams],
    };
    return { ...sort, walk };
  }

  private total(version: number, key: string, count: () => number): number {
    const hit = this.totals.get(key);
    if (hit && hit.version === version) return hit.total;
    const total = count();
    if (this.totals.size > 200) this.totals.clear();
    this.totals.set(key, { version, total });
    return total;
  }

  private tableRows(version: number): number {
    if (this.rows?.version !== version) this.rows = { version, n: this.count('SELECT COUNT(*) AS n FROM items', []) };
    return this.rows.n;
  }

  private count(sql: string, params: unknown[]): number {
    return (this.prepared(sql).get(...params) as { n: number }).n;
  }

  private prepared(sql: string): Database.Statement<unknown[]> {
    let s = this.stmtCache.get(sql);
    if (!s) {
      s = this.db.prepare<unknown[]>(sql);
      if (this.stmtCache.size > 500) this.stmtCache.clear();
      this.stmtCache.set(sql, s);
    }
    return s;
  }
}
