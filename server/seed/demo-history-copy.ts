// The demo history is lived on a scratch SQLite database in memory (the services need thousands of small
// reads and writes, cheap there and slow over a network to PostgreSQL), then its rows are copied as they
// are into the seeded database, inside the seed's transaction: items, leases, decisions, results, runs,
// corrections, the rollback, alerts and ops events verbatim; the event log and the change log through
// journal.ts (appendEvents, appendChanges), so the target numbers them itself, in the same order, and keeps
// its metric roll-ups exactly as live traffic does. Nothing is computed twice: every row is what the
// services wrote.
import type { Db } from '../db/connection';
import { openDatabase } from '../db/connection';
import { takeCommitOrderLock } from '../db/dialect';
import type { Database } from '../db/schema';
import { writeTransaction } from '../db/write-transaction';
import { appendChanges, appendEvents, type EventType } from '../services/journal';
import { upsertQueue } from '../services/queues';
import { createUser } from '../services/users';
import { seedDemoHistory, type HistorySummary } from './demo-history';
import { DEMO_QUEUES, DEMO_USERS } from './demo-queues';
import type { Rng } from './prng';

/** Tables copied verbatim, in foreign-key order (the logs with their own numbering are handled apart). */
const VERBATIM = ['items', 'item_epochs', 'clients', 'client_mutations', 'runs', 'corrections', 'rollbacks', 'rollback_items', 'alerts'] as const;
const POLICY_COLUMNS = ['labor_cost_per_hour', 'labor_currency', 'rollback_trigger', 'policy_updated_at', 'policy_updated_by'] as const;

type Rows = Record<string, Record<string, unknown>[]>;

export interface LivedHistory { summary: HistorySummary; rows: Rows }

const HOUR = 3_600_000;
let lived: { anchor: number; history: Promise<LivedHistory> } | null = null;

/**
 * Lives the history on a scratch in-memory database and returns every row it wrote. The history ends at the
 * hour `now` is in (so its last activity is 20 to 80 minutes old), and is lived once per process and hour:
 * several demo databases seeded in that hour (a test suite's servers) copy the same rows.
 */
export function liveDemoHistory(now: Date, rng: () => Rng): Promise<LivedHistory> {
  const anchor = Math.floor(now.getTime() / HOUR) * HOUR;
  if (lived?.anchor !== anchor) {
    const history = liveAt(new Date(anchor), rng());
    lived = { anchor, history };
    history.catch(() => { if (lived?.history === history) lived = null; });
  }
  return lived.history;
}

async function liveAt(now: Date, rng: Rng): Promise<LivedHistory> {
  const scratch = await openDatabase(':memory:');
  try {
    const summary = await writeTransaction(scratch.db, async (tx) => {
      for (const u of DEMO_USERS) await createUser(tx, u, now);
      for (const q of DEMO_QUEUES) await upsertQueue(tx, q, now);
      return seedDemoHistory(tx, now, rng);
    });
    const db = scratch.db;
    const rows: Rows = {};
    for (const t of VERBATIM) rows[t] = await db.selectFrom(t as keyof Database).selectAll().execute() as Record<string, unknown>[];
    rows.queues = await db.selectFrom('queues').select(['id', ...POLICY_COLUMNS]).execute();
    rows.item_events = await db.selectFrom('item_events').selectAll().orderBy('seq').execute();
    rows.change_log = await db.selectFrom('change_log').selectAll().orderBy('pos').execute();
    rows.decisions = await db.selectFrom('decisions').selectAll().orderBy('seq').execute();
    rows.ops_events = await db.selectFrom('ops_events').selectAll().orderBy('seq').execute();
    return { summary, rows };
  } finally {
    await scratch.close();
  }
}

const without = (r: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== key));

async function insertAll(tx: Db, table: string, rows: Record<string, unknown>[]): Promise<void> {
  const cols = rows.length > 0 ? Object.keys(rows[0]).length : 1;
  const chunk = Math.max(1, Math.floor(6000 / cols));
  for (let i = 0; i < rows.length; i += chunk) {
    await (tx as unknown as import('kysely').Kysely<Record<string, Record<string, unknown>>>).insertInto(table).values(rows.slice(i, i + chunk)).execute();
  }
}

/** Copies a lived history into the seed's transaction (users and queues already created there). */
export async function copyDemoHistory(tx: Db, h: LivedHistory): Promise<void> {
  for (const q of h.rows.queues) {
    await tx.updateTable('queues').set(without(q, 'id') as never).where('id', '=', q.id as string).execute();
  }
  for (const t of VERBATIM) await insertAll(tx, t, h.rows[t]);
  await appendEvents(tx, h.rows.item_events.map((e) => ({ itemId: e.item_id as string, type: e.type as EventType, actorId: e.actor_id as string | null,
    at: e.at as string, epoch: Number(e.assignment_epoch), payload: JSON.parse(e.payload as string) as Record<string, unknown> })));
  // The decisions feed and the change log are cursor logs: numbered in commit order (dialect.ts).
  await takeCommitOrderLock(tx);
  await appendChanges(tx, h.rows.change_log.map((c) => ({ userId: c.user_id as string, kind: c.kind as 'upsert', itemId: c.item_id as string | null,
    reason: c.reason as string | null, clientId: c.client_id as string | null, mutationId: c.mutation_id === null ? null : Number(c.mutation_id), at: c.at as string })));
  await insertAll(tx, 'decisions', h.rows.decisions.map((d) => without(d, 'seq')));
  await insertAll(tx, 'ops_events', h.rows.ops_events.map((o) => without(o, 'seq')));
}
