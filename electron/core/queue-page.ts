// Queue pages over the cached items (DESIGN §10: filter and sort on 100k rows well under 100 ms).
// The total comes first and picks the plan. Totals are running tallies (issue 15 gap 3): a filter's
// total is counted once, then every write to items moves it by what that row did (matched before,
// matches after), so a decision or a pull page never sends the next page back to a full count. The
// tallies live in a TEMP table written in the writer's transaction: a rolled-back write rolls them back.
//  - nothing matches, or the page starts past the end: no page query at all;
//  - no filter: the sort index, stopping after offset + limit rows;
//  - a filter: walk the sort index over a bounded prefix (3x the rows the match rate says it needs); if
//    the matches were bunched further on and the page is not full, walk a prefix 4x as long, and so on;
//    once the prefix would be a large part of the table (rare status or title term, deep pages), read the
//    matching rows once (through the trigram index for a term) and keep the top offset + limit rows:
//    never a walk of the whole index with a table lookup for every row.
// Text is a substring of the lower-cased title, checked with instr() on every row a page returns or counts.
// A term of 3 or more characters first narrows the rows with the trigram index of titles (migration 9):
// the rows holding all of its trigrams, plus the rows the index does not cover yet (rowid past
// title_index.through_rowid), then the same instr() test. The index is not written by pull pages on
// their way in (an earlier trigger-kept index nearly doubled the time to apply 100k items, see README):
// indexTitles() extends it between keypresses, and titleRowChanged() keeps the rows it covers exact.
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

/** What the tallies need of an items row, before or after a write. */
export interface RowFacts {
  class: string; queue_id: string; status: string; local_state: string; title_lc: string;
  /** assignee_id when in_triage = 1, else null: whose triage set the row is in. */
  held_by: string | null;
}

/** Filters whose totals are kept running (oldest dropped first); each costs a test per write. */
const MAINTAINED_TOTALS = 32;
/** The key of the table's own row count (no filter). */
const ALL_ROWS = '|[]';

interface PageRow {
  id: string; title: string; class: Item['exceptionClass']; queue_id: string; confidence: number | null;
  sla_due_at: string; enqueued_at: string; status: Item['status']; local_state: LocalState;
}

/** The walk looks at this many times the rows it should need if matches were spread evenly. */
const WALK_MARGIN = 3;
/** A walk that came up short is tried again over a prefix this many times as long. */
const WALK_GROWTH = 4;
/** Walking more than this share of the table (a lookup per row) costs more than reading it once. */
const SCAN_SHARE = 0.25;
const COLUMNS = 'id, title, class, queue_id, confidence, sla_due_at, enqueued_at, status, local_state';
/** What the bounded walk's inner read carries: the page's columns and every column a filter tests. */
const WALK_COLUMNS = `${COLUMNS}, title_lc, assignee_id, in_triage`;
/** An open-work page of several classes in SLA order reads each class's first offset + limit rows while that is at most this. */
const CLASS_MERGE_MAX_ROWS = 2_000;
/** The trigram index is used while the rows it does not cover yet are at most this share of the table. */
const TITLE_TAIL_SHARE = 0.2;

/** The trigram query for a term: all of its distinct trigrams (a superset of the rows holding the term). */
export function trigramQuery(term: string): string | null {
  const chars = Array.from(term);
  if (chars.length < 3) return null;
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) grams.add(chars.slice(i, i + 3).join(''));
  return [...grams].map((g) => `"${g.replaceAll('"', '""')}"`).join(' AND ');
}

/** A row's group for temp.page_groups: its columns in table order, and a key to compare two groups by. */
function groupOf(r: RowFacts): { key: string; cols: [string, string, string, string, number, string] } {
  const inSet = r.held_by === null ? 0 : 1;
  const heldBy = r.held_by ?? '';
  return { key: `${r.class}\u0001${r.queue_id}\u0001${r.status}\u0001${r.local_state}\u0001${inSet}\u0001${heldBy}`, cols: [r.class, r.queue_id, r.status, r.local_state, inSet, heldBy] };
}

export class QueuePageQuery {
  /** The filters whose totals are kept, by key, with the same test the SQL makes, in JS. */
  private readonly matchers = new Map<string, (r: RowFacts) => boolean>();
  private readonly stmtCache = new Map<string, Database.Statement<unknown[]>>();
  private readonly tally;
  private readonly titles;
  private readonly groups;
  /** Whether temp.page_groups holds the running count of every group (filled on the first total it serves). */
  private groupsLive = false;
  /** At least title_index.through_rowid (a reset lowers the stored one in its transaction; a rollback may undo
   * that): rows past it are never in the trigram index, so their writes need no look at it. */
  private titlesThroughAtMost = Number.MAX_SAFE_INTEGER;

  /** `titleIndex: false` reads every title for a text term, `groupTotals: false` counts a filter's rows once
   * and keeps that total running instead of summing groups (the benches' A/B of each). */
  constructor(private readonly db: Db, private readonly opts: { titleIndex?: boolean; groupTotals?: boolean } = {}) {
    db.exec('CREATE TEMP TABLE IF NOT EXISTS page_totals (key TEXT PRIMARY KEY, n INTEGER NOT NULL)');
    this.tally = {
      get: db.prepare<[string], { n: number }>('SELECT n FROM temp.page_totals WHERE key = ?'),
      set: db.prepare('INSERT OR REPLACE INTO temp.page_totals (key, n) VALUES (?, ?)'),
      add: db.prepare('UPDATE temp.page_totals SET n = n + ? WHERE key = ?'),
      drop: db.prepare('DELETE FROM temp.page_totals WHERE key = ?'),
      clear: db.prepare('DELETE FROM temp.page_totals'),
    };
    // Rows per (class, queue, status, local state, whose triage set): any filter without a text term is a sum
    // over these few groups, kept running by every write like the totals (TEMP: a rollback rolls it back).
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS page_groups (class TEXT NOT NULL, queue_id TEXT NOT NULL, status TEXT NOT NULL,
      local_state TEXT NOT NULL, in_set INTEGER NOT NULL, held_by TEXT NOT NULL, n INTEGER NOT NULL,
      PRIMARY KEY (class, queue_id, status, local_state, in_set, held_by)) WITHOUT ROWID`);
    this.groups = {
      clear: db.prepare('DELETE FROM temp.page_groups'),
      fill: db.prepare(`INSERT INTO temp.page_groups (class, queue_id, status, local_state, in_set, held_by, n)
        SELECT class, queue_id, status, local_state, in_triage = 1 AND assignee_id IS NOT NULL, CASE WHEN in_triage = 1 THEN coalesce(assignee_id, '') ELSE '' END, COUNT(*)
        FROM items GROUP BY 1, 2, 3, 4, 5, 6`),
      bump: db.prepare(`INSERT INTO temp.page_groups (class, queue_id, status, local_state, in_set, held_by, n) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT DO UPDATE SET n = n + excluded.n`),
    };
    this.titles = {
      through: db.prepare<[], { n: number }>('SELECT through_rowid AS n FROM title_index WHERE id = 1'),
      setThrough: db.prepare('UPDATE title_index SET through_rowid = ? WHERE id = 1'),
      lastRow: db.prepare<[], { n: number | null }>('SELECT max(rowid) AS n FROM items'),
      add: db.prepare('INSERT INTO items_title_trigrams (rowid, title_lc) VALUES (?, ?)'),
      remove: db.prepare('DELETE FROM items_title_trigrams WHERE rowid = ?'),
      clear: db.prepare("INSERT INTO items_title_trigrams (items_title_trigrams) VALUES ('delete-all')"),
      extend: db.prepare('INSERT INTO items_title_trigrams (rowid, title_lc) SELECT rowid, title_lc FROM items WHERE rowid > ? ORDER BY rowid LIMIT ?'),
      lastOf: db.prepare<[number, number], { n: number | null }>('SELECT max(rowid) AS n FROM (SELECT rowid FROM items WHERE rowid > ? ORDER BY rowid LIMIT ?)'),
    };
    this.titlesThroughAtMost = this.titles.through.get()?.n ?? 0;
  }

  /** In the writer's transaction: the items row `rowid` had title `before` and now has `after` (null: no row). */
  titleRowChanged(rowid: number, before: string | null, after: string | null): void {
    if (before === after || rowid > this.titlesThroughAtMost) return;
    if (rowid > (this.titles.through.get()?.n ?? 0)) return;
    if (before !== null) this.titles.remove.run(rowid);
    if (after !== null) this.titles.add.run(rowid, after);
  }

  /** In the writer's transaction: rows changed in bulk (a reset); the trigram index starts over. */
  forgetTitles(): void {
    this.titles.clear.run();
    this.titles.setThrough.run(0);
  }

  /**
   * Extends the trigram index over up to `budget` more rows (its own transaction; run between keypresses).
   * Returns how many rows it added: 0 when the index covers every row.
   */
  indexTitles(budget: number): number {
    let added = 0;
    let through = 0;
    this.db.transaction(() => {
      const from = this.titles.through.get()?.n ?? 0;
      const last = this.titles.lastOf.get(from, budget)?.n ?? null;
      if (last === null) return;
      added = this.titles.extend.run(from, budget).changes;
      this.titles.setThrough.run(last);
      through = last;
    })();
    if (added > 0) this.titlesThroughAtMost = Math.max(this.titlesThroughAtMost === Number.MAX_SAFE_INTEGER ? 0 : this.titlesThroughAtMost, through);
    return added;
  }

  /** How many rows the trigram index does not cover yet (an upper bound: rowids past its end). */
  titlesBehind(): number {
    return Math.max(0, (this.titles.lastRow.get()?.n ?? 0) - (this.titles.through.get()?.n ?? 0));
  }

  /** In the writer's transaction: a row of items went from `before` to `after` (null: no row). */
  rowChanged(before: RowFacts | null, after: RowFacts | null): void {
    if (this.groupsLive) {
      const from = before && groupOf(before);
      const to = after && groupOf(after);
      if (from?.key !== to?.key) {
        if (from) this.groups.bump.run(...from.cols, -1);
        if (to) this.groups.bump.run(...to.cols, 1);
      }
    }
    for (const [key, matches] of this.matchers) {
      const delta = (after && matches(after) ? 1 : 0) - (before && matches(before) ? 1 : 0);
      if (delta !== 0) this.tally.add.run(delta, key);
    }
  }

  /** In the writer's transaction: rows changed in bulk (a reset); every total is counted again when asked. */
  forgetTotals(): void {
    this.tally.clear.run();
    this.groups.clear.run();
    this.groupsLive = false;
  }

  /** A filter without a text term: the sum of the matching groups' running counts (filled on first use). */
  private groupTotal(groupWhere: string[], groupParams: unknown[]): number {
    if (!this.groupsLive) {
      this.db.transaction(() => {
        this.groups.clear.run();
        this.groups.fill.run();
      })();
      this.groupsLive = true;
    }
    const sql = `SELECT coalesce(sum(n), 0) AS n FROM temp.page_groups${groupWhere.length ? ` WHERE ${groupWhere.join(' AND ')}` : ''}`;
    return this.count(sql, groupParams);
  }

  page(input: PageInput, queueName: (queueId: string) => string): { total: number; rows: QueueRow[] } {
    const q = this.plan(input);
    let rows: PageRow[] = [];
    if (q.walk) {
      // The budget ran out before the page was full (matches bunched further on, e.g. behind the decided
      // items that lead the SLA order): a prefix 4x as long, until it would be a large part of the table.
      for (let budget = q.walk.budget; budget < q.walk.ceiling; budget *= WALK_GROWTH) {
        rows = this.prepared(q.walk.sql).all(budget, ...q.walk.params) as PageRow[];
        if (rows.length >= input.limit || q.offset + rows.length >= q.total) {
          q.sql = null;
          break;
        }
        rows = [];
      }
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
  explain(input: PageInput): { total: number; order: 'index' | 'walk' | 'sort' | 'none'; plan: string[] } {
    const q = this.plan(input);
    const sql = q.walk?.sql ?? q.sql;
    const params = q.walk ? [q.walk.budget, ...q.walk.params] : q.params;
    const plan = sql ? (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail) : [];
    return { total: q.total, order: q.walk ? 'walk' : q.order, plan };
  }

  private plan(input: PageInput): {
    total: number; offset: number; order: 'index' | 'sort' | 'none'; sql: string | null; params: unknown[];
    walk: { sql: string; params: unknown[]; budget: number; ceiling: number } | null;
  } {
    const f = input.filter;
    const where: string[] = [];
    const params: unknown[] = [];
    // Each condition twice: as SQL for the page, and as the same test in JS for the running total.
    const tests: ((r: RowFacts) => boolean)[] = [];
    // The same conditions over temp.page_groups, for a total without a text term.
    const groupWhere: string[] = [];
    const inList = (col: Exclude<keyof RowFacts, 'held_by'>, vals: readonly string[] | undefined) => {
      if (!vals || vals.length === 0) return;
      where.push(`${col} IN (${vals.map(() => '?').join(',')})`);
      groupWhere.push(where[where.length - 1]);
      params.push(...vals);
      const set = new Set<string>(vals);
      tests.push((r) => set.has(r[col]));
    };
    inList('class', f.classes);
    // The conditions other than the class, for the per-class reads of an open-work page (below).
    const classCount = f.classes?.length ?? 0;
    const whereFromClass = where.length;
    inList('queue_id', f.queueIds);
    inList('status', f.statuses);
    inList('local_state', f.localStates);
    if (f.openOnly) {
      // The triage set, as ItemsRepo's triage statements read it (the items_triage index).
      where.push('assignee_id = ? AND in_triage = 1');
      groupWhere.push('in_set = 1 AND held_by = ?');
      params.push(input.me ?? '');
      const me = input.me ?? '';
      tests.push((r) => r.held_by === me);
    }
    const term = f.text?.trim().toLowerCase() ?? '';
    if (term) {
      where.push('instr(title_lc, ?) > 0');
      params.push(term);
      tests.push((r) => r.title_lc.includes(term));
    }
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';

    const tableRows = this.total(ALL_ROWS, () => true, () => this.count('SELECT COUNT(*) AS n FROM items', []));
    // The trigram index narrows a term's rows first when it covers nearly all of them; instr() still decides.
    // The narrowed form serves counts and table reads; the key of the running total is the filter's meaning.
    let narrowSql = whereSql;
    let narrowParams = params;
    const grams = term && this.opts.titleIndex !== false ? trigramQuery(term) : null;
    if (grams) {
      const through = this.titles.through.get()?.n ?? 0;
      const behind = Math.max(0, (this.titles.lastRow.get()?.n ?? 0) - through);
      if (through > 0 && behind <= tableRows * TITLE_TAIL_SHARE) {
        narrowSql = `${whereSql} AND rowid IN (SELECT rowid FROM items_title_trigrams WHERE items_title_trigrams MATCH ? UNION ALL SELECT rowid FROM items WHERE rowid > ?)`;
        narrowParams = [...params, grams, through];
      }
    }
    const total = where.length === 0 ? tableRows
      : !term && this.opts.groupTotals !== false ? this.groupTotal(groupWhere, params)
        : this.total(`${whereSql}|${JSON.stringify(params)}`, (r) => tests.every((t) => t(r)), () => this.count(`SELECT COUNT(*) AS n FROM items ${narrowSql}`, narrowParams));
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
    // Open work in SLA order (the queue's default view): the triage index (assignee, in_triage, sla_due_ms, id)
    // is the set in that order, so the page stops after offset + limit matches; classes come in blocks of a
    // queue's items, so a walk of the whole table's SLA order could pass thousands of other classes' rows.
    if (f.openOnly && col === 'sla_due_ms' && narrowSql === whereSql) {
      // One class: items_triage_class holds it in that order (assignee, in_triage, class, sla_due_ms, id).
      // Several (not deep): the first offset + limit rows of each class from that index, merged; deep pages
      // walk items_triage, as with no class at all.
      if (classCount >= 2 && offset + input.limit <= CLASS_MERGE_MAX_ROWS) {
        const rest = where.slice(whereFromClass);
        const restParams = params.slice(classCount);
        const perClass = `SELECT * FROM (SELECT ${COLUMNS}, sla_due_ms FROM items WHERE class = ? AND ${rest.join(' AND ')} ${orderBy(col)} LIMIT ?)`;
        return {
          total, offset, order: 'index',
          sql: `SELECT ${COLUMNS} FROM (${f.classes!.map(() => perClass).join(' UNION ALL ')}) ${orderBy(col)} LIMIT ? OFFSET ?`,
          params: [...f.classes!.flatMap((c) => [c, ...restParams, offset + input.limit]), input.limit, offset],
          walk: null,
        };
      }
      return { total, offset, order: 'index', sql: `SELECT ${COLUMNS} FROM items ${whereSql} ${orderBy(col)} LIMIT ? OFFSET ?`, params: pageParams, walk: null };
    }
    // Unary + keeps the planner off the sort index: read the matching rows once, keep the top offset + limit.
    const sort = { total, offset, order: 'sort' as const, sql: `SELECT ${COLUMNS} FROM items ${narrowSql} ${orderBy(`+${col}`)} LIMIT ? OFFSET ?`,
      params: [...narrowParams, input.limit, offset] };
    // Rows the sort index walk should visit to see offset + limit matches, with a margin for uneven spread.
    const share = total / Math.max(1, tableRows);
    const budget = Math.ceil(((offset + input.limit) / share) * WALK_MARGIN) + 100;
    const ceiling = tableRows * SCAN_SHARE;
    if (budget >= ceiling) return { ...sort, walk: null };
    // Through the trigram index the read touches about the matching rows (total, or more when other
    // conditions narrow further); a walk touches at least `budget` rows, more if the matches are bunched.
    if (narrowSql !== whereSql && budget >= total) return { ...sort, walk: null };
    // A bounded walk: only the first `budget` rows in sort order are looked at; if they hold the page, it
    // is exactly the page (they are a prefix of the full order).
    const walk = {
      sql: `SELECT ${COLUMNS} FROM (SELECT ${WALK_COLUMNS}${col === 'confidence' ? '' : `, ${col}`} FROM items ${orderBy(col)} LIMIT ?) ${whereSql} ${orderBy(col)} LIMIT ? OFFSET ?`,
      params: pageParams, budget, ceiling,
    };
    return { ...sort, walk };
  }

  /** The running total of a filter; counted (and kept running from then on) the first time it is asked. */
  private total(key: string, matches: (r: RowFacts) => boolean, count: () => number): number {
    const hit = this.matchers.has(key) ? this.tally.get.get(key) : undefined;
    if (hit) return hit.n;
    const total = count();
    if (!this.matchers.has(key) && this.matchers.size >= MAINTAINED_TOTALS) {
      const oldest = this.matchers.keys().next().value!;
      this.matchers.delete(oldest);
      this.tally.drop.run(oldest);
    }
    this.matchers.set(key, matches);
    this.tally.set.run(key, total);
    return total;
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
