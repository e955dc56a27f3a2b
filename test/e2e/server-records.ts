// What the reference server recorded, read straight from its SQLite file (WAL lets a reader in beside
// the running server): the e2e tests check outcomes and labor where they land, not in the desk.
import { openReadonly } from '../helpers/db-snapshot';

export interface ServerEvent {
  itemId: string;
  type: string;
  actorId: string | null;
  payload: Record<string, unknown> & { labor?: { activeMs: number; wallMs: number; segments: number } | null };
}

export function serverEvents(dbFile: string, itemIds: string[], types?: string[]): ServerEvent[] {
  const db = openReadonly(dbFile);
  try {
    const rows = db
      .prepare(`SELECT item_id, type, actor_id, payload FROM item_events WHERE item_id IN (SELECT value FROM json_each(?)) ORDER BY seq`)
      .all(JSON.stringify(itemIds)) as { item_id: string; type: string; actor_id: string | null; payload: string }[];
    return rows
      .map((r) => ({ itemId: r.item_id, type: r.type, actorId: r.actor_id, payload: JSON.parse(r.payload) as ServerEvent['payload'] }))
      .filter((e) => !types || types.includes(e.type));
  } finally {
    db.close();
  }
}

export function serverItem(dbFile: string, itemId: string): { status: string; assignee_id: string | null; outcome: unknown } | undefined {
  const db = openReadonly(dbFile);
  try {
    const row = db.prepare(`SELECT status, assignee_id, outcome FROM items WHERE id = ?`).get(itemId) as
      { status: string; assignee_id: string | null; outcome: string | null } | undefined;
    return row && { ...row, outcome: row.outcome ? JSON.parse(row.outcome) : null };
  } finally {
    db.close();
  }
}
