// The last answer of each operations view (table ops_answers), so the figures stay readable offline.
// Keyed by user, server (its stable serverId; its URL only when it reports none), method and input: another
// user or another server on the same cache never reads them, the same server on a new port does, and a view
// asked with other filters keeps its own answer. Small by construction: oldest rows beyond
// MAX_OPS_ANSWERS_PER_USER are dropped on each write.
import type { Db } from './cache-db';

export const MAX_OPS_ANSWERS_PER_USER = 200;

export interface StoredOpsAnswer {
  json: string;
  computedAt: string;
  fetchedAt: string;
}

export class OpsAnswersRepo {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      get: db.prepare<[string], { json: string; computed_at: string; fetched_at: string }>(
        'SELECT json, computed_at, fetched_at FROM ops_answers WHERE key = ?'),
      put: db.prepare(`INSERT INTO ops_answers (key, user_id, server_key, method, json, computed_at, fetched_at, fetched_ms)
        VALUES (@key, @user_id, @server_key, @method, @json, @computed_at, @fetched_at, @fetched_ms)
        ON CONFLICT(key) DO UPDATE SET json = excluded.json, computed_at = excluded.computed_at,
          fetched_at = excluded.fetched_at, fetched_ms = excluded.fetched_ms`),
      prune: db.prepare(`DELETE FROM ops_answers WHERE user_id = ? AND key NOT IN
        (SELECT key FROM ops_answers WHERE user_id = ? ORDER BY fetched_ms DESC LIMIT ${MAX_OPS_ANSWERS_PER_USER})`),
      count: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM ops_answers WHERE user_id = ?'),
    };
  }

  get(key: OpsAnswerKey): StoredOpsAnswer | null {
    const row = this.stmts.get.get(keyString(key));
    return row ? { json: row.json, computedAt: row.computed_at, fetchedAt: row.fetched_at } : null;
  }

  put(key: OpsAnswerKey, answer: StoredOpsAnswer & { fetchedMs: number }): void {
    this.stmts.put.run({
      key: keyString(key), user_id: key.userId, server_key: serverKey(key.server), method: key.method,
      json: answer.json, computed_at: answer.computedAt, fetched_at: answer.fetchedAt, fetched_ms: answer.fetchedMs,
    });
    this.stmts.prune.run(key.userId, key.userId);
  }

  count(userId: string): number {
    return this.stmts.count.get(userId)!.n;
  }
}

export interface OpsAnswerKey {
  userId: string;
  /** The server's stable identity; its URL only when it reports no serverId. */
  server: { serverId: string | null; serverUrl: string };
  method: string;
  input: unknown;
}

function keyString(k: OpsAnswerKey): string {
  return JSON.stringify([k.userId, serverKey(k.server), k.method, canonical(k.input)]);
}

function serverKey(s: OpsAnswerKey['server']): string {
  return s.serverId ? `id:${s.serverId}` : `url:${s.serverUrl.replace(/\/+$/, '').toLowerCase()}`;
}

/** JSON-ready copy with object keys sorted, so `{a,b}` and `{b,a}` name the same answer. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  }
  return v;
}
