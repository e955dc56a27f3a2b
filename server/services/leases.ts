// Leases: claims (reviewers), assignments (supervisors) and the sweep that returns expired leases to their
// queue. Every lease gets a new assignmentEpoch, recorded in item_epochs with how it ended.
import type { z } from 'zod';
import type { AssignmentRequest, ClaimRequest, LeaseRenewRequest } from '../../shared/central-api';
import type { Item } from '../../shared/domain';
import type { Db } from '../db/connection';
import { dialectOf, lockRows, takeLeaseCapLock } from '../db/dialect';
import { itemFromRow } from '../db/rows';
import { insertRows, updateRows } from '../db/prepared';
import { writeTransaction } from '../db/write-transaction';
import { badRequest, conflictProblem, notFound } from '../problem';
import { addMinutes, type AuthUser, type ServerContext } from './context';
import { appendChanges, appendEvents, type Change, type ItemEvent } from './journal';
import { MAX_LEASED_PER_USER } from '../../shared/limits';
import { DEFER_COOLDOWN_MINUTES } from '../../shared/defer-policy';
import { holdsAssignment } from '../../shared/item-effects';

/** Returns expired leases to their queue. Runs on a timer and before every claim, pull, push and assignment. */
export async function sweepExpiredLeases(ctx: ServerContext): Promise<number> {
  const at = ctx.now().toISOString();
  const due = await ctx.db.selectFrom('items').select('id')
    .where('status', '=', 'leased').where('lease_expires_at', '<=', at).limit(1).execute();
  if (due.length === 0) return 0;
  return writeTransaction(ctx.db, async (tx) => {
    // Several nodes sweep at once: each takes the expired rows no other transaction holds (a push deciding
    // one of them, or another sweep); a row it skips is swept by its holder's next sweep, or was decided.
    const rows = await lockRows(tx.selectFrom('items').select(['id', 'assignee_id', 'assignment_epoch', 'lease_expires_at'])
      .where('status', '=', 'leased').where('lease_expires_at', '<=', at).orderBy('id'), dialectOf(tx), { skipLocked: true }).execute();
    if (rows.length === 0) return 0;
    const events: ItemEvent[] = [];
    const changes: Change[] = [];
    for (const r of rows) {
      await tx.updateTable('items')
        .set((eb) => ({ status: 'open', assignee_id: null, lease_expires_at: null, version: eb('version', '+', 1) }))
        .where('id', '=', r.id).execute();
      await endEpoch(tx, r.id, r.assignment_epoch, at, 'lease_expired');
      events.push({ itemId: r.id, type: 'lease_expired', actorId: null, at, epoch: r.assignment_epoch,
        payload: { from: r.assignee_id, leaseExpiresAt: r.lease_expires_at } });
      if (r.assignee_id) changes.push({ userId: r.assignee_id, kind: 'remove', itemId: r.id, reason: 'lease_expired', at });
    }
    await appendEvents(tx, events);
    await appendChanges(tx, changes);
    if (rows.length > 0) ctx.log.info({ count: rows.length }, 'expired leases returned to their queues');
    return rows.length;
  });
}

export async function endEpoch(tx: Db, itemId: string, epoch: number, at: string, reason: string): Promise<void> {
  await updateRows(tx, 'item_epochs', { ended_at: at, ended_reason: reason }, { item_id: itemId, epoch, ended_at: null });
}

export async function startEpoch(tx: Db, itemId: string, epoch: number, userId: string, kind: string, at: string): Promise<void> {
  await insertRows(tx, 'item_epochs', [{ item_id: itemId, epoch, user_id: userId, kind, started_at: at }]);
}

async function leasedCount(tx: Db, userId: string): Promise<number> {
  const r = await tx.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('assignee_id', '=', userId).where('status', '=', 'leased').executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function loadItems(tx: Db, ids: string[]): Promise<Item[]> {
  const out: Item[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await tx.selectFrom('items').selectAll().where('id', 'in', ids.slice(i, i + 500)).execute();
    out.push(...rows.map(itemFromRow));
  }
  return out;
}

/** The queues whose policy sets a defer cooldown other than `fallback`, grouped by it (a handful of queues). */
async function deferCooldownsByQueue(tx: Db, fallback: number): Promise<{ fallback: number; own: Map<number, string[]> }> {
  const rows = await tx.selectFrom('queues').select(['id', 'defer_cooldown_minutes'])
    .where('defer_cooldown_minutes', 'is not', null).where('defer_cooldown_minutes', '!=', fallback).execute();
  const own = new Map<number, string[]>();
  for (const r of rows) own.set(r.defer_cooldown_minutes ?? fallback, [...(own.get(r.defer_cooldown_minutes ?? fallback) ?? []), r.id]);
  return { fallback, own };
}

export async function claim(ctx: ServerContext, user: AuthUser, req: z.output<typeof ClaimRequest>): Promise<Item[]> {
  if (req.queueIds && req.queueIds.length > 0) {
    const known = new Set((await ctx.db.selectFrom('queues').select('id').execute()).map((q) => q.id));
    const errors = req.queueIds.flatMap((id, i) => (known.has(id) ? [] : [{ path: `queueIds.${i}`, message: `unknown queue '${id}'` }]));
    if (errors.length > 0) throw badRequest('unknown queue id(s) in queueIds', errors);
  }
  await sweepExpiredLeases(ctx);
  const now = ctx.now();
  const at = now.toISOString();
  const expires = addMinutes(now, req.leaseMinutes).toISOString();
  const ids = await writeTransaction(ctx.db, async (tx) => {
    // Queue policy: nobody holds more than the lease cap at once; a claim past it gets what fits (maybe nothing).
    // The count and the leases it allows must not interleave with another claim or assignment for this user
    // on another node (PostgreSQL), so the user's cap lock comes first.
    await takeLeaseCapLock(tx, user.id);
    const room = (ctx.maxLeasedPerUser ?? MAX_LEASED_PER_USER) - await leasedCount(tx, user.id);
    if (room <= 0) return [];
    let q = tx.selectFrom('items').select(['id', 'assignment_epoch']).where('status', '=', 'open');
    if (req.queueIds && req.queueIds.length > 0) q = q.where('queue_id', 'in', req.queueIds);
    // Defer hands an item back for someone else (issue 14 item 3): not to whoever deferred it within the
    // cooldown of the item's queue (its policy, else the server's default).
    const cooldowns = await deferCooldownsByQueue(tx, ctx.deferCooldownMinutes ?? DEFER_COOLDOWN_MINUTES);
    const since = (minutes: number) => addMinutes(now, -minutes).toISOString();
    q = q.where((eb) => eb.not(eb.exists(eb.selectFrom('item_epochs').select('item_epochs.item_id')
      .whereRef('item_epochs.item_id', '=', 'items.id').where('item_epochs.user_id', '=', user.id)
      .where('item_epochs.ended_reason', '=', 'deferred')
      .where((e) => (cooldowns.own.size === 0 ? e('item_epochs.ended_at', '>', since(cooldowns.fallback)) : e.or([
        ...[...cooldowns.own].map(([minutes, queueIds]) =>
          e.and([e('items.queue_id', 'in', queueIds), e('item_epochs.ended_at', '>', since(minutes))])),
        e.and([e('items.queue_id', 'not in', [...cooldowns.own.values()].flat()), e('item_epochs.ended_at', '>', since(cooldowns.fallback))]),
      ]))))));
    // PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent claimers on any node take disjoint rows without
    // waiting on each other; the update below re-checks `status = 'open'` all the same.
    const picked = await lockRows(q.orderBy('sla_due_at').orderBy('id').limit(Math.min(req.count, room)), dialectOf(tx), { skipLocked: true }).execute();
    if (picked.length === 0) return [];
    const pickedIds = picked.map((p) => p.id);
    await tx.updateTable('items')
      .set((eb) => ({
        status: 'leased', assignee_id: user.id, assignment_epoch: eb('assignment_epoch', '+', 1),
        lease_expires_at: expires, version: eb('version', '+', 1),
      }))
      .where('id', 'in', pickedIds).where('status', '=', 'open').execute();
    await insertRows(tx, 'item_epochs', picked.map((p) => ({
      item_id: p.id, epoch: p.assignment_epoch + 1, user_id: user.id, kind: 'claim', started_at: at,
    })));
    await appendEvents(tx, picked.map((p) => ({ itemId: p.id, type: 'claimed', actorId: user.id, at, epoch: p.assignment_epoch + 1,
      payload: { leaseMinutes: req.leaseMinutes, leaseExpiresAt: expires } })));
    await appendChanges(tx, pickedIds.map((id) => ({ userId: user.id, kind: 'upsert', itemId: id, at })));
    return pickedIds;
  });
  const items = await loadItems(ctx.db, ids);
  return items.sort((a, b) => (a.slaDueAt < b.slaDueAt ? -1 : a.slaDueAt > b.slaDueAt ? 1 : a.id < b.id ? -1 : 1));
}

const ASSIGNABLE_ROLES = ['reviewer', 'owner'];

export async function assign(ctx: ServerContext, actor: AuthUser, req: z.output<typeof AssignmentRequest>): Promise<Item[]> {
  await sweepExpiredLeases(ctx);
  const now = ctx.now();
  const at = now.toISOString();
  const expires = addMinutes(now, req.leaseMinutes).toISOString();
  const itemIds = [...new Set(req.itemIds)];
  await writeTransaction(ctx.db, async (tx) => {
    const assignee = await tx.selectFrom('users').select(['id', 'roles']).where('id', '=', req.assigneeId).executeTakeFirst();
    if (!assignee) throw badRequest(`assignee '${req.assigneeId}' is not a user`, [{ path: 'assigneeId', message: 'unknown user' }]);
    if (!(JSON.parse(assignee.roles) as string[]).some((r) => ASSIGNABLE_ROLES.includes(r))) {
      throw badRequest(`assignee '${req.assigneeId}' is neither a reviewer nor an owner`, [{ path: 'assigneeId', message: 'not a reviewer or owner' }]);
    }
    // The assignee's cap lock before any item lock (the same order as claim), so the cap check below and the
    // leases it allows happen with no other claim or assignment for the assignee in between.
    await takeLeaseCapLock(tx, assignee.id);
    // Locked in id order (every transaction that locks several items does so), so two never deadlock.
    const rows = await lockRows(tx.selectFrom('items').select(['id', 'status', 'assignee_id', 'assignment_epoch'])
      .where('id', 'in', itemIds).orderBy('id'), dialectOf(tx)).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const missing = itemIds.filter((id) => !byId.has(id));
    if (missing.length > 0) throw notFound(`unknown item(s): ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ' …' : ''}`);
    const closed = rows.filter((r) => r.status === 'resolved' || r.status === 'withdrawn');
    if (closed.length > 0) throw conflictProblem(`item(s) already ${closed[0].status}, cannot be assigned: ${closed.slice(0, 20).map((r) => r.id).join(', ')}`);
    const cap = ctx.maxLeasedPerUser ?? MAX_LEASED_PER_USER;
    const adding = rows.filter((r) => !(r.status === 'leased' && r.assignee_id === assignee.id)).length;
    const held = await leasedCount(tx, assignee.id);
    if (held + adding > cap) {
      throw conflictProblem(`${assignee.id} holds ${held} leased item(s); ${adding} more would pass the cap of ${cap} per user (nothing was assigned)`);
    }
    const events: ItemEvent[] = [];
    const changes: Change[] = [];
    for (const id of itemIds) {
      const r = byId.get(id)!;
      const epoch = r.assignment_epoch + 1;
      const prev = holdsAssignment(r.status) ? r.assignee_id : null;
      if (prev) await endEpoch(tx, id, r.assignment_epoch, at, 'reassigned');
      await tx.updateTable('items')
        .set((eb) => ({ status: 'leased', assignee_id: assignee.id, assignment_epoch: epoch, lease_expires_at: expires,
          escalation: null, version: eb('version', '+', 1) }))
        .where('id', '=', id).execute();
      await startEpoch(tx, id, epoch, assignee.id, 'assignment', at);
      events.push({ itemId: id, type: 'assigned', actorId: actor.id, at, epoch, payload: { from: prev, to: assignee.id, leaseMinutes: req.leaseMinutes, leaseExpiresAt: expires } });
      if (prev && prev !== assignee.id) changes.push({ userId: prev, kind: 'remove', itemId: id, reason: 'reassigned', at });
      changes.push({ userId: assignee.id, kind: 'upsert', itemId: id, at });
    }
    await appendEvents(tx, events);
    await appendChanges(tx, changes);
  });
  return loadItems(ctx.db, itemIds);
}

/**
 * Extends leases the caller holds now (issue 8 item 4): same epoch, new expiry `now + leaseMinutes`, never
 * shorter than the one it had. Items not leased to the caller (someone else's, expired, resolved, unknown)
 * are left alone and named in `notRenewed`. The change log carries an upsert so pulls bring the new expiry.
 */
export async function renewLeases(ctx: ServerContext, user: AuthUser, req: z.output<typeof LeaseRenewRequest>): Promise<{ items: Item[]; notRenewed: string[] }> {
  await sweepExpiredLeases(ctx);
  const now = ctx.now();
  const at = now.toISOString();
  const expires = addMinutes(now, req.leaseMinutes).toISOString();
  const itemIds = [...new Set(req.itemIds)].sort();
  const renewed = await writeTransaction(ctx.db, async (tx) => {
    const rows = await lockRows(tx.selectFrom('items').select(['id', 'lease_expires_at'])
      .where('id', 'in', itemIds).where('status', '=', 'leased').where('assignee_id', '=', user.id)
      .where('lease_expires_at', '>', at).orderBy('id'), dialectOf(tx)).execute();
    const longer = rows.filter((r) => r.lease_expires_at === null || r.lease_expires_at < expires).map((r) => r.id);
    if (longer.length === 0) return rows.map((r) => r.id);
    await tx.updateTable('items').set((eb) => ({ lease_expires_at: expires, version: eb('version', '+', 1) }))
      .where('id', 'in', longer).where('status', '=', 'leased').where('assignee_id', '=', user.id).execute();
    await appendChanges(tx, longer.map((id) => ({ userId: user.id, kind: 'upsert', itemId: id, at })));
    return rows.map((r) => r.id);
  });
  const held = new Set(renewed);
  return { items: await loadItems(ctx.db, renewed), notRenewed: itemIds.filter((id) => !held.has(id)) };
}
