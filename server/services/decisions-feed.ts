// GET /v1/decisions: outcomes and reverts in the order they were recorded, for downstream systems.
// The cursor is the last `seq` the producer has seen (opaque to clients).
import type { z } from 'zod';
import type { DecisionsQuery, DecisionsResponse, FeedDecision } from '../../shared/central-api';
import type { Db } from '../db/connection';
import { badRequest } from '../problem';

export async function readDecisions(db: Db, q: z.output<typeof DecisionsQuery>): Promise<DecisionsResponse> {
  const from = q.cursor === undefined ? 0 : Number(q.cursor);
  if (!/^\d{1,15}$/.test(q.cursor ?? '0')) {
    throw badRequest('cursor is invalid: pass back the cursor of a previous response, or omit it', [{ path: 'cursor', message: 'not a decisions cursor' }]);
  }
  const rows = await db.selectFrom('decisions').innerJoin('items', 'items.id', 'decisions.item_id')
    .select(['decisions.seq', 'decisions.item_id', 'items.source', 'items.external_id', 'decisions.kind', 'decisions.at', 'decisions.by',
      'decisions.assignment_epoch', 'decisions.reason_code', 'decisions.corrected_output', 'decisions.comment',
      'decisions.outcome', 'decisions.rollback_id'])
    .where('decisions.seq', '>', from).orderBy('decisions.seq').limit(q.limit + 1).execute();
  const hasMore = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  const decisions: FeedDecision[] = page.map((r) => ({
    seq: r.seq, itemId: r.item_id, source: r.source, externalId: r.external_id, kind: r.kind as FeedDecision['kind'],
    at: r.at, by: r.by, assignmentEpoch: r.assignment_epoch,
    ...(r.reason_code !== null ? { reasonCode: r.reason_code } : {}),
    ...(r.corrected_output !== null ? { correctedOutput: JSON.parse(r.corrected_output) as Record<string, unknown> } : {}),
    ...(r.comment !== null ? { comment: r.comment } : {}),
    ...(r.outcome !== null ? { outcome: r.outcome as FeedDecision['outcome'] } : {}),
    ...(r.rollback_id !== null ? { rollbackId: r.rollback_id } : {}),
  }));
  return { cursor: String(page.length > 0 ? page[page.length - 1].seq : from), hasMore, decisions };
}
