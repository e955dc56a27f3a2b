// Producers push exceptions in. Idempotent on (source, externalId): a batch sent twice creates nothing new.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { IngestRequest, IngestResponse } from '../../shared/central-api';
import type { Db } from '../db/connection';
import type { NewItemRow } from '../db/schema';
import { insertRows, selectRowsIn } from '../db/prepared';
import { writeTransaction } from '../db/write-transaction';
import { badRequest } from '../problem';
import { addMinutes, type AuthUser, type ServerContext } from './context';
import { appendEvents, type ItemEvent } from './journal';
import { queueMap } from './queues';

type ParsedIngest = z.output<typeof IngestRequest>;
type IngestItemOut = ParsedIngest['items'][number];

const key = (source: string, externalId: string) => `${source}\u0000${externalId}`;

export async function ingest(ctx: ServerContext, user: AuthUser, req: ParsedIngest, newId: () => string = () => `itm_${randomUUID()}`):
Promise<IngestResponse> {
  const queues = await queueMap(ctx.db);
  const errors = req.items.flatMap((it, i) =>
    queues.has(it.queueId) ? [] : [{ path: `items.${i}.queueId`, message: `unknown queue '${it.queueId}'` }]);
  if (errors.length > 0) throw badRequest(`${errors.length} item(s) name an unknown queue; nothing was ingested`, errors);

  const now = ctx.now();
  const at = now.toISOString();
  return writeTransaction(ctx.db, async (tx) => {
    const existing = await findExisting(tx, req.items);
    const out: IngestResponse['items'] = [];
    const rows: NewItemRow[] = [];
    const events: ItemEvent[] = [];
    for (const it of req.items) {
      const k = key(it.source, it.externalId);
      const found = existing.get(k);
      if (found) { out.push({ source: it.source, externalId: it.externalId, id: found, created: false }); continue; }
      const id = newId();
      existing.set(k, id);
      const q = queues.get(it.queueId)!;
      const slaDueAt = addMinutes(now, q.slaTargetMinutes).toISOString();
      rows.push(newItemRow(id, it, q, at, slaDueAt));
      events.push(
        { itemId: id, type: 'created', actorId: user.id, at, epoch: 0, payload: { source: it.source, externalId: it.externalId } },
        { itemId: id, type: 'enqueued', actorId: user.id, at, epoch: 0, payload: { queueId: q.id, exceptionClass: q.exceptionClass, slaDueAt, slaTargetMinutes: q.slaTargetMinutes } },
      );
      out.push({ source: it.source, externalId: it.externalId, id, created: true });
    }
    await insertItems(tx, rows);
    await appendEvents(tx, events);
    return { created: rows.length, existing: out.length - rows.length, items: out };
  });
}

export function newItemRow(id: string, it: IngestItemOut, q: { id: string; workflow: string; stage: string; exceptionClass: string },
  at: string, slaDueAt: string): NewItemRow {
  return {
    id, source: it.source, external_id: it.externalId, queue_id: q.id, workflow: q.workflow, stage: q.stage,
    exception_class: q.exceptionClass, title: it.title, summary: it.summary ?? null, confidence: it.confidence ?? null,
    reasons: JSON.stringify(it.reasons ?? []), input: JSON.stringify(it.input), output: JSON.stringify(it.output),
    status: 'open', assignee_id: null, assignment_epoch: 0, lease_expires_at: null, version: 1,
    created_at: at, enqueued_at: at, sla_due_at: slaDueAt, outcome: null, notes: '[]', escalation: null, revert_count: 0,
  };
}

export async function insertItems(tx: Db, rows: NewItemRow[]): Promise<void> {
  await insertRows(tx, 'items', rows);
}

async function findExisting(tx: Db, items: IngestItemOut[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const ids = [...new Set(items.map((i) => i.externalId))];
  for (const r of await selectRowsIn(tx, 'items', 'external_id', ids, ['id', 'source', 'external_id'])) found.set(key(r.source, r.external_id), r.id);
  return found;
}
