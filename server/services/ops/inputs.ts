// Producers' inputs to exception operations (DESIGN §8): workflow run volumes and downstream corrections.
// Both are idempotent (the same report again is `existing`; a different report under the same key is 409),
// all-or-nothing per request, and corrections feed the rollback triggers in the same transaction.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { CorrectionsRequest, CorrectionsResponse, RunsRequest, RunsResponse } from '../../../shared/ops-api';
import type { Db } from '../../db/connection';
import { writeTransaction } from '../../db/write-transaction';
import { badRequest, conflictProblem } from '../../problem';
import type { AuthUser, ServerContext } from '../context';
import { appendEvents, type ItemEvent } from '../journal';
import { evaluateTriggers } from './triggers';

export async function recordRuns(ctx: ServerContext, user: AuthUser, req: z.output<typeof RunsRequest>): Promise<RunsResponse> {
  const at = ctx.now().toISOString();
  const seen = new Set<string>();
  req.runs.forEach((r, i) => {
    const k = JSON.stringify([r.source, r.workflow, r.stage ?? '', r.periodStart]);
    if (seen.has(k)) throw badRequest(`runs.${i} repeats the key (source, workflow, stage, periodStart) of an earlier report in this request`, [{ path: `runs.${i}`, message: 'duplicate key in the request' }]);
    seen.add(k);
  });
  return writeTransaction(ctx.db, async (tx) => {
    let created = 0;
    let existing = 0;
    for (const [i, r] of req.runs.entries()) {
      const row = {
        source: r.source, workflow: r.workflow, stage: r.stage ?? '', period_start: new Date(r.periodStart).toISOString(),
        period_end: new Date(r.periodEnd).toISOString(), runs: r.runs, straight_through_amount: r.straightThroughCost?.amount ?? null,
        currency: r.straightThroughCost?.currency ?? null,
      };
      const found = await tx.selectFrom('runs').selectAll().where('source', '=', row.source).where('workflow', '=', row.workflow)
        .where('stage', '=', row.stage).where('period_start', '=', row.period_start).executeTakeFirst();
      if (found) {
        const same = found.period_end === row.period_end && found.runs === row.runs && found.straight_through_amount === row.straight_through_amount
          && found.currency === row.currency;
        if (!same) throw conflictProblem(`runs.${i}: a different report for (${r.source}, ${r.workflow}, ${r.stage ?? '(whole workflow)'}, ${row.period_start}) is already recorded; nothing was recorded`);
        existing += 1;
        continue;
      }
      await tx.insertInto('runs').values({ ...row, recorded_by: user.id, recorded_at: at }).execute();
      created += 1;
    }
    return { created, existing };
  });
}

interface ResolvedCorrection { index: number; itemId: string; queueId: string }

async function resolveItems(db: Db, req: z.output<typeof CorrectionsRequest>): Promise<ResolvedCorrection[]> {
  const errors: { path: string; message: string }[] = [];
  const out: ResolvedCorrection[] = [];
  for (const [i, c] of req.corrections.entries()) {
    let q = db.selectFrom('items').select(['id', 'queue_id']);
    q = c.itemId !== undefined ? q.where('id', '=', c.itemId) : q.where('source', '=', c.source).where('external_id', '=', c.externalId!);
    const item = await q.executeTakeFirst();
    if (!item) {
      errors.push({ path: `corrections.${i}.${c.itemId !== undefined ? 'itemId' : 'externalId'}`, message: 'no such item' });
      continue;
    }
    const decided = await db.selectFrom('decisions').select('seq').where('item_id', '=', item.id)
      .where('kind', 'in', ['approve', 'reject', 'correct', 'override']).limit(1).executeTakeFirst();
    if (!decided) { errors.push({ path: `corrections.${i}`, message: `item '${item.id}' has no outcome to correct` }); continue; }
    const queue = await db.selectFrom('queues').select(['labor_currency']).where('id', '=', item.queue_id).executeTakeFirstOrThrow();
    if (c.cost.amount && queue.labor_currency !== null && c.cost.amount.currency !== queue.labor_currency) {
      errors.push({ path: `corrections.${i}.cost.amount.currency`, message: `the item's queue counts in ${queue.labor_currency}, not ${c.cost.amount.currency}` });
      continue;
    }
    out.push({ index: i, itemId: item.id, queueId: item.queue_id });
  }
  if (errors.length > 0) throw badRequest(`${errors.length} correction(s) cannot be recorded; nothing was recorded`, errors);
  return out;
}

export async function recordCorrections(ctx: ServerContext, user: AuthUser, req: z.output<typeof CorrectionsRequest>): Promise<CorrectionsResponse> {
  const resolved = await resolveItems(ctx.db, req);
  const now = ctx.now();
  const at = now.toISOString();
  return writeTransaction(ctx.db, async (tx) => {
    const corrections: CorrectionsResponse['corrections'] = [];
    const events: ItemEvent[] = [];
    const touchedQueues = new Set<string>();
    const keys = new Set<string>();
    for (const { index, itemId, queueId } of resolved) {
      const c = req.corrections[index];
      const detectedAt = new Date(c.detectedAt).toISOString();
      const key = JSON.stringify([itemId, c.source, detectedAt]);
      if (keys.has(key)) throw badRequest(`corrections.${index} repeats an earlier correction of this request (same item, source, detectedAt)`, [{ path: `corrections.${index}`, message: 'duplicate in the request' }]);
      keys.add(key);
      const row = { item_id: itemId, source: c.source, detected_at: detectedAt, minutes: c.cost.minutes ?? null, amount: c.cost.amount?.amount ?? null,
        currency: c.cost.amount?.currency ?? null, note: c.note };
      const found = await tx.selectFrom('corrections').selectAll().where('item_id', '=', itemId).where('source', '=', c.source)
        .where('detected_at', '=', detectedAt).executeTakeFirst();
      if (found) {
        const same = found.minutes === row.minutes && found.amount === row.amount && found.currency === row.currency && found.note === row.note;
        if (!same) throw conflictProblem(`corrections.${index}: a different correction of item '${itemId}' from ${c.source} at ${detectedAt} is already recorded; nothing was recorded`);
        corrections.push({ id: found.id, itemId, created: false });
        continue;
      }
      const id = `cor_${randomUUID()}`;
      await tx.insertInto('corrections').values({ id, ...row, recorded_by: user.id, recorded_at: at }).execute();
      const epoch = (await tx.selectFrom('items').select('assignment_epoch').where('id', '=', itemId).executeTakeFirstOrThrow()).assignment_epoch;
      events.push({ itemId, type: 'corrected', actorId: user.id, at, epoch, payload: {
        correctionId: id, source: c.source, detectedAt, minutes: row.minutes, amount: row.amount, currency: row.currency, queueId } });
      corrections.push({ id, itemId, created: true });
      touchedQueues.add(queueId);
    }
    await appendEvents(tx, events);
    const alerts = await evaluateTriggers(tx, [...touchedQueues], now);
    const created = corrections.filter((c) => c.created).length;
    return { created, existing: corrections.length - created, corrections, alerts };
  });
}
