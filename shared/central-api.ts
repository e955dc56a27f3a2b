// Bodies of the central API v1 (DESIGN.md §5). The reference server validates with these, the desk
// validates every server response with these, and GET /v1/openapi.json is generated from them.
import { z } from 'zod';
import {
  ExceptionClass, ExceptionReason, Id, IsoDateTime, Item, JsonObject, Labor, Queue, Role,
} from './domain';
import {
  freeJsonProblem, INGEST_KEY_PATTERN, MAX_CLAIM_COUNT, MAX_COMMENT_CHARS, MAX_CORRECTION_BYTES, MAX_ITEM_JSON_BYTES, MAX_LEASE_MINUTES,
  MAX_NOTE_CHARS,
} from './limits';
import { FeedDecisionOpsFields, OverridePayload } from './ops-api';

export const API_VERSION = 'v1';
export const MAX_INGEST_BATCH = 1000;
export const MAX_PUSH_BATCH = 500;
export const MAX_PULL_LIMIT = 1000;
export { MAX_CLAIM_COUNT, MAX_LEASE_MINUTES };

/** A free-form JSON object the server will store: bounded depth and size, no keys its parser refuses (shared/limits.ts). */
// Checked on the raw input, before z.record builds its output: a record drops a `__proto__` key (assigning it
// sets the prototype instead), so a check on the parsed value would pass what the server's parser refuses.
export const boundedJsonObject = (maxBytes: number) => z.unknown().superRefine((v, ctx) => {
  const problem = freeJsonProblem(v, maxBytes);
  if (problem) ctx.addIssue({ code: 'custom', message: `this JSON value ${problem}` });
}).pipe(JsonObject);
const ingestKey = z.string().min(1).max(200).regex(INGEST_KEY_PATTERN, 'no control characters (U+0000 to U+001F, U+007F)');

// ---------- problem details (RFC 9457) ----------

/** Stable problem `type`s; clients branch on these, never on `title`. */
export const PROBLEM_TYPES = {
  validation: 'urn:exception-desk:problem:validation',
  unauthorized: 'urn:exception-desk:problem:unauthorized',
  forbidden: 'urn:exception-desk:problem:forbidden',
  notFound: 'urn:exception-desk:problem:not-found',
  mutationGap: 'urn:exception-desk:problem:mutation-gap',
  clientOwnedByOther: 'urn:exception-desk:problem:client-owned-by-other-user',
  payloadTooLarge: 'urn:exception-desk:problem:payload-too-large',
  unavailable: 'urn:exception-desk:problem:unavailable',
  conflict: 'urn:exception-desk:problem:conflict',
  internal: 'urn:exception-desk:problem:internal',
  /** A bundle file (DESIGN §11) failed verification; nothing was applied. `errors[0].message` is its BundleErrorCode. */
  bundleRefused: 'urn:exception-desk:problem:bundle-refused',
} as const;

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  /** Field errors for `validation` problems. */
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  /** For `mutation-gap` (409): the next mutation id the server expects from this client. */
  expectedMutationId: z.number().int().optional(),
});
export type Problem = z.infer<typeof Problem>;

// ---------- health, me, queues ----------

/**
 * A server's stable identity: random per database, the same across restarts and ports. A desk binds its
 * cache to it (never to the URL, which may change: the embedded demo server gets a new port every launch).
 * Optional so a desk still talks to a server that predates it (it then falls back to the URL).
 */
export const ServerId = z.string().min(1).max(200);

export const Health = z.object({ status: z.literal('ok'), version: z.string(), apiVersion: z.literal(API_VERSION), serverId: ServerId.optional() });
export type Health = z.infer<typeof Health>;
/** GET /v1/ready: this node can serve (its database answers, it is not draining); otherwise a 503 problem. */
export const Readiness = z.object({ status: z.literal('ready'), database: z.enum(['sqlite', 'postgres']) });
export type Readiness = z.infer<typeof Readiness>;

export const Me = z.object({ id: Id, name: z.string(), roles: z.array(Role).min(1), serverId: ServerId.optional() });
export type Me = z.infer<typeof Me>;

export const QueuesResponse = z.object({ queues: z.array(Queue) });
export type QueuesResponse = z.infer<typeof QueuesResponse>;

// ---------- ingest (producers) ----------

export const IngestItem = z.object({
  source: ingestKey,
  externalId: ingestKey,
  queueId: Id,
  title: z.string().min(1).max(500),
  summary: z.string().max(4000).optional(),
  confidence: z.number().min(0).max(1).nullable().default(null),
  reasons: z.array(ExceptionReason).max(100).default([]),
  input: boundedJsonObject(MAX_ITEM_JSON_BYTES),
  output: boundedJsonObject(MAX_ITEM_JSON_BYTES),
});
export type IngestItem = z.input<typeof IngestItem>;

export const IngestRequest = z.object({ items: z.array(IngestItem).min(1).max(MAX_INGEST_BATCH) });
export type IngestRequest = z.input<typeof IngestRequest>;

export const IngestResponse = z.object({
  created: z.number().int(),
  existing: z.number().int(),
  items: z.array(z.object({ source: z.string(), externalId: z.string(), id: Id, created: z.boolean() })),
});
export type IngestResponse = z.infer<typeof IngestResponse>;

// ---------- claims and assignments ----------

export const ClaimRequest = z.object({
  count: z.number().int().min(1).max(MAX_CLAIM_COUNT),
  queueIds: z.array(Id).max(100).optional(),
  leaseMinutes: z.number().int().min(1).max(MAX_LEASE_MINUTES).default(30),
});
export type ClaimRequest = z.input<typeof ClaimRequest>;

export const ClaimResponse = z.object({ items: z.array(Item) });
export type ClaimResponse = z.infer<typeof ClaimResponse>;

export const AssignmentRequest = z.object({
  itemIds: z.array(Id).min(1).max(MAX_CLAIM_COUNT),
  assigneeId: Id,
  leaseMinutes: z.number().int().min(1).max(MAX_LEASE_MINUTES).default(60),
});
export type AssignmentRequest = z.input<typeof AssignmentRequest>;

export const AssignmentResponse = z.object({ items: z.array(Item) });
export type AssignmentResponse = z.infer<typeof AssignmentResponse>;

/**
 * Renew leases the caller holds while online (issue 8 item 4): each named item still leased to the caller
 * in its current epoch gets `now + leaseMinutes` (never shorter than it had; never past MAX_LEASE_MINUTES
 * from now). Everything else is listed in `notRenewed`, untouched.
 */
export const LeaseRenewRequest = z.object({
  itemIds: z.array(Id).min(1).max(MAX_CLAIM_COUNT),
  leaseMinutes: z.number().int().min(1).max(MAX_LEASE_MINUTES),
});
export type LeaseRenewRequest = z.input<typeof LeaseRenewRequest>;

export const LeaseRenewResponse = z.object({ items: z.array(Item), notRenewed: z.array(Id) });
export type LeaseRenewResponse = z.infer<typeof LeaseRenewResponse>;

// ---------- mutations ----------

const comment = z.string().max(MAX_COMMENT_CHARS).optional();
const reasonCode = z.string().min(1).max(64);

export const MutationPayloads = {
  approve: z.object({ comment }),
  reject: z.object({ reasonCode, comment }),
  correct: z.object({ correctedOutput: boundedJsonObject(MAX_CORRECTION_BYTES), comment }),
  escalate: z.object({ reasonCode, comment }),
  defer: z.object({ comment }),
  reclassify: z.object({ exceptionClass: ExceptionClass, reasonCode, comment }),
  note: z.object({ text: z.string().min(1).max(MAX_NOTE_CHARS) }),
  /** Undo a decision that reached the server: reopens the item to its decider; counts as rework. */
  revert: z.object({ comment }),
  /** The queue owner's outcome replacing another user's (shared/ops-api.ts); assignmentEpoch = the overridden outcome's epoch. */
  override: OverridePayload,
} as const;

const mutationBase = {
  mutationId: z.number().int().min(1),
  itemId: Id,
  /** The item version the reviewer saw. */
  baseVersion: z.number().int().min(0),
  /** The lease epoch the reviewer held; an outcome is unique per (item, epoch). */
  assignmentEpoch: z.number().int().min(0),
  /** Client wall-clock time of the decision. */
  at: IsoDateTime,
  labor: Labor.optional(),
  /**
   * SHA-256 (lower-case hex) of mutationHashInput({ kind, itemId, baseVersion, assignmentEpoch, payload }). The
   * server recomputes it: a mismatch is answered `rejected` / `payload_hash_mismatch`.
   */
  payloadHash: z.string().regex(/^[0-9a-f]{64}$/, 'payloadHash is the lower-case hex SHA-256 of mutationHashInput(...)'),
};

export const Mutation = z.discriminatedUnion('kind', [
  z.object({ ...mutationBase, kind: z.literal('approve'), payload: MutationPayloads.approve }),
  z.object({ ...mutationBase, kind: z.literal('reject'), payload: MutationPayloads.reject }),
  z.object({ ...mutationBase, kind: z.literal('correct'), payload: MutationPayloads.correct }),
  z.object({ ...mutationBase, kind: z.literal('escalate'), payload: MutationPayloads.escalate }),
  z.object({ ...mutationBase, kind: z.literal('defer'), payload: MutationPayloads.defer }),
  z.object({ ...mutationBase, kind: z.literal('reclassify'), payload: MutationPayloads.reclassify }),
  z.object({ ...mutationBase, kind: z.literal('note'), payload: MutationPayloads.note }),
  z.object({ ...mutationBase, kind: z.literal('revert'), payload: MutationPayloads.revert }),
  z.object({ ...mutationBase, kind: z.literal('override'), payload: MutationPayloads.override }),
]);
export type Mutation = z.infer<typeof Mutation>;
export type MutationPayload<K extends Mutation['kind']> = Extract<Mutation, { kind: K }>['payload'];

/**
 * The canonical string a client hashes (SHA-256, hex) into `payloadHash`. Keys sorted at every depth so
 * the same decision always hashes the same, whatever order its object was built in.
 */
export function mutationHashInput(m: Pick<Mutation, 'kind' | 'itemId' | 'baseVersion' | 'assignmentEpoch' | 'payload'>): string {
  return canonicalJson({ kind: m.kind, itemId: m.itemId, baseVersion: m.baseVersion, assignmentEpoch: m.assignmentEpoch, payload: m.payload });
}

/**
 * JSON with object keys sorted (UTF-16 code unit order) and undefined members left out: the same text for the
 * same value on every side. Built by string concatenation (no entry arrays, no joins): the server hashes every
 * pushed mutation with it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    // A hole (never in parsed JSON) stays empty, as Array.prototype.join leaves it.
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + (i in value ? canonicalJson(value[i]) : '');
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // Array.prototype.sort's default order compares UTF-16 code units, as `<` on strings does.
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

export const MUTATION_STATUSES = ['applied', 'duplicate', 'conflict', 'rejected'] as const;
export const MutationStatus = z.enum(MUTATION_STATUSES);
export type MutationStatus = z.infer<typeof MutationStatus>;

/** The world moved after the reviewer decided: the desk keeps the decision in its conflicts inbox (DESIGN §5). */
export const CONFLICT_CODES = ['reassigned', 'resolved_elsewhere', 'lease_expired', 'stale_epoch', 'withdrawn'] as const;
/** The mutation can never apply as sent: answered `rejected`, the client's floor still moves on. */
export const REJECTION_CODES = ['unknown_item', 'not_assigned', 'unknown_reason_code', 'invalid_transition', 'nothing_to_revert', 'client_diverged',
  'limit_exceeded', 'payload_hash_mismatch'] as const;
/** Stable result codes of a pushed mutation: the one list (server, desk and renderer read it from here). */
export const MUTATION_RESULT_CODES = ['ok', ...CONFLICT_CODES, ...REJECTION_CODES] as const;
export const ConflictCode = z.enum(CONFLICT_CODES);
export type ConflictCode = z.infer<typeof ConflictCode>;
export const RejectionCode = z.enum(REJECTION_CODES);
export type RejectionCode = z.infer<typeof RejectionCode>;

/** What each result code means (the contract's documentation; a new code does not compile without one). */
export const MUTATION_RESULT_CODE_MEANINGS: Record<(typeof MUTATION_RESULT_CODES)[number], string> = {
  ok: 'applied (or, for a duplicate, applied earlier)',
  reassigned: 'a supervisor gave the item to someone else after the lease the reviewer decided under',
  resolved_elsewhere: 'the item already has an outcome for this lease, or another user decided it',
  lease_expired: 'the lease ran out before the decision arrived; the item went back to its queue (and may be leased again)',
  stale_epoch: 'the lease the reviewer decided under ended some other way (escalated, deferred, superseded)',
  withdrawn: 'the producer withdrew the item',
  unknown_item: 'the server has no such item (or it has no queue)',
  not_assigned: 'the item was not leased to this user in the epoch the mutation names',
  unknown_reason_code: 'the reason code is not one of the queue\'s reason codes',
  invalid_transition: 'the mutation does not apply to the item in its state (already escalated, owner escalating, a note without a lease)',
  nothing_to_revert: 'a revert found no outcome or escalation of this user to take back (defers and notes stand)',
  client_diverged: 'a mutation id the server already settled came again with a different payload hash (e.g. a cache restored from backup)',
  limit_exceeded: 'the item holds as much as it may (e.g. MAX_ITEM_NOTES)',
  payload_hash_mismatch: 'payloadHash is not the hash of this mutation',
};

export const isConflictCode = (code: string): code is ConflictCode => (CONFLICT_CODES as readonly string[]).includes(code);

export const MutationResultCode = z.enum(MUTATION_RESULT_CODES);
export type MutationResultCode = z.infer<typeof MutationResultCode>;

export const MutationResult = z.object({
  mutationId: z.number().int().min(1),
  itemId: Id,
  status: MutationStatus,
  code: MutationResultCode,
  message: z.string().optional(),
  /**
   * The server's current item (null if it does not exist or is no longer visible to this user). Absent only
   * in a lean push result (PushRequest.leanResults): the client applies the mutation to its own copy.
   */
  item: Item.nullable().optional(),
  /** A lean result's item version after the mutation: the client's copy was at `version - 1` (its baseVersion). */
  version: z.number().int().min(1).optional(),
});
export type MutationResult = z.infer<typeof MutationResult>;

export const PushRequest = z.object({
  /** One desk installation's id; belongs to one user. */
  clientId: z.string().min(8).max(128),
  /**
   * Lean results: an applied mutation of a kind whose effect reads only the item, the mutation and the user
   * (LEAN_RESULT_KINDS), on an item still at the mutation's baseVersion, is answered with the item's new
   * `version` instead of the item; the client applies the mutation to its copy (shared/item-effects.ts
   * applyMutationToItem, the function the server applied) and has the server's item. Every other result
   * carries the item as without the flag. A server that predates the flag ignores it (full results).
   */
  leanResults: z.boolean().optional(),
  /** In increasing mutationId order, each id once (a batch is applied in order; an id twice is a client bug). */
  mutations: z.array(Mutation).min(1).max(MAX_PUSH_BATCH).superRefine((ms, ctx) => {
    for (let i = 1; i < ms.length; i++) {
      if (ms[i].mutationId <= ms[i - 1].mutationId) {
        ctx.addIssue({ code: 'custom', path: [i, 'mutationId'], message: `mutation ids in a batch must increase: ${ms[i].mutationId} follows ${ms[i - 1].mutationId}` });
        return;
      }
    }
  }),
});
export type PushRequest = z.input<typeof PushRequest>;

export const PushResponse = z.object({
  /** The last mutation id of this client that the server has settled. */
  lastMutationId: z.number().int().min(0),
  results: z.array(MutationResult),
});
export type PushResponse = z.infer<typeof PushResponse>;

// ---------- pull ----------

export const REMOVAL_REASONS = ['reassigned', 'resolved_elsewhere', 'withdrawn', 'lease_expired', 'decided', 'escalated', 'deferred'] as const;
export const RemovalReason = z.enum(REMOVAL_REASONS);
export type RemovalReason = z.infer<typeof RemovalReason>;

export const PullQuery = z.object({
  /** Opaque; omit for a first pull. */
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PULL_LIMIT).default(500),
  clientId: z.string().min(8).max(128).optional(),
});
export type PullQuery = z.input<typeof PullQuery>;

export const PullResponse = z.object({
  cursor: z.string(),
  hasMore: z.boolean(),
  /** True when the given cursor was unknown or too old: the client must replace its whole server copy. */
  reset: z.boolean(),
  upserts: z.array(Item),
  removals: z.array(z.object({ itemId: Id, reason: RemovalReason, item: Item.nullable().optional() })),
  queues: z.array(Queue),
  /** Results of this client's mutations settled since the cursor (needs `clientId` in the query). */
  results: z.array(MutationResult),
  /** This client's last settled mutation id, when `clientId` was given. */
  lastMutationId: z.number().int().min(0).optional(),
  serverTime: IsoDateTime,
});
export type PullResponse = z.infer<typeof PullResponse>;

// ---------- decisions feed (producers) ----------

export const FeedDecision = z.object({
  seq: z.number().int(),
  itemId: Id,
  source: z.string(),
  externalId: z.string(),
  kind: z.enum(['approve', 'reject', 'correct', 'revert', 'override']),
  at: IsoDateTime,
  by: Id,
  assignmentEpoch: z.number().int(),
  reasonCode: z.string().optional(),
  correctedOutput: JsonObject.optional(),
  comment: z.string().optional(),
  ...FeedDecisionOpsFields.shape,
});
export type FeedDecision = z.infer<typeof FeedDecision>;

export const DecisionsQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PULL_LIMIT).default(500),
});
export const DecisionsResponse = z.object({ cursor: z.string(), hasMore: z.boolean(), decisions: z.array(FeedDecision) });
export type DecisionsResponse = z.infer<typeof DecisionsResponse>;
