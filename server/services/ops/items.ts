// The items behind a figure, read-only (GET /v1/items): a supervisor reads any, an owner the items of the
// queues they own. Items outside the caller's paths answer exactly like unknown ids (`missing`), so the
// answer never tells which ids exist elsewhere. Each item comes with its event log in words.
import type { z } from 'zod';
import { OUTCOME_KINDS, type OutcomeKind } from '../../../shared/domain';
import { MAX_ITEM_HISTORY, type ItemHistoryEntry, type ItemsReadQuery, type ItemsReadResponse } from '../../../shared/ops-api';
import { itemFromRow } from '../../db/rows';
import type { AuthUser, ServerContext } from '../context';
import { opsScope } from './scope';

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const outcomeOf = (v: unknown): OutcomeKind | null => ((OUTCOME_KINDS as readonly unknown[]).includes(v) ? (v as OutcomeKind) : null);

export async function readItems(ctx: ServerContext, user: AuthUser, q: z.output<typeof ItemsReadQuery>): Promise<ItemsReadResponse> {
  const scope = await opsScope(ctx.db, user);
  const rows = (await ctx.db.selectFrom('items').selectAll().where('id', 'in', q.ids).execute()).filter((r) => scope.queueIds.has(r.queue_id));
  const found = new Set(rows.map((r) => r.id));
  const history = new Map<string, ItemHistoryEntry[]>();
  if (rows.length > 0) {
    const events = await ctx.db.selectFrom('item_events').select(['item_id', 'type', 'actor_id', 'at', 'payload'])
      .where('item_id', 'in', [...found]).where('type', '!=', 'labor').orderBy('seq').execute();
    for (const e of events) {
      const p = JSON.parse(e.payload) as Record<string, unknown>;
      const list = history.get(e.item_id) ?? [];
      history.set(e.item_id, list);
      list.push({ type: e.type, actorId: e.actor_id, at: e.at, outcome: outcomeOf(p.kind), reasonCode: str(p.reasonCode), comment: str(p.comment) ?? str(p.text) });
    }
  }
  const byId = new Map(rows.map((r) => [r.id, r]));
  return {
    // In the order asked; the newest history when an item has more than the answer carries.
    items: q.ids.filter((id) => found.has(id)).map((id) => ({ item: itemFromRow(byId.get(id)!), history: (history.get(id) ?? []).slice(-MAX_ITEM_HISTORY) })),
    missing: q.ids.filter((id) => !found.has(id)),
  };
}
