// What a mutation does to an item, written once. The server applies it authoritatively inside the push
// transaction (after deciding the mutation applies); the desk folds its unsettled mutations over the
// server's copy with the same function to show the item before the server answers (Replicache's
// "one mutator on both sides"). Pure: no clock, no I/O; whatever differs per side comes in `ctx`.
import type { Item, MutationKind, Queue } from './domain';

/** Minutes a revert leases the reopened item to the reverting user (the server's figure; the desk mirrors it). */
export const REVERT_LEASE_MINUTES = 30;

/** Item statuses that have an assignee working on the item (DESIGN §2): a lease, or an escalation to the owner. */
export const ASSIGNED_STATUSES = ['leased', 'escalated'] as const satisfies readonly Item['status'][];

/** Takes any string: database rows carry the status as text. */
export const holdsAssignment = (status: string): boolean => (ASSIGNED_STATUSES as readonly string[]).includes(status);

/** "Assigned to me": the item is leased or escalated to this user. The desk's triage set and the pull set are these items. */
export function isAssignedTo(item: Pick<Item, 'assigneeId' | 'status'>, userId: string | null | undefined): boolean {
  return !!userId && item.assigneeId === userId && holdsAssignment(item.status);
}

/** The parts of a mutation its effect reads. Payload fields are those of `MutationPayloads` (shared/central-api.ts). */
export interface EffectMutation {
  kind: MutationKind;
  /** Client wall-clock time of the decision: the time outcomes, escalations and notes carry. */
  at: string;
  payload: Readonly<Record<string, unknown>>;
}

export interface EffectContext {
  /** The user the mutation is applied for. */
  userId: string;
  /** When the effect takes hold: the server's commit time; on the desk, the time the mutation was recorded. */
  now: string;
  /** Queues by id (for the escalation owner and a reclassified item's sibling queue). */
  queues: { get(id: string): Queue | null | undefined; values(): Iterable<Queue> };
}

type Payload = { comment?: string; reasonCode?: string; correctedOutput?: Record<string, unknown>; text?: string; exceptionClass?: Item['exceptionClass'] };
type Effect = (item: Item, m: EffectMutation, p: Payload, ctx: EffectContext) => Item;

// An empty comment is no comment.
const withComment = (p: Payload) => (p.comment ? { comment: p.comment } : {});

const outcome: Effect = (item, m, p, ctx) => ({
  ...item,
  status: 'resolved',
  assigneeId: null,
  leaseExpiresAt: null,
  escalation: null,
  outcome: {
    kind: m.kind as 'approve' | 'reject' | 'correct', at: m.at, by: ctx.userId,
    ...(p.reasonCode ? { reasonCode: p.reasonCode } : {}),
    ...(m.kind === 'correct' && p.correctedOutput ? { correctedOutput: p.correctedOutput } : {}),
    ...withComment(p),
  },
});

/** Every kind has exactly one effect: adding a mutation kind to MUTATION_KINDS fails to compile until it has one here. */
const EFFECTS: { readonly [K in MutationKind]: Effect } = {
  approve: outcome,
  reject: outcome,
  correct: outcome,
  // To the path owner under a new lease epoch; no lease expiry while it waits with the owner.
  escalate: (item, m, p, ctx) => ({
    ...item,
    status: 'escalated',
    assigneeId: ctx.queues.get(item.queueId)?.ownerId ?? item.assigneeId,
    assignmentEpoch: item.assignmentEpoch + 1,
    leaseExpiresAt: null,
    escalation: { by: ctx.userId, at: m.at, reasonCode: p.reasonCode ?? '', ...withComment(p) },
  }),
  // Back to the queue, unassigned; not an outcome.
  defer: (item) => ({ ...item, status: 'open', assigneeId: null, leaseExpiresAt: null, escalation: null }),
  // Moves to the sibling queue of the new class (same workflow and stage) when one exists; enqueuedAt and
  // slaDueAt stay (DESIGN §8: a reclassification does not reset the age).
  reclassify: (item, _m, p, ctx) => {
    const exceptionClass = p.exceptionClass ?? item.exceptionClass;
    let queueId = item.queueId;
    for (const q of ctx.queues.values()) {
      if (q.workflow === item.workflow && q.stage === item.stage && q.exceptionClass === exceptionClass) { queueId = q.id; break; }
    }
    return { ...item, exceptionClass, queueId };
  },
  note: (item, m, p, ctx) => ({ ...item, notes: [...item.notes, { by: ctx.userId, at: m.at, text: p.text ?? '' }] }),
  // Reopens to the reverting user under a new lease: an outcome is taken back (its next outcome is rework),
  // or an escalation the owner has not acted on comes back.
  revert: (item, _m, _p, ctx) => ({
    ...item,
    status: 'leased',
    assigneeId: ctx.userId,
    assignmentEpoch: item.assignmentEpoch + 1,
    leaseExpiresAt: new Date(Date.parse(ctx.now) + REVERT_LEASE_MINUTES * 60_000).toISOString(),
    outcome: null,
    escalation: null,
  }),
  // The queue owner's outcome replaces someone else's (shared/ops-api.ts OverridePayload) under a new epoch:
  // the old outcome's epoch keeps its decision, the override is the outcome of the next one. Its reason is the comment.
  override: (item, m, _p, ctx) => {
    const o = m.payload as { outcome: 'approve' | 'reject' | 'correct'; reasonCode?: string; correctedOutput?: Record<string, unknown>; reason: string };
    return {
      ...item,
      status: 'resolved',
      assigneeId: null,
      assignmentEpoch: item.assignmentEpoch + 1,
      leaseExpiresAt: null,
      escalation: null,
      outcome: {
        kind: o.outcome, at: m.at, by: ctx.userId, comment: o.reason,
        ...(o.reasonCode ? { reasonCode: o.reasonCode } : {}),
        ...(o.outcome === 'correct' && o.correctedOutput ? { correctedOutput: o.correctedOutput } : {}),
      },
    };
  },
};

/**
 * The item after `m`, assuming it applies (the server decides that first: leases, reason codes, state).
 * Every applied mutation is a new version of the item.
 */
export function applyMutationToItem(item: Item, m: EffectMutation, ctx: EffectContext): Item {
  const next = EFFECTS[m.kind](item, m, m.payload as Payload, ctx);
  return { ...next, version: item.version + 1 };
}

/**
 * Kinds whose effect reads only the item, the mutation and the user: not the clock, not the queues. Given the
 * item the server applied one of them to (the same version), the client computes the same item the server
 * did, so a push may answer it with the new version alone (PushRequest.leanResults).
 */
export const LEAN_RESULT_KINDS: readonly MutationKind[] = ['approve', 'reject', 'correct', 'defer', 'note'];

/** Kinds after which this reviewer is done with the item (it leaves the triage set). */
export const HANDING_OFF_KINDS: readonly MutationKind[] = ['approve', 'reject', 'correct', 'escalate', 'defer'];
