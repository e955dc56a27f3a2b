// POST /v1/sync/push: ordered, numbered mutations per client (DESIGN §5 "Sync guarantees"). The whole batch
// runs in one write transaction: the effect, the stored result and the client's last mutation id commit
// together, so a failure before commit advances nothing (503) and a lost response loses nothing (pull and
// re-push return the stored results).
import type { z } from 'zod';
import { mutationHashInput, type MutationResult, type PushRequest, type PushResponse } from '../../shared/central-api';
import type { Db } from '../db/connection';
import { dialectOf, lockRows, takeCommitOrderLock } from '../db/dialect';
import { writeTransaction } from '../db/write-transaction';
import { ProblemError } from '../problem';
import { createHash } from 'node:crypto';
import type { AuthUser, ServerContext } from './context';
import { appendChanges, appendEvents, type Change, type ItemEvent } from './journal';
import type { Insertable } from 'kysely';
import type { ClientMutationsTable } from '../db/schema';
import { sweepExpiredLeases } from './leases';
import { applyMutation, visibleTo } from './mutations';
import { itemFromRow } from '../db/rows';
import type { Queue } from '../../shared/domain';
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
    if (kind === 'postgres') {
      // Every item the batch may touch, locked up front in id order (no deadlock with another batch), and
      // then the commit-order lock, before this transaction inserts into decisions or change_log.
      const itemIds = [...new Set(req.mutations.filter((m) => m.mutationId > last).map((m) => m.itemId))].sort();
      for (let i = 0; i < itemIds.length; i += 500) {
        await lockRows(tx.selectFrom('items').select('id').where('id', 'in', itemIds.slice(i, i + 500)).orderBy('id'), kind).execute();
      }
      await takeCommitOrderLock(tx);
    }
    const results: MutationResult[] = [];
    const journal = { events: [] as ItemEvent[], changes: [] as Change[] };
    const settled: Insertable<ClientMutationsTable>[] = [];
    for (const m of req.mutations) {
      if (m.mutationId <= last) { results.push(await storedResult(tx, req.clientId, m, user, queues)); continue; }
      if (m.mutationId !== last + 1) { gap = { expected: last + 1, got: m.mutationId }; break; }
      const outcome = await applyMutation({ tx, user, clientId: req.clientId, now, queues, journal }, m);
      const result: MutationResult = { mutationId: m.mutationId, itemId: m.itemId, ...outcome };
      settled.push({ client_id: req.clientId, mutation_id: m.mutationId, item_id: m.itemId, kind: m.kind, payload_hash: m.payloadHash,
        status: result.status, code: result.code, result: JSON.stringify(result), at });
      journal.changes.push({ userId: user.id, kind: 'result', itemId: m.itemId, clientId: req.clientId, mutationId: m.mutationId, at });
      results.push(result);
      last = m.mutationId;
    }
    // Written in bulk, still inside the transaction: effects, results, events and the cursor rows commit together.
    for (let i = 0; i < settled.length; i += 200) await tx.insertInto('client_mutations').values(settled.slice(i, i + 200)).execute();
    await appendEvents(tx, journal.events);
    await appendChanges(tx, journal.changes);
    await tx.updateTable('clients').set({ last_mutation_id: last, updated_at: at }).where('client_id', '=', req.clientId).execute();
    ctx.faults.beforePushCommit?.();
    return { lastMutationId: last, results };
  });
  if (gap) {
    const g = gap as { expected: number; got: number };
    // What came before the gap is committed; its results are in pull and come back as duplicates on re-push.
    throw new ProblemError('mutationGap', 409,
      `mutation ids must follow on without gaps: expected ${g.expected}, got ${g.got}; resend from ${g.expected}`,
      { expectedMutationId: g.expected });
  }
  return response;
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
    const current = await tx.selectFrom('items').selectAll().where('id', '=', m.itemId).executeTakeFirst();
    const item = current ? itemFromRow(current) : null;
    return { mutationId: m.mutationId, itemId: m.itemId, status: 'rejected', code: 'client_diverged', item: item && visibleTo(item, user.id, queues) ? item : null,
      message: `mutation ${m.mutationId} was already settled with a different payload (hash ${row.payload_hash.slice(0, 12)}…); ` +
        'this client\'s history diverged from the server (restored from a backup?)' };
  }
  return { ...stored, status: 'duplicate', message: `already settled: ${stored.status} (${stored.code})` };
}
