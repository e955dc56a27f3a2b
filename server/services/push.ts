// POST /v1/sync/push: ordered, numbered mutations per client (DESIGN §5 "Sync guarantees"). The whole batch
// runs in one write transaction: the effect, the stored result and the client's last mutation id commit
// together, so a failure before commit advances nothing (503) and a lost response loses nothing (pull and
// re-push return the stored results).
import type { z } from 'zod';
import { mutationHashInput, type MutationResult, type PushRequest, type PushResponse } from '../../shared/central-api';
import type { Db } from '../db/connection';
import { dialectOf, lockRows } from '../db/dialect';
import { insertRows } from '../db/prepared';
import { writeTransaction } from '../db/write-transaction';
import { ProblemError } from '../problem';
import { createHash } from 'node:crypto';
import type { AuthUser, ServerContext } from './context';
import { appendChanges, appendDecisions, appendEvents, type Change, type DecisionRow, type ItemEvent } from './journal';
import type { Insertable } from 'kysely';
import type { ClientMutationsTable } from '../db/schema';
import { applyMutation, readBatchRows, visibleTo, writeItemUpdates, type ItemWrites } from './mutations';
import { loadItems, sweepExpiredLeases } from './leases';
import { MAX_ITEM_MUTATIONS_PER_PUSH } from '../../shared/limits';
import { LABOR_EVENT_TYPE, type LaborEventPayload } from '../../shared/labor-event';
import type { Item, Queue } from '../../shared/domain';
import { LEAN_RESULT_KINDS } from '../../shared/item-effects';
import { queueMap } from './queues';

type ParsedPush = z.output<typeof PushRequest>;

/** The hash the server compares: the client's own payloadHash (SHA-256 of mutationHashInput, hex). */
export const expectedPayloadHash = (m: Parameters<typeof mutationHashInput>[0]) =>
  createHash('sha256').update(mutationHashInput(m), 'utf8').digest('hex');

export async function bindClient(tx: Db, user: AuthUser, clientId: string): Promise<number> {
  const client = await tx.selectFrom('clients').select(['user_id', 'last_mutation_id']).where('client_id', '=', clientId).executeTakeFirst();
  if (client && client.user_id !== user.id) {
    throw new ProblemError('clientOwnedByOther', 403, `client id '${clientId}' belongs to another user; each desk installation needs its own`);
  }
  return client?.last_mutation_id ?? 0;
}

export async function push(ctx: ServerContext, user: AuthUser, req: ParsedPush): Promise<PushResponse> {
  await sweepExpiredLeases(ctx);
  const queues = await queueMap(ctx.db);
  const now = ctx.now();
  const at = now.toISOString();
  let gap: { expected: number; got: number } | null = null;
  const response = await writeTransaction(ctx.db, async (tx) => {
    gap = null;
    const kind = dialectOf(tx);
    // The client row is the per-client mutation floor: created if new, then locked (PostgreSQL FOR UPDATE)
    // until commit, so the same batch sent to two nodes at once runs one after the other, and the second
    // sees the first's last id and answers duplicates.
    await tx.insertInto('clients').values({ client_id: req.clientId, user_id: user.id, last_mutation_id: 0, created_at: at, updated_at: at })
      .onConflict((oc) => oc.column('client_id').doNothing()).execute();
    await lockRows(tx.selectFrom('clients').select('client_id').where('client_id', '=', req.clientId), kind).execute();
    let last = await bindClient(tx, user, req.clientId);
    const itemIds = [...new Set(req.mutations.filter((m) => m.mutationId > last).map((m) => m.itemId))].sort();
    if (kind === 'postgres') {
      // Every item the batch may touch, locked up front in id order (no deadlock with another batch). The
      // commit-order lock comes only at the end, with the inserts into decisions and change_log (journal.ts).
      for (let i = 0; i < itemIds.length; i += 500) {
        await lockRows(tx.selectFrom('items').select('id').where('id', 'in', itemIds.slice(i, i + 500)).orderBy('id'), kind).execute();
      }
    }
    // Read under those locks (SQLite: the write lock), so the rows are current for the whole batch.
    const batchRows = await readBatchRows(tx, itemIds);
    const results: MutationResult[] = [];
    const journal = { decisions: [] as DecisionRow[], events: [] as ItemEvent[], changes: [] as Change[] };
    const settled: Insertable<ClientMutationsTable>[] = [];
    const perItem = new Map<string, number>();
    const itemWrites: ItemWrites = new Map();
    for (const m of req.mutations) {
      if (m.mutationId <= last) {
        // Ids rise through a batch, so duplicates come before anything applied; should one not, it still reads items as written.
        await writeItemUpdates(tx, itemWrites);
        results.push(await storedResult(tx, req.clientId, m, user, queues));
        continue;
      }
      if (m.mutationId !== last + 1) {
        gap = { expected: last + 1, got: m.mutationId };
        // Nothing settled: roll back everything, including a new client's row (it must not exist yet).
        if (settled.length === 0) throw gapProblem(gap);
        break;
      }
      // One push cannot grow one item without bound: stop here and answer what is settled; the client resumes
      // from lastMutationId + 1 in its next push.
      const onItem = perItem.get(m.itemId) ?? 0;
      if (onItem >= MAX_ITEM_MUTATIONS_PER_PUSH) break;
      perItem.set(m.itemId, onItem + 1);
      const outcome = expectedPayloadHash(m) === m.payloadHash
        ? await applyMutation({ tx, user, clientId: req.clientId, now, queues, journal, batchRows, itemWrites }, m)
        : { status: 'rejected' as const, code: 'payload_hash_mismatch' as const, item: null,
          message: 'payloadHash is not the SHA-256 of mutationHashInput(kind, itemId, baseVersion, assignmentEpoch, payload); nothing was applied' };
      const result: MutationResult = req.leanResults && leanApplied(m, outcome)
        ? { mutationId: m.mutationId, itemId: m.itemId, status: outcome.status, code: outcome.code, version: outcome.item.version }
        : { mutationId: m.mutationId, itemId: m.itemId, ...outcome };
      if (outcome.status === 'conflict' && m.labor) journal.events.push(await laborEvent(tx, user, req.clientId, m, outcome, at, itemWrites));
      settled.push({ client_id: req.clientId, mutation_id: m.mutationId, item_id: m.itemId, kind: m.kind, payload_hash: m.payloadHash,
        status: result.status, code: result.code, result: storableResult(result), at });
      journal.changes.push({ userId: user.id, kind: 'result', itemId: m.itemId, clientId: req.clientId, mutationId: m.mutationId, at });
      results.push(result);
      last = m.mutationId;
    }
    // Written in bulk, still inside the transaction: effects, results, events and the cursor rows commit together.
    await writeItemUpdates(tx, itemWrites);
    await insertRows(tx, 'client_mutations', settled);
    await appendEvents(tx, journal.events);
    await appendDecisions(tx, journal.decisions);
    await appendChanges(tx, journal.changes);
    await tx.updateTable('clients').set({ last_mutation_id: last, updated_at: at }).where('client_id', '=', req.clientId).execute();
    ctx.faults.beforePushCommit?.();
    return { lastMutationId: last, results };
  });
  // What came before the gap is committed; its results are in pull and come back as duplicates on re-push.
  if (gap) throw gapProblem(gap);
  return response;
}

/**
 * May this outcome go back lean (PushRequest.leanResults): applied, of a kind the client can apply itself, to
 * the item at the version the client based the mutation on (so its copy is the item the server changed).
 */
function leanApplied(m: ParsedPush['mutations'][number], outcome: Omit<MutationResult, 'mutationId' | 'itemId'>): outcome is typeof outcome & { item: Item } {
  return outcome.status === 'applied' && !!outcome.item && LEAN_RESULT_KINDS.includes(m.kind) && outcome.item.version === m.baseVersion + 1;
}

const gapProblem = (g: { expected: number; got: number }) => new ProblemError('mutationGap', 409,
  `mutation ids must follow on without gaps: expected ${g.expected}, got ${g.got}; resend from ${g.expected}`,
  { expectedMutationId: g.expected });

/**
 * A result as stored: without the item. Whoever reads it back (a duplicate push, pull) gets the item's
 * current state, and only if the reader may still see it (resultsWithCurrentItems).
 */
const storableResult = (r: MutationResult) => JSON.stringify({ ...r, item: undefined });

/** Stored results with the current item attached where the user may see it now, else `item: null`. */
export async function resultsWithCurrentItems(tx: Db, stored: Omit<MutationResult, 'item'>[], user: AuthUser, queues: Map<string, Queue>):
Promise<MutationResult[]> {
  const ids = [...new Set(stored.map((r) => r.itemId))];
  const items = new Map((await loadItems(tx, ids)).map((i) => [i.id, i]));
  return stored.map((r) => {
    const item = items.get(r.itemId);
    return { ...r, item: item && visibleTo(item, user.id, queues) ? item : null };
  });
}

/** Labor behind a decision that ended in a conflict still happened: one `labor` event (shared/labor-event.ts). */
async function laborEvent(tx: Db, user: AuthUser, clientId: string, m: ParsedPush['mutations'][number],
  outcome: { code: MutationResult['code'] }, at: string, itemWrites: ItemWrites): Promise<ItemEvent> {
  const row = itemWrites.get(m.itemId)?.row ?? await tx.selectFrom('items').select(['queue_id', 'exception_class', 'assignment_epoch']).where('id', '=', m.itemId).executeTakeFirst();
  const payload: LaborEventPayload = {
    status: 'conflict', code: outcome.code, kind: m.kind, labor: m.labor!,
    clientAt: m.at, clientId, mutationId: m.mutationId, queueId: row?.queue_id ?? null, exceptionClass: row?.exception_class ?? null,
  };
  return { itemId: m.itemId, type: LABOR_EVENT_TYPE, actorId: user.id, at, epoch: m.assignmentEpoch, payload };
}

async function storedResult(tx: Db, clientId: string, m: ParsedPush['mutations'][number], user: AuthUser, queues: Map<string, Queue>):
Promise<MutationResult> {
  const row = await tx.selectFrom('client_mutations').select(['payload_hash', 'result'])
    .where('client_id', '=', clientId).where('mutation_id', '=', m.mutationId).executeTakeFirst();
  if (!row) {
    return { mutationId: m.mutationId, itemId: m.itemId, status: 'rejected', code: 'client_diverged',
      message: `mutation ${m.mutationId} is at or below this client's last id but the server has no record of it`, item: null };
  }
  const stored = JSON.parse(row.result) as MutationResult;
  if (row.payload_hash !== m.payloadHash) {
    const [diverged] = await resultsWithCurrentItems(tx, [{ mutationId: m.mutationId, itemId: m.itemId, status: 'rejected', code: 'client_diverged',
      message: `mutation ${m.mutationId} was already settled with a different payload (hash ${row.payload_hash.slice(0, 12)}…); ` +
        'this client\'s history diverged from the server (restored from a backup?)' }], user, queues);
    return diverged;
  }
  const [current] = await resultsWithCurrentItems(tx, [stored], user, queues);
  return { ...current, status: 'duplicate', message: `already settled: ${stored.status} (${stored.code})` };
}
