// Bodies of the exception-operations endpoints of the central API v1 (DESIGN.md §8, §5): producers' run
// volumes and downstream corrections, queue policy, owners' overrides and rollbacks, rollback-trigger
// alerts, the metrics, design signals and the weekly review. The server validates with these, the desk
// validates every answer with these, and GET /v1/openapi.json is generated from them.
import { z } from 'zod';
import { DEFER_COOLDOWN_MAX_MINUTES, DEFER_COOLDOWN_MIN_MINUTES } from './defer-policy';
import { Id, IsoDateTime, Item, JsonObject, OutcomeKind } from './domain';
import { freeJsonProblem, INGEST_KEY_PATTERN, MAX_COMMENT_CHARS, MAX_CORRECTION_BYTES } from './limits';
import { IsoWeek, isoWeekBounds, MetricName, SCORECARD_THRESHOLDS, SIGNAL_DECISION_DUE_DAYS } from './metrics-definitions';
import { bucketCount, MAX_BUCKETS, METRICS_BUCKETS } from './ops-buckets';

export const MAX_RUNS_BATCH = 1000;
export const MAX_CORRECTIONS_BATCH = 1000;
/** Rollbacks revert at most this many outcomes per write transaction. */
export const ROLLBACK_BATCH_SIZE = 200;
/** A rollback may cover at most this many outcomes (narrow the filter for more). */
export const MAX_ROLLBACK_ITEMS = 100_000;
export const ROLLBACK_SAMPLE_SIZE = 20;
/** Figures list at most this many item ids; `itemIdsTotal` and `filter` say how to get the rest. */
export const MAX_EVIDENCE_IDS = 500;
/** A metrics interval may span at most this many days. */
export const MAX_METRICS_DAYS = 400;

const text = (max: number) => z.string().min(1).max(max);
/** Same key rules as ingest (shared/limits.ts): no control characters. */
const source = text(200).regex(INGEST_KEY_PATTERN, 'no control characters (U+0000 to U+001F, U+007F)');
const reason = text(MAX_COMMENT_CHARS);
/** A corrected output the server will store: bounded depth and size, no keys its parser refuses. */
const correctedOutput = JsonObject.superRefine((v, ctx) => {
  const problem = freeJsonProblem(v, MAX_CORRECTION_BYTES);
  if (problem) ctx.addIssue({ code: 'custom', message: `this JSON value ${problem}` });
});

/** ISO 4217 alphabetic code. */
export const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code such as EUR or USD');
export const Money = z.object({ amount: z.number().finite().min(0).max(1e12), currency: CurrencyCode });
export type Money = z.infer<typeof Money>;

const chronological = <T extends { from: string; to: string }>(v: T) => Date.parse(v.from) < Date.parse(v.to);

// ---------- runs (producers) ----------

export const RunReport = z.object({
  source,
  workflow: text(200),
  stage: text(200).optional(),
  periodStart: IsoDateTime,
  periodEnd: IsoDateTime,
  /** Runs of the workflow in the period, with or without an exception. */
  runs: z.number().int().min(0).max(1e12),
  /** What all these runs cost straight through (compute, fees), for the whole period. */
  straightThroughCost: Money.optional(),
}).refine((r) => Date.parse(r.periodStart) < Date.parse(r.periodEnd), { message: 'periodEnd must be after periodStart', path: ['periodEnd'] });
export type RunReport = z.input<typeof RunReport>;

export const RunsRequest = z.object({ runs: z.array(RunReport).min(1).max(MAX_RUNS_BATCH) });
export type RunsRequest = z.input<typeof RunsRequest>;

/** Idempotent on (source, workflow, stage, periodStart): the same report again is `existing`; a different one for the same key is 409. */
export const RunsResponse = z.object({ created: z.number().int(), existing: z.number().int() });
export type RunsResponse = z.infer<typeof RunsResponse>;

// ---------- corrections (producers) ----------

export const CorrectionReport = z.object({
  source,
  /** The item, by its id or by (source, externalId) of the exception as ingested; exactly one of the two. */
  itemId: Id.optional(),
  externalId: source.optional(),
  detectedAt: IsoDateTime,
  cost: z.object({
    minutes: z.number().finite().min(0).max(1e7).optional(),
    /** In the item's queue currency (a different currency is refused). */
    amount: Money.optional(),
  }),
  note: text(4000),
}).refine((c) => (c.itemId === undefined) !== (c.externalId === undefined), { message: 'give exactly one of itemId or externalId', path: ['itemId'] });
export type CorrectionReport = z.input<typeof CorrectionReport>;

export const CorrectionsRequest = z.object({ corrections: z.array(CorrectionReport).min(1).max(MAX_CORRECTIONS_BATCH) });
export type CorrectionsRequest = z.input<typeof CorrectionsRequest>;

/** Idempotent on (item, source, detectedAt). `alerts` lists rollback-trigger alerts these corrections tripped. */
export const CorrectionsResponse = z.object({
  created: z.number().int(),
  existing: z.number().int(),
  corrections: z.array(z.object({ id: Id, itemId: Id, created: z.boolean() })),
  alerts: z.array(Id),
});
export type CorrectionsResponse = z.infer<typeof CorrectionsResponse>;

// ---------- queue policy (admin or the queue's owner) ----------

export const RollbackTriggerRule = z.discriminatedUnion('kind', [
  /** ≥ atLeast corrections of the queue's outcomes detected within the last windowHours. */
  z.object({ kind: z.literal('corrections_count'), atLeast: z.number().int().min(1).max(1_000_000), windowHours: z.number().int().min(1).max(24 * 90) }),
  /** corrections ÷ approvals ≥ atLeastPercent over the last windowDays (with at least minApprovals approvals). */
  z.object({
    kind: z.literal('correction_rate'), atLeastPercent: z.number().gt(0).max(100), windowDays: z.number().int().min(1).max(90),
    minApprovals: z.number().int().min(1).max(1_000_000).default(20),
  }),
]);
export type RollbackTriggerRule = z.infer<typeof RollbackTriggerRule>;

export const LaborCost = z.object({ amountPerHour: z.number().finite().min(0).max(1e7), currency: CurrencyCode });
export type LaborCost = z.infer<typeof LaborCost>;

export const QueuePolicy = z.object({
  queueId: Id,
  workflow: z.string(),
  stage: z.string(),
  exceptionClass: z.string(),
  ownerId: Id,
  slaTargetMinutes: z.number().int().positive(),
  idleThresholdSec: z.number().int(),
  /** Minutes a deferred item stays away from whoever deferred it (the default when the queue sets none). */
  deferCooldownMinutes: z.number().int(),
  laborCost: LaborCost.nullable(),
  rollbackTrigger: RollbackTriggerRule.nullable(),
  updatedAt: IsoDateTime.nullable(),
  updatedBy: Id.nullable(),
});
export type QueuePolicy = z.infer<typeof QueuePolicy>;

/** A change of some policy fields of one queue; fields left out stay as they are, `null` clears. */
export const QueuePolicyUpdate = z.object({
  queueId: Id,
  ownerId: Id.optional(),
  slaTargetMinutes: z.number().int().min(1).max(525_600).optional(),
  idleThresholdSec: z.number().int().min(5).max(3600).optional(),
  deferCooldownMinutes: z.number().int().min(DEFER_COOLDOWN_MIN_MINUTES).max(DEFER_COOLDOWN_MAX_MINUTES).optional(),
  laborCost: LaborCost.nullable().optional(),
  rollbackTrigger: RollbackTriggerRule.nullable().optional(),
}).strict();
export type QueuePolicyUpdate = z.input<typeof QueuePolicyUpdate>;

export const QueuePoliciesResponse = z.object({ policies: z.array(QueuePolicy) });
export type QueuePoliciesResponse = z.infer<typeof QueuePoliciesResponse>;

// ---------- override (a mutation kind on POST /v1/sync/push) ----------

/**
 * The owner's outcome replacing someone else's, in one transaction, with a reason. Sent as a mutation of
 * kind `override` whose `assignmentEpoch` is the epoch of the outcome being overridden.
 */
export const OverridePayload = z.object({
  outcome: OutcomeKind,
  /** Required for reject (a reason code of the item's queue). */
  reasonCode: z.string().min(1).max(64).optional(),
  /** Required for correct. */
  correctedOutput: correctedOutput.optional(),
  reason,
}).refine((p) => p.outcome !== 'reject' || p.reasonCode !== undefined, { message: 'an override to reject needs a reasonCode', path: ['reasonCode'] })
  .refine((p) => p.outcome !== 'correct' || p.correctedOutput !== undefined, { message: 'an override to correct needs correctedOutput', path: ['correctedOutput'] });
export type OverridePayload = z.infer<typeof OverridePayload>;

// ---------- rollback (owner of the queues, or admin) ----------

/** `input.` or `output.` then a dotted key, e.g. `output.modelVersion`. */
export const MetadataPath = z.string().max(200).regex(/^(input|output)(\.[A-Za-z0-9_-]{1,64}){1,8}$/, 'input.<key> or output.<key>, dotted (e.g. output.modelVersion)');

export const RollbackFilter = z.object({
  /** Queues to roll back in; all of them must be the caller's. Omitted: every queue the caller owns. */
  queueIds: z.array(Id).min(1).max(100).optional(),
  reviewerIds: z.array(Id).min(1).max(100).optional(),
  outcomes: z.array(OutcomeKind).min(1).max(3).optional(),
  reasonCodes: z.array(z.string().min(1).max(64)).min(1).max(50).optional(),
  /** Outcomes decided (server time) in [from, to). */
  from: IsoDateTime,
  to: IsoDateTime,
  metadata: z.object({ path: MetadataPath, equals: z.union([z.string().max(500), z.number(), z.boolean()]) }).optional(),
}).refine(chronological, { message: 'to must be after from', path: ['to'] });
export type RollbackFilter = z.infer<typeof RollbackFilter>;

export const RollbackId = z.string().min(8).max(128).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');

export const RollbackRequest = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('preview'), filter: RollbackFilter }),
  /** Idempotent by rollbackId: the same id again answers its progress; with a different filter or reason, 409. */
  z.object({ mode: z.literal('apply'), rollbackId: RollbackId, filter: RollbackFilter, reason }),
]);
export type RollbackRequest = z.input<typeof RollbackRequest>;

export const RollbackSampleItem = z.object({
  itemId: Id, queueId: Id, title: z.string(), outcome: OutcomeKind, decidedBy: Id, decidedAt: IsoDateTime, reasonCode: z.string().nullable(),
});

export const RollbackPreview = z.object({
  mode: z.literal('preview'),
  count: z.number().int(),
  byQueue: z.array(z.object({ queueId: Id, count: z.number().int() })),
  sample: z.array(RollbackSampleItem).max(ROLLBACK_SAMPLE_SIZE),
});
export type RollbackPreview = z.infer<typeof RollbackPreview>;

export const ROLLBACK_STATUSES = ['running', 'completed'] as const;
export const RollbackProgress = z.object({
  mode: z.literal('apply'),
  rollbackId: RollbackId,
  status: z.enum(ROLLBACK_STATUSES),
  by: Id,
  reason: z.string(),
  filter: RollbackFilter,
  /** Outcomes matched when the rollback started. */
  total: z.number().int(),
  /** Reverted by this rollback so far (each is one `revert` on the decisions feed with this rollbackId). */
  reverted: z.number().int(),
  /** Matched, but their outcome changed before their batch ran (reverted or overridden meanwhile). */
  skipped: z.number().int(),
  batchSize: z.number().int(),
  startedAt: IsoDateTime,
  finishedAt: IsoDateTime.nullable(),
});
export type RollbackProgress = z.infer<typeof RollbackProgress>;

export const RollbackResponse = z.discriminatedUnion('mode', [RollbackPreview, RollbackProgress]);
export type RollbackResponse = z.infer<typeof RollbackResponse>;

export const RollbackQuery = z.object({ rollbackId: RollbackId });

// ---------- rollback-trigger alerts ----------

export const RollbackAlert = z.object({
  id: Id,
  queueId: Id,
  ownerId: Id,
  rule: RollbackTriggerRule,
  trippedAt: IsoDateTime,
  evidence: z.object({
    corrections: z.number().int(),
    approvals: z.number().int().nullable(),
    ratePercent: z.number().nullable(),
    windowFrom: IsoDateTime,
    windowTo: IsoDateTime,
    itemIds: z.array(Id).max(MAX_EVIDENCE_IDS),
  }),
  proposedFilter: RollbackFilter,
  status: z.enum(['open', 'acknowledged']),
  acknowledgedAt: IsoDateTime.nullable(),
  acknowledgedBy: Id.nullable(),
  note: z.string().nullable(),
});
export type RollbackAlert = z.infer<typeof RollbackAlert>;

export const AlertsQuery = z.object({ status: z.enum(['open', 'acknowledged', 'all']).default('open') });
export const AlertsResponse = z.object({ alerts: z.array(RollbackAlert) });
export type AlertsResponse = z.infer<typeof AlertsResponse>;
export const AlertAckRequest = z.object({ alertId: Id, note: z.string().max(4000).optional() });
export type AlertAckRequest = z.input<typeof AlertAckRequest>;

// ---------- metrics: the shapes every figure shares ----------

const MetricsQueryFields = z.object({
  from: IsoDateTime,
  to: IsoDateTime,
  workflow: z.string().min(1).max(200).optional(),
  queueId: Id.optional(),
});
const boundedInterval = <T extends z.ZodType<{ from: string; to: string }>>(s: T) => s
  .refine(chronological, { message: 'to must be after from', path: ['to'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= MAX_METRICS_DAYS * 86_400_000, { message: `an interval spans at most ${MAX_METRICS_DAYS} days`, path: ['to'] });
export const MetricsQuery = boundedInterval(MetricsQueryFields);
export type MetricsQuery = z.input<typeof MetricsQuery>;

/** Figures over time come in UTC hours, UTC days or ISO weeks (shared/ops-buckets.ts). */
export const MetricsBucket = z.enum(METRICS_BUCKETS);
const fewEnoughBuckets = <T extends z.ZodType<{ from: string; to: string; bucket?: (typeof METRICS_BUCKETS)[number] }>>(s: T) => s
  .refine((q) => !q.bucket || bucketCount(q.bucket, Date.parse(q.from), Date.parse(q.to)) <= MAX_BUCKETS,
    { message: `at most ${MAX_BUCKETS} buckets: choose a larger bucket or a shorter interval`, path: ['bucket'] });

export const Interval = z.object({ from: IsoDateTime, to: IsoDateTime });
export type Interval = z.infer<typeof Interval>;

/** How to recompute a figure: the items behind it (up to MAX_EVIDENCE_IDS) and the filter that selects them all. */
export const Recompute = z.object({
  itemIds: z.array(Id).max(MAX_EVIDENCE_IDS),
  itemIdsTotal: z.number().int(),
  filter: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])),
});
export type Recompute = z.infer<typeof Recompute>;

/** One number with its definition, n, interval and how to recompute it. */
export const Figure = z.object({
  metric: MetricName,
  value: z.number().nullable(),
  n: z.number().int(),
  interval: Interval,
  recompute: Recompute,
  /** Set when the value is absent on purpose (e.g. "n < 20: percentiles hidden", "no runs reported"). */
  note: z.string().optional(),
});
export type Figure = z.infer<typeof Figure>;

/** p50 / p90 (null when n < 20) and max, in minutes. */
export const PercentileFigure = z.object({
  metric: MetricName,
  n: z.number().int(),
  p50: z.number().nullable(),
  p90: z.number().nullable(),
  max: z.number().nullable(),
  interval: Interval,
  recompute: Recompute,
  note: z.string().optional(),
});
export type PercentileFigure = z.infer<typeof PercentileFigure>;

// ---------- GET /v1/metrics/team ----------

export const TeamMetrics = z.object({
  interval: Interval,
  computedAt: IsoDateTime,
  throughput: Figure,
  /** Outcomes per UTC day of the interval. */
  perDay: z.array(z.object({ day: z.string(), outcomes: z.number().int() })),
  reviewers: z.array(z.object({
    reviewerId: Id,
    outcomes: Figure,
    staffedHours: z.number().int(),
    outcomesPerStaffedHour: Figure,
    laborMinutes: z.number(),
    reworkLaborMinutes: z.number(),
    handleTime: PercentileFigure,
  })),
  activeNow: z.object({ count: z.number().int(), reviewerIds: z.array(Id), since: IsoDateTime }),
  /** Asked with `bucket`: outcomes and labor per bucket of the interval (labor at the time it was recorded). */
  buckets: z.object({
    bucket: MetricsBucket,
    points: z.array(z.object({ start: IsoDateTime, outcomes: z.number().int(), laborMinutes: z.number(), reworkLaborMinutes: z.number() })),
  }).optional(),
});
export type TeamMetrics = z.infer<typeof TeamMetrics>;

/** GET /v1/metrics/team: `bucket` adds `buckets` (hour or day). */
export const TeamMetricsQuery = fewEnoughBuckets(boundedInterval(MetricsQueryFields.extend({ bucket: MetricsBucket.optional() })));

// ---------- GET /v1/metrics/control-points ----------

export const AtRiskItem = z.object({ itemId: Id, slaDueAt: IsoDateTime, minutesLeft: z.number(), status: z.string(), assigneeId: Id.nullable() });

export const ControlPointMetrics = z.object({
  queueId: Id,
  workflow: z.string(),
  stage: z.string(),
  exceptionClass: z.string(),
  ownerId: Id,
  slaTargetMinutes: z.number().int(),
  depth: Figure,
  age: PercentileFigure,
  timeToFirstTouch: PercentileFigure,
  resolutionTime: PercentileFigure,
  withinSla: z.object({ achieved: z.number().int(), breached: z.number().int(), percent: Figure }),
  breachedWhileOpen: Figure,
  atRisk: z.array(AtRiskItem),
  approvalLatency: PercentileFigure,
});
export type ControlPointMetrics = z.infer<typeof ControlPointMetrics>;

export const ControlPointsResponse = z.object({ interval: Interval, computedAt: IsoDateTime, controlPoints: z.array(ControlPointMetrics) });
export type ControlPointsResponse = z.infer<typeof ControlPointsResponse>;

// ---------- GET /v1/metrics/exception-tax ----------

export const TaxGroupBy = z.enum(['workflow', 'class', 'queue']);
/** `bucket` adds `series`: the same groups per bucket of the interval, for the chart over time. */
export const ExceptionTaxQuery = fewEnoughBuckets(boundedInterval(MetricsQueryFields.extend({ groupBy: TaxGroupBy.default('workflow'), bucket: MetricsBucket.optional() })));

export const ExceptionTaxGroup = z.object({
  key: z.string(),
  /** Queues behind this group; groups never mix currencies (a workflow with two currencies is two groups). */
  queueIds: z.array(Id),
  currency: CurrencyCode.nullable(),
  outcomes: z.number().int(),
  laborMinutes: z.number(),
  reworkLaborMinutes: z.number(),
  corrections: z.number().int(),
  correctionMinutes: z.number(),
  correctionAmount: z.number(),
  rework: z.object({ reverts: z.number().int(), overrides: z.number().int(), rolledBack: z.number().int(), corrections: z.number().int() }),
  laborMinutesPerOutcome: Figure,
  reworkRate: Figure,
  taxTotal: Figure,
  taxPerOutcome: Figure,
  runs: z.number().int(),
  straightThroughCost: z.number(),
  exceptionRate: Figure,
  costToCompletion: Figure,
  costToCompletionWithoutExceptions: Figure,
});
export type ExceptionTaxGroup = z.infer<typeof ExceptionTaxGroup>;

/** One group in one bucket: the figures of ExceptionTaxGroup the chart draws (null where there is no value). */
export const ExceptionTaxPoint = z.object({
  key: z.string(),
  currency: CurrencyCode.nullable(),
  outcomes: z.number().int(),
  laborMinutesPerOutcome: z.number().nullable(),
  reworkRate: z.number().nullable(),
  taxPerOutcome: z.number().nullable(),
  costToCompletion: z.number().nullable(),
  costToCompletionWithoutExceptions: z.number().nullable(),
});
export type ExceptionTaxPoint = z.infer<typeof ExceptionTaxPoint>;

export const ExceptionTaxResponse = z.object({
  interval: Interval, computedAt: IsoDateTime, groupBy: TaxGroupBy, groups: z.array(ExceptionTaxGroup),
  series: z.object({ bucket: MetricsBucket, points: z.array(z.object({ start: IsoDateTime, groups: z.array(ExceptionTaxPoint) })) }).optional(),
});
export type ExceptionTaxResponse = z.infer<typeof ExceptionTaxResponse>;

// ---------- design signals (GET /v1/metrics/signals, POST /v1/signals/decisions) ----------

export const SIGNAL_KINDS = ['trust_ai_further', 'delegate_override', 'tighten_input', 'simplify_branch', 'move_control_earlier'] as const;
export const SignalKind = z.enum(SIGNAL_KINDS);
export type SignalKind = z.infer<typeof SignalKind>;

/** The metric (definition and formula in shared/metrics-definitions.ts) of each signal kind. */
export const SIGNAL_METRIC: Record<SignalKind, MetricName> = {
  trust_ai_further: 'signal_trust_ai_further',
  delegate_override: 'signal_delegate_override',
  tighten_input: 'signal_tighten_input',
  simplify_branch: 'signal_simplify_branch',
  move_control_earlier: 'signal_move_control_earlier',
};

/**
 * A signal's id names its kind and subject, so an owner's decision on it sticks across recomputations:
 * `kind/queueId` (trust_ai_further, delegate_override), `kind/queueId/code` (tighten_input: the validation
 * code; simplify_branch: the reason code), `kind/workflow/stage` (move_control_earlier); each part
 * URI-encoded. Build and read ids only with `signalId` / `parseSignalId`.
 */
export const SignalIdText = z.string().min(3).max(700);
export type SignalSubjectRef =
  | { kind: 'trust_ai_further' | 'delegate_override'; queueId: string }
  | { kind: 'tighten_input' | 'simplify_branch'; queueId: string; code: string }
  | { kind: 'move_control_earlier'; workflow: string; stage: string };

export function signalId(ref: SignalSubjectRef): string {
  const parts = ref.kind === 'move_control_earlier' ? [ref.workflow, ref.stage] : ref.kind === 'tighten_input' || ref.kind === 'simplify_branch' ? [ref.queueId, ref.code] : [ref.queueId];
  return [ref.kind, ...parts.map(encodeURIComponent)].join('/');
}

/** The subject an id names, or null when it is not a well-formed signal id. */
export function parseSignalId(id: string): SignalSubjectRef | null {
  const [kind, ...raw] = id.split('/');
  let parts: string[];
  try {
    parts = raw.map(decodeURIComponent);
  } catch {
    return null;
  }
  if (parts.some((p) => p.length === 0) || signalIdPartsFor(kind) !== parts.length) return null;
  const ref: SignalSubjectRef = kind === 'move_control_earlier' ? { kind, workflow: parts[0], stage: parts[1] }
    : kind === 'tighten_input' || kind === 'simplify_branch' ? { kind, queueId: parts[0], code: parts[1] }
      : { kind: kind as 'trust_ai_further' | 'delegate_override', queueId: parts[0] };
  // Only the canonical spelling is an id (one subject, one id).
  return signalId(ref) === id ? ref : null;
}
const signalIdPartsFor = (kind: string | undefined) =>
  kind === 'trust_ai_further' || kind === 'delegate_override' ? 1 : kind === 'tighten_input' || kind === 'simplify_branch' || kind === 'move_control_earlier' ? 2 : -1;

export const SignalId = SignalIdText.refine((id) => parseSignalId(id) !== null, {
  message: 'a signal id: kind/queueId, kind/queueId/code or move_control_earlier/workflow/stage (parts URI-encoded)',
});

export const SIGNAL_STATUSES = ['open', 'accepted', 'dismissed'] as const;
export const SignalStatus = z.enum(SIGNAL_STATUSES);
export type SignalStatus = z.infer<typeof SignalStatus>;
export const SignalDecisionKind = z.enum(['accept', 'dismiss']);
export type SignalDecisionKind = z.infer<typeof SignalDecisionKind>;

/** The latest accept / dismiss of a signal (an ops event); a later decision replaces it. */
export const SignalDecisionRecord = z.object({ decision: SignalDecisionKind, by: Id, at: IsoDateTime, reason: z.string(), week: IsoWeek });
export type SignalDecisionRecord = z.infer<typeof SignalDecisionRecord>;

export const DesignSignal = z.object({
  id: SignalIdText,
  kind: SignalKind,
  metric: MetricName,
  title: z.string(),
  /** One sentence with the numbers: what fired and why. */
  summary: z.string(),
  subject: z.object({
    workflow: z.string(),
    stage: z.string(),
    queueId: Id.optional(),
    exceptionClass: z.string().optional(),
    /** simplify_branch: the reason code of the branch. */
    reasonCode: z.string().optional(),
    /** tighten_input: the exception reason (validation) code. */
    validationCode: z.string().optional(),
    /** simplify_branch: the outcome the branch leads to. */
    outcome: OutcomeKind.optional(),
  }),
  /** The owners who decide on it (the subject queues' owners). */
  ownerIds: z.array(Id),
  evidence: z.object({
    /** The denominator of the rule: outcomes, escalations, items, branches or corrections. */
    n: z.number().int(),
    /** The numerator for share rules (approves, items with the code, same outcome, corrections in the stage); null for delegate_override. */
    count: z.number().int().nullable(),
    /** The measured value: a percent for share rules, minutes (p90 latency) for delegate_override. */
    value: z.number(),
    unit: z.enum(['percent', 'minutes']),
    /** The threshold it met: percent (at least) or minutes (more than). */
    threshold: z.number(),
    comparison: z.enum(['at_least', 'more_than']),
    /** The rule in words, with its numbers. */
    rule: z.string(),
    interval: Interval,
    recompute: Recompute,
  }),
  minutesPerWeekSaved: z.number(),
  /** How the minutes were estimated (from the metric's formula). */
  savedBasis: z.string(),
  status: SignalStatus,
  decision: SignalDecisionRecord.nullable(),
});
export type DesignSignal = z.infer<typeof DesignSignal>;

export const SignalsQuery = boundedInterval(MetricsQueryFields.extend({
  status: z.enum([...SIGNAL_STATUSES, 'all']).default('all'),
  kind: SignalKind.optional(),
}));
export type SignalsQuery = z.input<typeof SignalsQuery>;

export const DesignSignalsResponse = z.object({ interval: Interval, computedAt: IsoDateTime, signals: z.array(DesignSignal) });
export type DesignSignalsResponse = z.infer<typeof DesignSignalsResponse>;

/**
 * An owner (of the signal's subject) or an admin accepts or dismisses a signal, with a reason. Accepting
 * puts an action item in the owner's weekly review pack of the week of the decision. The same decision
 * and reason as the latest one again records nothing (idempotent); a different one is a new event.
 */
export const SignalDecisionRequest = z.object({ signalId: SignalId, decision: SignalDecisionKind, reason }).strict();
export type SignalDecisionRequest = z.input<typeof SignalDecisionRequest>;
export const SignalDecisionResponse = z.object({
  signalId: SignalIdText,
  status: SignalStatus,
  decision: SignalDecisionRecord,
  /** False when this exact decision was already the latest one (nothing recorded). */
  recorded: z.boolean(),
  ownerIds: z.array(Id),
});
export type SignalDecisionResponse = z.infer<typeof SignalDecisionResponse>;

// ---------- operations scorecard (GET /v1/metrics/scorecard) ----------

export const SCORECARD_QUESTIONS = ['classified', 'control_points_with_sla', 'one_owner_per_path', 'tax_measured', 'feeding_redesign'] as const;
export const ScorecardQuestion = z.enum(SCORECARD_QUESTIONS);
export type ScorecardQuestion = z.infer<typeof ScorecardQuestion>;
export const SCORECARD_QUESTION_TEXT: Record<ScorecardQuestion, string> = {
  classified: 'Are exceptions classified?',
  control_points_with_sla: 'Do the control points have an SLA?',
  one_owner_per_path: 'Does every path have one named owner?',
  tax_measured: 'Is the exception tax measured?',
  feeding_redesign: 'Do recurring exceptions feed redesign?',
};
/** What each question counts (n) and what meets it (met); the colour thresholds are SCORECARD_THRESHOLDS. */
export const SCORECARD_DEFINITIONS: Record<ScorecardQuestion, string> = {
  classified: 'Exceptions of the workflow created in the interval that arrived classified: in a queue of a definite class and with at least one exception reason code saying why (a class comes from the queue, so an item without a reason code is the catch-all).',
  control_points_with_sla: 'Queues (control points: workflow + stage + class) of the workflow with an SLA target in minutes.',
  one_owner_per_path: 'Queues of the workflow whose owner is one named user who holds the owner role.',
  tax_measured: 'The parts the exception tax needs: a loaded labor cost per hour on each queue of the workflow, and run volumes with their straight-through cost reported for the interval (one part).',
  feeding_redesign: `Design signals of the workflow that fired over [from, to − ${SIGNAL_DECISION_DUE_DAYS} days) — so they have waited at least ${SIGNAL_DECISION_DUE_DAYS} days — and were accepted or dismissed before to.`,
};
export const scorecardThresholdText = (q: ScorecardQuestion) =>
  `green ≥ ${SCORECARD_THRESHOLDS[q].green} %, amber ≥ ${SCORECARD_THRESHOLDS[q].amber} %, red below; grey when there is nothing to count`;
export const ScorecardRatingSchema = z.enum(['green', 'amber', 'red', 'grey']);

export const ScorecardAnswer = z.object({
  question: ScorecardQuestion,
  text: z.string(),
  /** green / amber / red by SCORECARD_THRESHOLDS (shared/metrics-definitions.ts); grey: nothing to measure (n = 0). */
  rating: ScorecardRatingSchema,
  /** met ÷ n × 100; null when n = 0. */
  percent: z.number().nullable(),
  met: z.number().int(),
  n: z.number().int(),
  /** What is counted, and the colour thresholds, in words. */
  definition: z.string(),
  /** The answer in words with its numbers. */
  detail: z.string(),
  interval: Interval,
  /** Item ids where the question counts items; the filter names the queues, runs or signal ids counted. */
  recompute: Recompute,
});
export type ScorecardAnswer = z.infer<typeof ScorecardAnswer>;

export const ScorecardWorkflow = z.object({ workflow: z.string(), queueIds: z.array(Id), ownerIds: z.array(Id), answers: z.array(ScorecardAnswer) });
export type ScorecardWorkflow = z.infer<typeof ScorecardWorkflow>;

export const ScorecardQuery = MetricsQuery;
export const ScorecardResponse = z.object({ interval: Interval, computedAt: IsoDateTime, workflows: z.array(ScorecardWorkflow) });
export type ScorecardResponse = z.infer<typeof ScorecardResponse>;

// ---------- weekly review (GET/POST /v1/reviews/weekly, GET /v1/reviews/weekly/export) ----------

/** An ISO week the calendar has (2026-W53 exists, 2025-W53 does not: a year has 53 weeks when it starts on a Thursday, or a Wednesday in a leap year). */
export const ExistingIsoWeek = IsoWeek.refine((w) => {
  try {
    isoWeekBounds(w);
    return true;
  } catch {
    return false;
  }
}, { message: 'that year has no such ISO week' });

/** `ownerId` omitted: the caller's own pack (an owner); a supervisor or admin may read any owner's. */
export const WeeklyReviewQuery = z.object({ ownerId: Id.optional(), week: ExistingIsoWeek });
export type WeeklyReviewQuery = z.input<typeof WeeklyReviewQuery>;
export const WEEKLY_EXPORT_FORMATS = ['md', 'csv'] as const;
export const WeeklyExportFormat = z.enum(WEEKLY_EXPORT_FORMATS);
export type WeeklyExportFormat = z.infer<typeof WeeklyExportFormat>;
export const WeeklyExportQuery = WeeklyReviewQuery.extend({ format: WeeklyExportFormat });
export type WeeklyExportQuery = z.input<typeof WeeklyExportQuery>;

export const ActionItem = z.object({ text: text(1000), dueDate: z.iso.date().optional(), signalId: SignalIdText.optional() }).strict();
export type ActionItem = z.infer<typeof ActionItem>;

/** Marks an owner's week reviewed (the owner, or an admin). The same notes and action items as the latest mark again records nothing. */
export const WeeklyReviewMark = z.object({
  ownerId: Id.optional(),
  week: ExistingIsoWeek,
  notes: z.string().max(20_000),
  actionItems: z.array(ActionItem).max(100).default([]),
}).strict();
export type WeeklyReviewMark = z.input<typeof WeeklyReviewMark>;

export const WeeklyReviewRecord = z.object({ reviewedAt: IsoDateTime, reviewedBy: Id, notes: z.string(), actionItems: z.array(ActionItem) });
export type WeeklyReviewRecord = z.infer<typeof WeeklyReviewRecord>;
export const WeeklyReviewMarkResponse = z.object({ ownerId: Id, week: IsoWeek, review: WeeklyReviewRecord, recorded: z.boolean() });
export type WeeklyReviewMarkResponse = z.infer<typeof WeeklyReviewMarkResponse>;

/** An action item of the week: one the owner wrote when marking the week reviewed, or an accepted design signal. */
export const PackActionItem = z.object({
  source: z.enum(['review', 'signal']),
  text: z.string(),
  dueDate: z.string().nullable(),
  signalId: SignalIdText.nullable(),
  at: IsoDateTime,
  by: Id,
});
export type PackActionItem = z.infer<typeof PackActionItem>;

export const PackBreach = z.object({ itemId: Id, queueId: Id, slaDueAt: IsoDateTime, resolvedAt: IsoDateTime.nullable() });
export const PackRollback = z.object({
  rollbackId: RollbackId, by: Id, reason: z.string(), status: z.enum(ROLLBACK_STATUSES), queueIds: z.array(Id),
  total: z.number().int(), reverted: z.number().int(), skipped: z.number().int(), startedAt: IsoDateTime, finishedAt: IsoDateTime.nullable(),
});

export const WeeklyReviewPack = z.object({
  ownerId: Id,
  week: IsoWeek,
  /** The ISO week: Monday 00:00 UTC to the next Monday. */
  interval: Interval,
  computedAt: IsoDateTime,
  /** The owner's paths (queues they own now). */
  queueIds: z.array(Id),
  /** SLA attainment, breaches, approval latency per control point (as GET /v1/metrics/control-points for the week). */
  controlPoints: z.array(ControlPointMetrics),
  /** SLA cycles breached in the week (first outcome after the due time, or still open past it). */
  breaches: z.array(PackBreach),
  rework: z.object({ reverts: z.number().int(), overrides: z.number().int(), rolledBack: z.number().int(), corrections: z.number().int(), outcomes: z.number().int(), rate: Figure }),
  /** Per queue of the owner (as GET /v1/metrics/exception-tax?groupBy=queue for the week). */
  exceptionTax: z.array(ExceptionTaxGroup),
  /** Reason codes given on decisions, escalations and reclassifications in the week, most used first. */
  topReasonCodes: z.array(z.object({ queueId: Id, reasonCode: z.string(), count: z.number().int(), recompute: Recompute })),
  /** Signals over the PACK_SIGNAL_LOOKBACK_DAYS ending with the week, as of now (open, accepted, dismissed). */
  signals: z.object({ interval: Interval, open: z.array(DesignSignal), accepted: z.array(DesignSignal), dismissed: z.array(DesignSignal) }),
  /** Rollback-trigger alerts of the owner's queues tripped in the week, or still open. */
  alerts: z.array(RollbackAlert),
  /** Rollbacks started in the week on the owner's queues. */
  rollbacks: z.array(PackRollback),
  actionItems: z.array(PackActionItem),
  review: WeeklyReviewRecord.nullable(),
});
export type WeeklyReviewPack = z.infer<typeof WeeklyReviewPack>;

export const WeeklyExport = z.object({ filename: z.string(), contentType: z.string(), content: z.string() });
export type WeeklyExport = z.infer<typeof WeeklyExport>;

// ---------- GET /v1/items: the items behind a figure, read-only (supervisors, owners of their paths) ----------

/** Items read at once: the ids of a figure's evidence come in pages of this size. */
export const MAX_ITEMS_READ = 100;

/** `ids` comma-separated; unknown ids and items outside the caller's paths are listed as `missing` alike. */
export const ItemsReadQuery = z.object({
  ids: z.string().min(1).max(MAX_ITEMS_READ * 130)
    .transform((v) => [...new Set(v.split(','))])
    .pipe(z.array(Id).min(1).max(MAX_ITEMS_READ)),
});

/** One event of the item's append-only log, in words the desk can show. */
export const ItemHistoryEntry = z.object({
  type: z.string(),
  actorId: Id.nullable(),
  at: IsoDateTime,
  /** The outcome of a decision or an override. */
  outcome: OutcomeKind.nullable(),
  reasonCode: z.string().nullable(),
  comment: z.string().nullable(),
});
export type ItemHistoryEntry = z.infer<typeof ItemHistoryEntry>;
export const MAX_ITEM_HISTORY = 200;

export const ItemsReadResponse = z.object({
  items: z.array(z.object({ item: Item, history: z.array(ItemHistoryEntry).max(MAX_ITEM_HISTORY) })),
  missing: z.array(Id),
});
export type ItemsReadResponse = z.infer<typeof ItemsReadResponse>;

// ---------- the decisions feed: what an override and a rollback add to a FeedDecision ----------

/** Extra fields of GET /v1/decisions rows: `outcome` for an override (its reason is the `comment`), `rollbackId` for a revert made by a rollback. */
export const FeedDecisionOpsFields = z.object({ outcome: OutcomeKind.optional(), rollbackId: RollbackId.optional() });
