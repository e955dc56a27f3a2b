// The weekly quality review (DESIGN §8): for one owner and ISO week, the figures of the paths they own
// (SLA attainment and approval latency per control point, breaches, rework, exception tax, top reason
// codes), the design signals, rollback-trigger alerts and rollbacks, and the action items (accepted
// signals and the owner's own). Marking the week reviewed is an ops event (`weekly_review_marked`,
// subject `owner/week`); the latest one is the review. Figures come from the same services as the
// metrics endpoints, so the pack and the views never disagree.
import type { z } from 'zod';
import {
  isoWeekBounds, METRIC_DEFINITIONS, PACK_SIGNAL_LOOKBACK_DAYS, reworkRatePercent,
} from '../../../shared/metrics-definitions';
import {
  MAX_EVIDENCE_IDS, SIGNAL_METRIC, type ActionItem, type PackActionItem, type SignalKind, type WeeklyExport, type WeeklyExportQuery, type WeeklyReviewMark,
  type WeeklyReviewMarkResponse, type WeeklyReviewPack, type WeeklyReviewQuery, type WeeklyReviewRecord,
} from '../../../shared/ops-api';
import { exportWeeklyPack } from '../../../shared/weekly-pack-export';
import type { Db } from '../../db/connection';
import { takeOpsSubjectLock } from '../../db/dialect';
import { writeTransaction } from '../../db/write-transaction';
import { badRequest, forbidden, notFound } from '../../problem';
import type { AuthUser, ServerContext } from '../context';
import { controlPointsOf, loadMetrics, slaBreachesOf, taxGroups } from './metrics';
import { seesEverything } from './scope';
import { computeSignals, decisionFromEvent, SIGNAL_DECIDED_EVENT } from './signals';
import { listAlerts } from './triggers';

export const WEEKLY_REVIEW_MARKED_EVENT = 'weekly_review_marked';
const DAY = 86_400_000;
/** The events whose reason codes the pack counts: outcomes, escalations and reclassifications. */
const REASON_EVENT_TYPES = ['decided', 'escalated', 'reclassified'];
/** Reason codes listed in a pack, most used first. */
export const PACK_TOP_REASON_CODES = 10;

const reviewSubject = (ownerId: string, week: string) => `${ownerId}/${week}`;

/** Whose pack: the caller's own (an owner), or anyone's for a supervisor or admin. */
async function packOwner(db: Db, user: AuthUser, ownerId: string | undefined, what: 'read' | 'mark'): Promise<string> {
  const id = ownerId ?? user.id;
  const mayAct = what === 'read' ? seesEverything(user) : user.roles.includes('admin');
  if (id !== user.id && !mayAct) {
    throw forbidden(what === 'read' ? 'an owner reads their own weekly review; supervisors and admins read anyone\'s' : 'only the owner (or an admin) marks an owner\'s week reviewed');
  }
  if (id === user.id && !user.roles.includes('owner') && !mayAct) throw forbidden('weekly reviews are for path owners, supervisors and admins');
  const row = await db.selectFrom('users').select(['id', 'roles']).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`no user '${id}'`);
  return id;
}

async function latestReview(db: Db, ownerId: string, week: string): Promise<WeeklyReviewRecord | null> {
  const row = await db.selectFrom('ops_events').select(['actor_id', 'at', 'payload']).where('type', '=', WEEKLY_REVIEW_MARKED_EVENT)
    .where('subject', '=', reviewSubject(ownerId, week)).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  if (!row) return null;
  const p = JSON.parse(row.payload) as { notes: string; actionItems: ActionItem[] };
  return { reviewedAt: row.at, reviewedBy: row.actor_id, notes: p.notes, actionItems: p.actionItems };
}

/**
 * How the pack computes its signals: 'counted' (the signals' endpoint's way: what decides whether a signal fires
 * counted in the database, only the events of those that fire read), or 'reference' (every event of the signals'
 * weeks read and each signal computed from them), which a property test holds equal to the counted one.
 */
export type PackReads = 'counted' | 'reference';

export async function weeklyPack(ctx: ServerContext, user: AuthUser, q: z.output<typeof WeeklyReviewQuery>, reads: PackReads = 'counted'): Promise<WeeklyReviewPack> {
  const ownerId = await packOwner(ctx.db, user, q.ownerId, 'read');
  const bounds = isoWeekBounds(q.week);
  const from = bounds.from.toISOString();
  const to = bounds.to.toISOString();
  const queues = await ctx.db.selectFrom('queues').selectAll().where('owner_id', '=', ownerId).orderBy('id').execute();
  const queueIds = queues.map((r) => r.id);
  const mine = new Set(queueIds);
  const now = ctx.now();

  // The signals' weeks: the PACK_SIGNAL_LOOKBACK_DAYS ending with this week. Only the owner's queues are read:
  // every figure here is per queue (a control point, a queue's tax, a code in a queue).
  const signalsFrom = new Date(bounds.to.getTime() - PACK_SIGNAL_LOOKBACK_DAYS * DAY).toISOString();
  const l = queueIds.length === 0 ? null : await loadMetrics(ctx, user, { from, to, onlyQueueIds: mine }, 'sla', 'created');
  const controlPoints = l === null ? [] : controlPointsOf(l).controlPoints.filter((c) => mine.has(c.queueId));
  const exceptionTax = l === null ? [] : (await taxGroups(ctx.db, l, 'queue')).filter((g) => mine.has(g.key));

  // Breaches: SLA cycles that ended in the week unachieved (the control points' within_sla definition, on the
  // paused SLA clock of shared/metrics-definitions.ts).
  const breaches: WeeklyReviewPack['breaches'] = l === null ? [] : slaBreachesOf(l).filter((b) => mine.has(b.queueId));

  const sum = (k: 'reverts' | 'overrides' | 'rolledBack' | 'corrections') => exceptionTax.reduce((n, g) => n + g.rework[k], 0);
  const rework = { reverts: sum('reverts'), overrides: sum('overrides'), rolledBack: sum('rolledBack'), corrections: sum('corrections'), outcomes: exceptionTax.reduce((n, g) => n + g.outcomes, 0) };
  const reworkIds = [...new Set(exceptionTax.flatMap((g) => g.reworkRate.recompute.itemIds))];

  // Reason codes given on outcomes, escalations and reclassifications in the week.
  const codes = new Map<string, { queueId: string; reasonCode: string; itemIds: string[] }>();
  // (Items now in the owner's queues; each code counted in the queue the event happened in.)
  for (const e of l?.events ?? []) {
    const item = l!.items.get(e.itemId)!;
    if (!REASON_EVENT_TYPES.includes(e.type) || !mine.has(item.queueId) || typeof e.payload.reasonCode !== 'string') continue;
    const queueId = e.recordedQueueId ?? item.queueId;
    const key = `${queueId}\u0000${e.payload.reasonCode}`;
    const c = codes.get(key) ?? { queueId, reasonCode: e.payload.reasonCode, itemIds: [] };
    c.itemIds.push(e.itemId);
    codes.set(key, c);
  }
  const topReasonCodes = [...codes.values()]
    .sort((a, b) => b.itemIds.length - a.itemIds.length || (a.queueId + a.reasonCode < b.queueId + b.reasonCode ? -1 : 1)).slice(0, PACK_TOP_REASON_CODES)
    .map((c) => {
      const ids = [...new Set(c.itemIds)];
      return { queueId: c.queueId, reasonCode: c.reasonCode, count: c.itemIds.length,
        recompute: { itemIds: ids.slice(0, MAX_EVIDENCE_IDS), itemIdsTotal: ids.length, filter: { queueId: c.queueId, reasonCode: c.reasonCode, from, to, types: [...REASON_EVENT_TYPES] } } };
    });

  // Signals over the weeks before and including this one, of the owner's paths, as the owner sees them (computed
  // over the owner's queues, whoever reads the pack).
  const signals = queueIds.length === 0 ? [] : (await computeSignals(ctx, user, { from: signalsFrom, to, onlyQueueIds: mine },
    reads === 'reference' ? await loadMetrics(ctx, user, { from: signalsFrom, to, onlyQueueIds: mine }, 'events-only') : undefined)).filter((s) => s.ownerIds.includes(ownerId));

  const alerts = queueIds.length === 0 ? [] : (await listAlerts(ctx, user, { status: 'all' }))
    .filter((a) => mine.has(a.queueId) && ((a.trippedAt >= from && a.trippedAt < to) || a.status === 'open'));

  const rollbacks: WeeklyReviewPack['rollbacks'] = [];
  for (const r of await ctx.db.selectFrom('rollbacks').selectAll().where('started_at', '>=', from).where('started_at', '<', to).orderBy('started_at').execute()) {
    const touched = (await ctx.db.selectFrom('rollback_items').innerJoin('items', 'items.id', 'rollback_items.item_id').select('items.queue_id')
      .where('rollback_items.rollback_id', '=', r.id).distinct().execute()).map((x) => x.queue_id).sort();
    if (!touched.some((id) => mine.has(id))) continue;
    rollbacks.push({ rollbackId: r.id, by: r.by, reason: r.reason, status: r.status as 'running' | 'completed', queueIds: touched, total: r.total,
      reverted: r.reverted, skipped: r.skipped, startedAt: r.started_at, finishedAt: r.finished_at });
  }

  const review = await latestReview(ctx.db, ownerId, q.week);
  const actionItems: PackActionItem[] = [...await acceptedSignalActions(ctx.db, ownerId, from, to),
    ...(review?.actionItems ?? []).map((a) => ({ source: 'review' as const, text: a.text, dueDate: a.dueDate ?? null, signalId: a.signalId ?? null, at: review!.reviewedAt, by: review!.reviewedBy }))];

  return {
    ownerId, week: q.week, interval: { from, to }, computedAt: now.toISOString(), queueIds, controlPoints, breaches,
    rework: { ...rework, rate: { metric: 'rework_rate', value: reworkRatePercent(rework), n: rework.outcomes, interval: { from, to },
      recompute: { itemIds: reworkIds.slice(0, MAX_EVIDENCE_IDS), itemIdsTotal: reworkIds.length, filter: { metric: 'rework_rate', queueIds, from, to } } } },
    exceptionTax, topReasonCodes,
    signals: { interval: { from: signalsFrom, to }, open: signals.filter((s) => s.status === 'open'), accepted: signals.filter((s) => s.status === 'accepted'),
      dismissed: signals.filter((s) => s.status === 'dismissed') },
    alerts, rollbacks, actionItems, review,
  };
}

/** Signals of this owner accepted in the week and not decided otherwise later in the week: one action item each. */
async function acceptedSignalActions(db: Db, ownerId: string, from: string, to: string): Promise<PackActionItem[]> {
  const rows = await db.selectFrom('ops_events').select(['subject', 'actor_id', 'at', 'payload']).where('type', '=', SIGNAL_DECIDED_EVENT)
    .where('at', '>=', from).where('at', '<', to).orderBy('seq').execute();
  const last = new Map<string, ReturnType<typeof decisionFromEvent> & { kind: SignalKind; subject: string }>();
  for (const r of rows) {
    const d = decisionFromEvent(r);
    if (d.ownerIds.includes(ownerId)) last.set(r.subject, { ...d, kind: (JSON.parse(r.payload) as { kind: SignalKind }).kind, subject: r.subject });
  }
  return [...last.values()].filter((d) => d.decision === 'accept').map((d) => ({
    source: 'signal', text: `${METRIC_DEFINITIONS[SIGNAL_METRIC[d.kind]].label}: ${d.reason}`, dueDate: null, signalId: d.subject, at: d.at, by: d.by,
  }));
}

/** Marks an owner's week reviewed with notes and action items (an ops event); the same again records nothing. */
export async function markWeekReviewed(ctx: ServerContext, user: AuthUser, req: z.output<typeof WeeklyReviewMark>): Promise<WeeklyReviewMarkResponse> {
  return writeTransaction(ctx.db, async (tx) => {
    const ownerId = await packOwner(tx, user, req.ownerId, 'mark');
    const now = ctx.now();
    if (isoWeekBounds(req.week).from > now) throw badRequest(`week ${req.week} has not started yet`, [{ path: 'week', message: 'a week that has not started cannot be reviewed' }]);
    await takeOpsSubjectLock(tx, reviewSubject(ownerId, req.week));
    const latest = await latestReview(tx, ownerId, req.week);
    if (latest && latest.notes === req.notes && JSON.stringify(latest.actionItems) === JSON.stringify(req.actionItems)) {
      return { ownerId, week: req.week, review: latest, recorded: false };
    }
    const review: WeeklyReviewRecord = { reviewedAt: now.toISOString(), reviewedBy: user.id, notes: req.notes, actionItems: req.actionItems };
    await tx.insertInto('ops_events').values({ type: WEEKLY_REVIEW_MARKED_EVENT, actor_id: user.id, at: review.reviewedAt, subject: reviewSubject(ownerId, req.week),
      payload: JSON.stringify({ ownerId, week: req.week, notes: req.notes, actionItems: req.actionItems }) }).execute();
    return { ownerId, week: req.week, review, recorded: true };
  });
}

export async function weeklyExport(ctx: ServerContext, user: AuthUser, q: z.output<typeof WeeklyExportQuery>): Promise<WeeklyExport> {
  return exportWeeklyPack(await weeklyPack(ctx, user, q), q.format);
}
