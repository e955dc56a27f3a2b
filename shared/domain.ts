// The domain vocabulary of DESIGN.md §2 as zod schemas; every side imports these.
import { z } from 'zod';
import { MAX_ITEM_NOTES, MAX_LABOR_SEGMENTS, MAX_LABOR_WALL_MS, MAX_NOTE_CHARS } from './limits';
import { DEFER_COOLDOWN_MAX_MINUTES, DEFER_COOLDOWN_MIN_MINUTES } from './defer-policy';
import { EXCEPTION_CLASSES } from './desk-names';

/** Defined zod-free in desk-names.ts (the renderer needs the list without zod). */
export { EXCEPTION_CLASSES };
export const ExceptionClass = z.enum(EXCEPTION_CLASSES);
export type ExceptionClass = z.infer<typeof ExceptionClass>;

export const ROLES = ['reviewer', 'owner', 'supervisor', 'producer', 'admin'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** Server-side lifecycle of an item. `leased` and `escalated` items have an assignee. */
export const ITEM_STATUSES = ['open', 'leased', 'escalated', 'resolved', 'withdrawn'] as const;
export const ItemStatus = z.enum(ITEM_STATUSES);
export type ItemStatus = z.infer<typeof ItemStatus>;

export const OUTCOME_KINDS = ['approve', 'reject', 'correct'] as const;
export const OutcomeKind = z.enum(OUTCOME_KINDS);
export type OutcomeKind = z.infer<typeof OutcomeKind>;

/**
 * Everything a reviewer can send. Outcomes are approve / reject / correct; the rest are not outcomes.
 * `override` is the queue owner's: revert someone else's outcome and record the owner's, in one step (DESIGN §8).
 */
export const MUTATION_KINDS = ['approve', 'reject', 'correct', 'escalate', 'defer', 'reclassify', 'note', 'revert', 'override'] as const;
export const MutationKind = z.enum(MUTATION_KINDS);
export type MutationKind = z.infer<typeof MutationKind>;

export const isOutcomeKind = (k: MutationKind): k is OutcomeKind => (OUTCOME_KINDS as readonly string[]).includes(k);

export const Id = z.string().min(1).max(128);
export const IsoDateTime = z.iso.datetime({ offset: true });
export const JsonObject = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof JsonObject>;

export const ReasonCode = z.object({
  code: z.string().min(1).max(64).regex(/^[a-z0-9_.-]+$/, 'reason codes are lower-case slugs'),
  label: z.string().min(1).max(200),
});
export type ReasonCode = z.infer<typeof ReasonCode>;

export const Queue = z.object({
  id: Id,
  name: z.string().min(1).max(200),
  workflow: z.string().min(1).max(200),
  stage: z.string().min(1).max(200),
  exceptionClass: ExceptionClass,
  /** A named user, never a team. Escalations go to this owner. */
  ownerId: Id,
  ownerName: z.string().min(1).max(200),
  slaTargetMinutes: z.number().int().positive(),
  idleThresholdSec: z.number().int().min(5).max(3600).default(60),
  /** Queue policy: minutes a deferred item stays away from whoever deferred it; absent: DEFER_COOLDOWN_MINUTES. */
  deferCooldownMinutes: z.number().int().min(DEFER_COOLDOWN_MIN_MINUTES).max(DEFER_COOLDOWN_MAX_MINUTES).optional(),
  reasonCodes: z.array(ReasonCode).min(1).max(50),
});
export type Queue = z.infer<typeof Queue>;

/** Why an AI output became an exception: a policy hit, a failed check, a rule, a low score. */
export const ExceptionReason = z.object({
  code: z.string().min(1).max(100),
  message: z.string().min(1).max(2000),
  severity: z.enum(['info', 'warning', 'error']).default('warning'),
  field: z.string().max(200).optional(),
});
export type ExceptionReason = z.infer<typeof ExceptionReason>;

export const Labor = z.object({
  activeMs: z.number().int().min(0),
  idleMs: z.number().int().min(0),
  wallMs: z.number().int().min(0),
  segments: z.number().int().min(0),
  openedAt: IsoDateTime,
  decidedAt: IsoDateTime,
  /** True when the decision follows a revert of the same item: rework labor. */
  rework: z.boolean().default(false),
}).superRefine((l, ctx) => {
  // Sanity: the desk's labor clock never produces these; a client that sends them has a broken clock (or lies).
  const problem = laborProblem(l);
  if (problem) ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
});
export type Labor = z.infer<typeof Labor>;

/** Why a labor record cannot be true, or null. The server refuses such a mutation; the desk checks it first. */
export function laborProblem(l: Pick<Labor, 'activeMs' | 'idleMs' | 'wallMs' | 'segments' | 'openedAt' | 'decidedAt'>):
{ path: string; message: string } | null {
  if (l.wallMs > MAX_LABOR_WALL_MS) return { path: 'wallMs', message: `wallMs over ${MAX_LABOR_WALL_MS} (30 days) is a clock fault, not labor` };
  if (l.activeMs > l.wallMs) return { path: 'activeMs', message: 'activeMs cannot exceed wallMs' };
  if (l.idleMs > l.wallMs) return { path: 'idleMs', message: 'idleMs cannot exceed wallMs' };
  if (l.segments > MAX_LABOR_SEGMENTS) return { path: 'segments', message: `at most ${MAX_LABOR_SEGMENTS} segments` };
  if (Date.parse(l.decidedAt) < Date.parse(l.openedAt)) return { path: 'decidedAt', message: 'decidedAt is before openedAt' };
  return null;
}

export const Outcome = z.object({
  kind: OutcomeKind,
  at: IsoDateTime,
  by: Id,
  reasonCode: z.string().optional(),
  correctedOutput: JsonObject.optional(),
  comment: z.string().optional(),
});
export type Outcome = z.infer<typeof Outcome>;

export const ItemNote = z.object({ by: Id, at: IsoDateTime, text: z.string().min(1).max(MAX_NOTE_CHARS) });
export type ItemNote = z.infer<typeof ItemNote>;

/** One exception item as the server sees it (and as the cache stores the server's copy). */
export const Item = z.object({
  id: Id,
  source: z.string().min(1).max(200),
  externalId: z.string().min(1).max(200),
  queueId: Id,
  workflow: z.string(),
  stage: z.string(),
  exceptionClass: ExceptionClass,
  title: z.string().min(1).max(500),
  summary: z.string().max(4000).optional(),
  /** Model confidence in [0, 1], when the workflow has one. */
  confidence: z.number().min(0).max(1).nullable(),
  reasons: z.array(ExceptionReason).max(100),
  input: JsonObject,
  output: JsonObject,
  status: ItemStatus,
  assigneeId: Id.nullable(),
  /** Bumped on every lease, escalation and reassignment; outcomes are unique per (item, epoch). */
  assignmentEpoch: z.number().int().min(0),
  leaseExpiresAt: IsoDateTime.nullable(),
  /** Bumped on every change of the item. */
  version: z.number().int().min(1),
  createdAt: IsoDateTime,
  /** First enqueue; a reclassification does not reset it (DESIGN §8). */
  enqueuedAt: IsoDateTime,
  slaDueAt: IsoDateTime,
  outcome: Outcome.nullable(),
  notes: z.array(ItemNote).max(MAX_ITEM_NOTES),
  /** Set while the item sits with the path owner after an escalation. */
  escalation: z
    .object({ by: Id, at: IsoDateTime, reasonCode: z.string(), comment: z.string().optional() })
    .nullable(),
});
export type Item = z.infer<typeof Item>;
