// Schemas of the desk API's operations methods (`ops.*` in shared/desk-api.ts): what the supervisor's and
// the owner's views get from the core. Central figures come wrapped with their freshness, because the
// core answers the last stored answer when the server cannot be reached (DESIGN §8: "the last figures
// fetched stay readable offline, marked with the time they were computed").
import { z } from 'zod';
import { Id, IsoDateTime, Item, Queue } from './domain';
import { MetricName } from './metrics-definitions';
import { IsoWeek } from './metrics-definitions';
import {
  ActionItem, DesignSignalsResponse, ScorecardResponse, SignalDecisionKind, SignalDecisionResponse, SignalId, WeeklyExport, WeeklyExportFormat,
  WeeklyReviewMarkResponse, WeeklyReviewPack,
  AlertsResponse, ControlPointsResponse, ExceptionTaxResponse, ItemsReadResponse, MAX_ITEMS_READ, OverridePayload, RollbackAlert, RollbackFilter, RollbackId, RollbackPreview, RollbackProgress,
  TaxGroupBy, TeamMetrics,
} from './ops-api';
import { OPS_WINDOWS } from './ops-windows';

export { OPS_WINDOW_DAYS, OPS_WINDOW_LABELS, OPS_WINDOWS } from './ops-windows';

export const OpsFreshness = z.object({
  /** When the server computed the figures (its `computedAt`, else when this desk received them). */
  computedAt: IsoDateTime,
  /** When this desk received them. */
  fetchedAt: IsoDateTime,
  /** True when the server could not be reached and this is the last stored answer. */
  fromCache: z.boolean(),
  /** Why the answer is not live (the network error), null when it is. */
  staleReason: z.string().nullable(),
});
export type OpsFreshness = z.infer<typeof OpsFreshness>;

/** A central answer as the desk serves it: the data and how fresh it is. */
export function opsAnswer<T extends z.ZodType>(data: T) {
  return z.object({ data, freshness: OpsFreshness });
}

// ---------- owner's escalations (from this desk's cache: escalated items are leased to the owner) ----------

export const Escalation = z.object({
  item: Item,
  queue: Queue.nullable(),
  /** The escalation reason in words (the queue's label for the code; the code itself when unknown). */
  reasonLabel: z.string(),
});
export type Escalation = z.infer<typeof Escalation>;
export const EscalationsOutput = z.object({ escalations: z.array(Escalation) });
export type EscalationsOutput = z.infer<typeof EscalationsOutput>;

// ---------- reassignment from the at-risk list (POST /v1/assignments) ----------

export const OpsAssignInput = z.object({
  itemIds: z.array(Id).min(1).max(1000),
  assigneeId: Id,
  leaseMinutes: z.number().int().min(1).max(7 * 24 * 60).default(60),
});
export type OpsAssignInput = z.input<typeof OpsAssignInput>;
export const OpsAssignOutput = z.object({ assigned: z.array(z.object({ itemId: Id, assigneeId: Id.nullable() })) });
export type OpsAssignOutput = z.infer<typeof OpsAssignOutput>;

// ---------- windows: relative, so the same view asks the same question and finds its stored answer ----------

export const OpsWindow = z.enum(OPS_WINDOWS);
export type OpsWindow = z.infer<typeof OpsWindow>;

export const OpsWindowInput = z.object({ window: OpsWindow.default('7d') });
export type OpsWindowInput = z.input<typeof OpsWindowInput>;

/** Team: the window, and the chart's buckets (UTC hours or days). */
export const OpsTeamInput = OpsWindowInput.extend({ bucket: z.enum(['hour', 'day']).default('day') });
export type OpsTeamInput = z.input<typeof OpsTeamInput>;

// ---------- Team (supervisor) ----------

/** Everything the Team view shows, fetched together and stored as one answer. */
export const TeamView = z.object({
  /** The chosen window: throughput over time and the per-reviewer table. */
  team: TeamMetrics,
  /** Since 00:00 UTC today: the "today" tiles. */
  today: TeamMetrics,
  /** Now and over the window: backlog, oldest age, at risk, % within SLA. */
  controlPoints: ControlPointsResponse,
});
export type TeamView = z.infer<typeof TeamView>;
export const TeamViewOutput = opsAnswer(TeamView);
export type TeamViewOutput = z.infer<typeof TeamViewOutput>;

// ---------- Control points ----------

export const ControlPointsView = z.object({
  controlPoints: ControlPointsResponse,
  /** Reviewers a supervisor may reassign to (those seen in the team figures); empty for an owner. */
  assignees: z.array(Id),
});
export type ControlPointsView = z.infer<typeof ControlPointsView>;
export const ControlPointsViewOutput = opsAnswer(ControlPointsView);
export type ControlPointsViewOutput = z.infer<typeof ControlPointsViewOutput>;

// ---------- Exception tax ----------

/** The exception tax per workflow, class or queue over the window, with the same groups per day or ISO week. */
export const OpsTaxInput = OpsWindowInput.extend({ groupBy: TaxGroupBy.default('workflow'), bucket: z.enum(['day', 'week']).default('day') });
export type OpsTaxInput = z.input<typeof OpsTaxInput>;
export const TaxViewOutput = opsAnswer(ExceptionTaxResponse);
export type TaxViewOutput = z.infer<typeof TaxViewOutput>;

// ---------- read-only items behind a figure, and the owner's override ----------

export const OpsItemsInput = z.object({ itemIds: z.array(Id).min(1).max(MAX_ITEMS_READ) });
export type OpsItemsInput = z.input<typeof OpsItemsInput>;
export const OpsItemsOutput = opsAnswer(ItemsReadResponse);
export type OpsItemsOutput = z.infer<typeof OpsItemsOutput>;

/**
 * The owner replaces someone else's outcome with their own, with a reason (DESIGN §8). `assignmentEpoch` and
 * `version` are those of the outcome as the owner saw it: if it changed meanwhile, the server refuses.
 */
export const OpsOverrideInput = z.object({
  itemId: Id,
  version: z.number().int().min(1),
  assignmentEpoch: z.number().int().min(0),
  override: OverridePayload,
});
export type OpsOverrideInput = z.input<typeof OpsOverrideInput>;
export const OpsOverrideOutput = z.object({ item: Item });
export type OpsOverrideOutput = z.infer<typeof OpsOverrideOutput>;

// ---------- design signals and the operations scorecard ----------

export const SignalsViewOutput = opsAnswer(DesignSignalsResponse);
export type SignalsViewOutput = z.infer<typeof SignalsViewOutput>;
export const ScorecardViewOutput = opsAnswer(ScorecardResponse);
export type ScorecardViewOutput = z.infer<typeof ScorecardViewOutput>;
export const OpsSignalDecisionInput = z.object({ signalId: SignalId, decision: SignalDecisionKind, reason: z.string().trim().min(1).max(4000) });
export type OpsSignalDecisionInput = z.input<typeof OpsSignalDecisionInput>;
export const OpsSignalDecisionOutput = SignalDecisionResponse;

// ---------- weekly review ----------

/** `week` omitted: this ISO week; `ownerId` omitted: the caller's own pack (a supervisor names an owner). */
export const OpsWeeklyInput = z.object({ week: IsoWeek.optional(), ownerId: Id.optional() });
export type OpsWeeklyInput = z.input<typeof OpsWeeklyInput>;
/** The pack, and the recent ISO weeks to choose from (newest first; the core computes them). */
export const WeeklyViewOutput = opsAnswer(z.object({ pack: WeeklyReviewPack, weeks: z.array(IsoWeek) }));
export type WeeklyViewOutput = z.infer<typeof WeeklyViewOutput>;
export const OpsWeeklyMarkInput = z.object({ week: IsoWeek, ownerId: Id.optional(), notes: z.string().max(20_000), actionItems: z.array(ActionItem).max(100).default([]) });
export type OpsWeeklyMarkInput = z.input<typeof OpsWeeklyMarkInput>;
export const OpsWeeklyMarkOutput = WeeklyReviewMarkResponse;
export const OpsWeeklyExportInput = z.object({ week: IsoWeek, ownerId: Id.optional(), format: WeeklyExportFormat });
export type OpsWeeklyExportInput = z.input<typeof OpsWeeklyExportInput>;
export const OpsWeeklyExportOutput = WeeklyExport;

// ---------- metric definitions (the renderer carries no zod, so it gets them from the core) ----------

export const MetricDefinitionsOutput = z.object({
  definitions: z.record(MetricName, z.object({ label: z.string(), definition: z.string(), formula: z.string(), unit: z.string() })),
});
export type MetricDefinitionsOutput = z.infer<typeof MetricDefinitionsOutput>;

// ---------- owner: rollback-trigger alerts and the guided rollback ----------

export const AlertsOutput = opsAnswer(AlertsResponse);
export type AlertsOutput = z.infer<typeof AlertsOutput>;
export const AlertAckInput = z.object({ alertId: Id, note: z.string().max(4000).optional() });
export const AlertAckOutput = RollbackAlert;

export const RollbackPreviewInput = z.object({ filter: RollbackFilter });
export const RollbackPreviewOutput = RollbackPreview;
/** Apply is idempotent by rollbackId: the renderer makes the id once per confirmed flow and resends it. */
export const RollbackApplyInput = z.object({ rollbackId: RollbackId, filter: RollbackFilter, reason: z.string().min(1).max(4000) });
export const RollbackProgressInput = z.object({ rollbackId: RollbackId });
export const RollbackProgressOutput = RollbackProgress;
