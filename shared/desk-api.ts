// The desk API (DESIGN.md §4): the one table of methods the renderer may call, with zod input and
// output schemas, plus push events. Electron (MessagePort) and browser mode (POST /rpc/<method>, SSE)
// carry exactly this table; the core's dispatcher parses every call with it before any handler runs.
import { z } from 'zod';
import { MUTATION_RESULT_CODES, MutationResult, Me, MutationResultCode } from './central-api';
import {
  BundleCheckoutInput, BundleCheckoutOutput, BundleStatus, ExportDecisionsInput, ExportDecisionsOutput, ImportReceiptInput, ImportReceiptOutput,
  ImportWorkInput, ImportWorkOutput,
} from './desk-bundles';
import { ExceptionClass, Id, IsoDateTime, Item, ItemStatus, JsonObject, Labor, MutationKind, Queue } from './domain';
import { STARTUP_MARK_NAMES, type DeskEventNameList, type DeskMethodName, type ShellEventNameList } from './desk-names';
import { ITEM_DEPARTURES } from './item-departure';
import {
  AlertAckInput, AlertAckOutput, AlertsOutput, ControlPointsViewOutput, EscalationsOutput, MetricDefinitionsOutput, OpsAssignInput,
  OpsSignalDecisionInput, OpsSignalDecisionOutput, OpsWeeklyExportInput, OpsWeeklyExportOutput, OpsWeeklyInput, OpsWeeklyMarkInput, OpsWeeklyMarkOutput,
  ScorecardViewOutput, SignalsViewOutput, WeeklyViewOutput,
  OpsAssignOutput, OpsItemsInput, OpsItemsOutput, OpsOverrideInput, OpsOverrideOutput, OpsTaxInput, OpsTeamInput, OpsWindowInput, RollbackApplyInput, RollbackPreviewInput, RollbackPreviewOutput, RollbackProgressInput,
  RollbackProgressOutput, TaxViewOutput, TeamViewOutput,
} from './ops-desk';

export const DeskError = z.object({
  /**
   * Stable: bad_input, unknown_method, not_signed_in, not_found, conflict, unauthorized, forbidden (the signed-in
   * roles may not call this method), network, server, locked, internal,
   * item_changed (a decision named an item version that is no longer the one the desk holds; details: ItemChangedDetails)
   */
  code: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
});
export type DeskError = z.infer<typeof DeskError>;
export type DeskResult<T> = { ok: true; value: T } | { ok: false; error: DeskError };

const Empty = z.object({}).strict();
const Ok = z.object({ ok: z.literal(true) });

/** What the renderer says of an error it caught: sizes bounded, since it ends up in the log file. */
export const RendererErrorReport = z.object({
  /** Which boundary caught it, e.g. `view:queue`. */
  where: z.string().min(1).max(100),
  name: z.string().max(200),
  message: z.string().max(2000),
  stack: z.string().max(8000).optional(),
}).strict();
export type RendererErrorReport = z.infer<typeof RendererErrorReport>;

// ---------- session ----------
export const SessionInfo = z.object({
  signedIn: z.boolean(),
  /**
   * Signed in on the cache, but the token is gone (browser mode keeps it in memory only): the desk works
   * offline on this user's queue and must be given the token again to sync.
   */
  needsToken: z.boolean().optional(),
  /** The session's server, else the last one used, else the one the desk was started with. */
  serverUrl: z.string().nullable(),
  user: Me.nullable(),
  clientId: z.string(),
  /** Signed in to the embedded demo server. */
  demo: z.boolean(),
  /** The core was started with an embedded demo server, so `session.connectDemo` works. */
  demoAvailable: z.boolean(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

// ---------- queue page ----------
export const LOCAL_STATES = ['none', 'pending', 'synced', 'conflict'] as const;
/** The desk's view of an item: `pending` = decided here, not yet settled; `conflict` = in the inbox. */
export const LocalState = z.enum(LOCAL_STATES);
export type LocalState = z.infer<typeof LocalState>;

export const QueueSortKey = z.enum(['slaDue', 'age', 'confidence']);
export const QueuePageInput = z.object({
  filter: z
    .object({
      classes: z.array(ExceptionClass).max(4).optional(),
      queueIds: z.array(Id).max(100).optional(),
      statuses: z.array(ItemStatus).max(5).optional(),
      localStates: z.array(LocalState).max(4).optional(),
      text: z.string().max(200).optional(),
      /** Only my open work: the items of my assigned set still to decide (the triage set; issue 14 item 7). */
      openOnly: z.boolean().optional(),
    })
    .default({}),
  sort: z.object({ by: QueueSortKey, dir: z.enum(['asc', 'desc']) }).default({ by: 'slaDue', dir: 'asc' }),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type QueuePageInput = z.input<typeof QueuePageInput>;

export const QueueRow = z.object({
  id: Id,
  title: z.string(),
  exceptionClass: ExceptionClass,
  queueId: Id,
  queueName: z.string(),
  confidence: z.number().nullable(),
  slaDueAt: IsoDateTime,
  enqueuedAt: IsoDateTime,
  status: ItemStatus,
  localState: LocalState,
});
export type QueueRow = z.infer<typeof QueueRow>;
export const QueuePage = z.object({ total: z.number().int(), offset: z.number().int(), rows: z.array(QueueRow) });
export type QueuePage = z.infer<typeof QueuePage>;

// ---------- items and triage ----------
export const LocalDecision = z.object({
  mutationId: z.number().int(),
  kind: MutationKind,
  payload: JsonObject,
  at: IsoDateTime,
  labor: Labor.nullable(),
  state: z.enum(['pending', 'sent', 'settled', 'conflict', 'rejected']),
  resultCode: MutationResultCode.nullable(),
});
export type LocalDecision = z.infer<typeof LocalDecision>;

export const ItemDetail = z.object({
  item: Item,
  queue: Queue.nullable(),
  localState: LocalState,
  /** This desk's decisions on the item, oldest first. */
  decisions: z.array(LocalDecision),
  /** Active labor so far on the open segment chain for this item, ms. */
  laborActiveMs: z.number().int().min(0),
  /**
   * The version of the server's copy this view stands on (`item.version` also counts this desk's own
   * unsettled decisions). A decision sends it back as `shownVersion`: others' changes move it, our own
   * notes do not.
   */
  baseVersion: z.number().int().min(0),
});
export type ItemDetail = z.infer<typeof ItemDetail>;

/** The look-ahead window around the focused item in triage order (one call per refill). */
export const WindowInput = z.object({
  /** null: from the start of the assigned set. */
  around: Id.nullable(),
  ahead: z.number().int().min(0).max(16).default(4),
  behind: z.number().int().min(0).max(4).default(1),
  /**
   * Ids whose current details the caller already holds: their details are left out of the answer (a refill
   * after each key then reads and sends the one new neighbour, not the whole window again).
   */
  known: z.array(Id).max(64).default([]),
});
export const WindowOutput = z.object({
  /** Ids after `around`, nearest first; no wrap. */
  ahead: z.array(Id),
  /** Ids before `around`, nearest first. */
  behind: z.array(Id),
  /** The details of every id in `ahead` and `behind` but those named in `known` (not of `around`: triage.open reads that one). */
  details: z.array(ItemDetail),
  /** 0-based place of `around` in the assigned set; null when it is not in the set. */
  position: z.number().int().nullable(),
  /** Items in the assigned set. */
  total: z.number().int(),
});
export type WindowOutput = z.infer<typeof WindowOutput>;

/**
 * What the reviewer was shown: the item id and the server version it stood on (ItemDetail.baseVersion).
 * With `shownVersion` the core refuses
 * (`item_changed`) a decision on an item that changed or left the assigned set since it was shown, so a
 * sync landing just before a key press cannot redirect the decision. The renderer always sends it;
 * scripted callers (fault rigs, benches) may omit it.
 */
const Shown = {
  itemId: Id,
  shownVersion: z.number().int().min(0).optional(),
  /**
   * The item the triage view shows next (painted from its look-ahead at the key press): the core opens it
   * as triage.open would, in the decision's own transaction, and answers its detail as `opened`. One call
   * per key instead of two (issue 14: keypress -> next item within one frame).
   */
  thenOpen: Id.optional(),
  /** With `thenOpen`: the look-ahead window around it, answered as `window` (triage.window's work, no call of its own). */
  thenWindow: WindowInput.omit({ around: true }).optional(),
};
export const DecideInput = z.discriminatedUnion('kind', [
  z.object({ ...Shown, kind: z.literal('approve'), payload: z.object({ comment: z.string().max(4000).optional() }).default({}) }),
  z.object({ ...Shown, kind: z.literal('reject'), payload: z.object({ reasonCode: z.string().min(1), comment: z.string().max(4000).optional() }) }),
  z.object({ ...Shown, kind: z.literal('correct'), payload: z.object({ correctedOutput: JsonObject, comment: z.string().max(4000).optional() }) }),
  z.object({ ...Shown, kind: z.literal('escalate'), payload: z.object({ reasonCode: z.string().min(1), comment: z.string().max(4000).optional() }) }),
  z.object({ ...Shown, kind: z.literal('defer'), payload: z.object({ comment: z.string().max(4000).optional() }).default({}) }),
  z.object({ ...Shown, kind: z.literal('reclassify'), payload: z.object({ exceptionClass: ExceptionClass, reasonCode: z.string().min(1), comment: z.string().max(4000).optional() }) }),
  z.object({ ...Shown, kind: z.literal('note'), payload: z.object({ text: z.string().min(1).max(4000) }) }),
]);
export type DecideInput = z.input<typeof DecideInput>;

export const DecideOutput = z.object({
  mutationId: z.number().int(),
  itemId: Id,
  kind: MutationKind,
  /** The item the triage view should open next (null when the assigned set is empty). */
  nextItemId: Id.nullable(),
  /**
   * A defer: the cooldown that applies to it (its queue's as this desk knew it when the defer was written,
   * else the default); absent for other kinds. The reviewer is told this, not a queue list read before a sync.
   */
  deferCooldownMinutes: Queue.shape.deferCooldownMinutes,
  /**
   * `thenOpen`'s detail, opened (the focused item now: its labor runs). Absent when none was asked or the
   * cache no longer holds it: the renderer then opens it itself and hears why.
   */
  opened: ItemDetail.optional(),
  /** `thenWindow` around the opened item (absent when nothing was opened or no window asked). */
  window: WindowOutput.optional(),
});
export type DecideOutput = z.infer<typeof DecideOutput>;

export const UndoOutput = z.object({
  undone: z.object({ itemId: Id, kind: MutationKind, mutationId: z.number().int() }).nullable(),
  /** `outbox`: removed before it was sent; `revert`: a revert mutation was queued. */
  via: z.enum(['outbox', 'revert', 'none']),
});
export type UndoOutput = z.infer<typeof UndoOutput>;

export const ItemDeparture = z.enum(ITEM_DEPARTURES);
export const ItemChangedDetails = z.object({ itemId: Id, departure: ItemDeparture, currentVersion: z.number().int().nullable() });


export const NextInput = z.object({ fromItemId: Id.nullable().default(null), direction: z.enum(['next', 'prev']).default('next') });
export const NextOutput = z.object({ itemId: Id.nullable() });

export const BulkApproveOutput = z.object({
  decided: z.array(z.object({ itemId: Id, mutationId: z.number().int() })),
  skipped: z.array(z.object({ itemId: Id, reason: z.string() })),
});

// ---------- labor signals ----------
export const LABOR_SIGNALS = ['input', 'focus', 'blur', 'lock', 'unlock', 'suspend', 'resume', 'visible', 'hidden'] as const;
export const LaborSignal = z.object({ signal: z.enum(LABOR_SIGNALS) });
export type LaborSignal = z.infer<typeof LaborSignal>;

// ---------- sync ----------
export const SYNC_STATES = ['signed_out', 'online', 'syncing', 'offline', 'unauthorized', 'error'] as const;
export const SyncStatus = z.object({
  state: z.enum(SYNC_STATES),
  pending: z.number().int().min(0),
  conflicts: z.number().int().min(0),
  assigned: z.number().int().min(0),
  lastSyncAt: IsoDateTime.nullable(),
  lastError: z.string().nullable(),
  progress: z.object({ phase: z.enum(['push', 'pull', 'claim', 'checkout']), done: z.number().int(), total: z.number().int().nullable() }).nullable(),
  nextRetryAt: IsoDateTime.nullable(),
  /**
   * Item copies the server sent that fail the Item schema: skipped (quarantined) so the rest of the sync goes
   * on; an item leaves quarantine when a valid copy or a removal of it arrives.
   */
  quarantined: z.number().int().min(0).optional(),
  /** Triage items whose lease ends within LEASE_WARNING_MINUTES (renewed on the next sync while online). */
  leasesExpiringSoon: z.number().int().min(0).optional(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

export const CheckoutInput = z.object({ count: z.number().int().min(1).max(5000), leaseMinutes: z.number().int().min(30).max(7 * 24 * 60) });
export const CheckoutOutput = z.object({ claimed: z.number().int() });

// ---------- conflicts inbox ----------
/**
 * A conflict's code: a server result code, or `malformed` when the server refused the push batch as a whole
 * (400/413) and the desk isolated this mutation as the cause; it never reached the server.
 */
export const InboxCode = z.enum([...MUTATION_RESULT_CODES, 'malformed']);
export type InboxCode = z.infer<typeof InboxCode>;

export const Conflict = z.object({
  id: z.number().int(),
  mutationId: z.number().int(),
  itemId: Id,
  kind: MutationKind,
  payload: JsonObject,
  status: z.enum(['conflict', 'rejected']),
  code: InboxCode,
  message: z.string().nullable(),
  /** The server's item when the conflict was reported. */
  serverItem: Item.nullable(),
  createdAt: IsoDateTime,
});
export type Conflict = z.infer<typeof Conflict>;
export const ConflictResolveInput = z.object({ conflictId: z.number().int(), action: z.enum(['discard', 'resubmit']) });

// ---------- stats ----------
export const TodayStats = z.object({
  day: z.string(),
  outcomes: z.object({ approve: z.number().int(), reject: z.number().int(), correct: z.number().int() }),
  totalOutcomes: z.number().int(),
  escalations: z.number().int(),
  defers: z.number().int(),
  laborMinutes: z.number(),
  laborMinutesPerOutcome: z.number().nullable(),
  reworkLaborMinutes: z.number(),
  reverts: z.number().int(),
});
export type TodayStats = z.infer<typeof TodayStats>;

// ---------- settings ----------
export const Settings = z.object({
  claimTargetSize: z.number().int().min(1).max(1000).default(50),
  leaseMinutes: z.number().int().min(5).max(7 * 24 * 60).default(30),
  theme: z.enum(['system', 'light', 'dark']).default('system'),
  /** action id -> key chords (overrides of shared/keymap defaults). */
  keymap: z.record(z.string(), z.array(z.string().max(40)).max(4)).default({}),
  idleThresholdSec: z.number().int().min(5).max(3600).default(60),
});
export type Settings = z.infer<typeof Settings>;
/** settings.set input: only the keys given change (Settings.partial() would fill in defaults for the rest). */
export const SettingsPatch = z.object({
  claimTargetSize: Settings.shape.claimTargetSize.unwrap().optional(),
  leaseMinutes: Settings.shape.leaseMinutes.unwrap().optional(),
  theme: Settings.shape.theme.unwrap().optional(),
  keymap: Settings.shape.keymap.unwrap().optional(),
  idleThresholdSec: Settings.shape.idleThresholdSec.unwrap().optional(),
});

export const BootOutput = z.object({ session: SessionInfo, settings: Settings, first: ItemDetail.nullable() });
export type BootOutput = z.infer<typeof BootOutput>;

// ---------- the table ----------
export const deskMethods = {
  'session.get': { input: Empty, output: SessionInfo },
  'session.connect': { input: z.object({ serverUrl: z.url(), token: z.string().min(1).max(500) }), output: SessionInfo },
  'session.connectDemo': { input: z.object({ user: z.enum(['alice', 'bob', 'olivia', 'sam']).default('alice') }), output: SessionInfo },
  'session.signOut': { input: Empty, output: SessionInfo },
  'queue.page': { input: QueuePageInput, output: QueuePage },
  'queue.list': { input: Empty, output: z.object({ queues: z.array(Queue) }) },
  'item.get': { input: z.object({ itemId: Id }), output: ItemDetail },
  'triage.open': { input: z.object({ itemId: Id }), output: ItemDetail },
  /** The triage view closed (another view shown): no item is focused, so the labor clock stops. */
  'triage.close': { input: Empty, output: Ok },
  'triage.decide': { input: DecideInput, output: DecideOutput },
  'triage.undo': { input: Empty, output: UndoOutput },
  'triage.next': { input: NextInput, output: NextOutput },
  'triage.window': { input: WindowInput, output: WindowOutput },
  'triage.bulkApprove': { input: z.object({ itemIds: z.array(Id).min(1).max(1000) }), output: BulkApproveOutput },
  'labor.signal': { input: LaborSignal, output: Ok },
  'sync.status': { input: Empty, output: SyncStatus },
  'sync.now': { input: Empty, output: SyncStatus },
  'sync.checkout': { input: CheckoutInput, output: CheckoutOutput },
  'conflicts.list': { input: Empty, output: z.object({ conflicts: z.array(Conflict) }) },
  'conflicts.resolve': { input: ConflictResolveInput, output: Ok },
  'stats.today': { input: Empty, output: TodayStats },
  'settings.get': { input: Empty, output: Settings },
  'settings.set': { input: SettingsPatch, output: Settings },
  /**
   * What the renderer's first paint needs, in one read (issue 15 gap 4): the session, the settings and the first
   * item of the assigned set with its detail (null: signed out, or nothing assigned). Reads only, like item.get:
   * the item is not opened and its labor clock does not start; the renderer opens it (triage.open) once shown.
   */
  'app.boot': { input: Empty, output: BootOutput },
  /** Shows the log folder (Electron: in the system file manager); always answers its path. */
  'app.revealLogs': { input: Empty, output: z.object({ path: z.string().nullable(), revealed: z.boolean() }) },
  /** The renderer reports a startup mark (the first item painted) for `npm start -- --timings`; nothing is stored. */
  'app.startupMark': { input: z.object({ name: z.enum(STARTUP_MARK_NAMES) }), output: Ok },
  /** The renderer reports an error it caught (a view that failed to render or to load); the core logs it. */
  'app.reportError': { input: RendererErrorReport, output: Ok },
  // Restricted sites (DESIGN §11): work in and decisions out as signed files.
  'bundles.status': { input: Empty, output: BundleStatus },
  'bundles.importWork': { input: ImportWorkInput, output: ImportWorkOutput },
  'bundles.exportDecisions': { input: ExportDecisionsInput, output: ExportDecisionsOutput },
  'bundles.importReceipt': { input: ImportReceiptInput, output: ImportReceiptOutput },
  'bundles.checkout': { input: BundleCheckoutInput, output: BundleCheckoutOutput },
  // Operations (DESIGN §8; shared/ops-desk.ts): refused in the core to roles shared/ops-access.ts does not list.
  'ops.escalations': { input: Empty, output: EscalationsOutput },
  'ops.assign': { input: OpsAssignInput, output: OpsAssignOutput },
  'ops.team': { input: OpsTeamInput, output: TeamViewOutput },
  'ops.tax': { input: OpsTaxInput, output: TaxViewOutput },
  /** The items behind a figure, read-only, with their history (live; the last answer offline). */
  'ops.items': { input: OpsItemsInput, output: OpsItemsOutput },
  /** The owner's override of a decided item, with a reason; sent at once, never queued. */
  'ops.override': { input: OpsOverrideInput, output: OpsOverrideOutput },
  'ops.signals': { input: OpsWindowInput, output: SignalsViewOutput },
  'ops.decideSignal': { input: OpsSignalDecisionInput, output: OpsSignalDecisionOutput },
  'ops.scorecard': { input: OpsWindowInput, output: ScorecardViewOutput },
  'ops.weekly': { input: OpsWeeklyInput, output: WeeklyViewOutput },
  'ops.markWeekly': { input: OpsWeeklyMarkInput, output: OpsWeeklyMarkOutput },
  'ops.weeklyExport': { input: OpsWeeklyExportInput, output: OpsWeeklyExportOutput },
  'ops.controlPoints': { input: OpsWindowInput, output: ControlPointsViewOutput },
  /** What each metric means (shared/metrics-definitions.ts), for the views' explanations. */
  'ops.definitions': { input: Empty, output: MetricDefinitionsOutput },
  'ops.alerts': { input: Empty, output: AlertsOutput },
  'ops.ackAlert': { input: AlertAckInput, output: AlertAckOutput },
  'ops.rollbackPreview': { input: RollbackPreviewInput, output: RollbackPreviewOutput },
  'ops.rollbackApply': { input: RollbackApplyInput, output: RollbackProgressOutput },
  'ops.rollbackProgress': { input: RollbackProgressInput, output: RollbackProgressOutput },
} as const;

export type DeskMethods = typeof deskMethods;
export type DeskMethod = keyof DeskMethods;
export type DeskInput<M extends DeskMethod> = z.input<DeskMethods[M]['input']>;
export type DeskOutput<M extends DeskMethod> = z.infer<DeskMethods[M]['output']>;
export const DESK_METHOD_NAMES = Object.keys(deskMethods) as DeskMethod[];
// The renderer's zod-free copy of the names (desk-names.ts) must match these tables: a method, event or
// shell event added here without its name there (or the reverse) stops the build right here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const NAMES_AGREE: [Same<DeskMethod, DeskMethodName>, Same<keyof typeof deskEvents, DeskEventNameList>, Same<keyof typeof shellEvents, ShellEventNameList>] = [true, true, true];

// ---------- push events ----------
export const deskEvents = {
  'sync.status': SyncStatus,
  'queue.changed': z.object({ reason: z.enum(['pull', 'decision', 'undo', 'claim', 'reset', 'conflict', 'signout']), itemIds: z.array(Id).optional() }),
  'session.changed': SessionInfo,
} as const;
export type DeskEvents = typeof deskEvents;
export type DeskEventName = keyof DeskEvents;
export type DeskEvent<E extends DeskEventName> = z.infer<DeskEvents[E]>;

/** What a transport needs from the core: one dispatcher (parses, runs, answers DeskResult) and events. */
export interface DeskDispatcher {
  call(method: string, input: unknown): Promise<DeskResult<unknown>>;
  onEvent(listener: (name: DeskEventName, payload: unknown) => void): () => void;
}

/** The typed client the renderer holds, whatever the transport. */
export type DeskClient = {
  call<M extends DeskMethod>(method: M, input: DeskInput<M>): Promise<DeskOutput<M>>;
  on<E extends DeskEventName>(event: E, listener: (payload: DeskEvent<E>) => void): () => void;
};

// ---------- shell events (Electron only: sent by the main process, never by the core) ----------
// window.desk.on() accepts these names beside deskEvents; browser mode never emits them.
export const shellEvents = {
  /** An app-menu item was chosen: `command` is a keymap action id (shared/keymap.ts), e.g. `decide.approve`. */
  'app.command': z.object({ command: z.string().min(1).max(100) }),
  /** The core's process died and was restarted (or gave up): reload views; in-flight calls were answered `internal`. */
  'core.restarted': z.object({ restarts: z.number().int().min(0), reason: z.string(), gaveUp: z.boolean() }),
  /** Something the user must be told, e.g. `secrets_session_only` (no OS keyring: token kept in memory only). */
  'app.notice': z.object({ level: z.enum(['info', 'warning', 'error']), code: z.string(), message: z.string() }),
} as const;
export type ShellEvents = typeof shellEvents;
export type ShellEventName = keyof ShellEvents;

/** The only raw IPC channels between preload and main: connect asks for a MessagePort to the core, the
 * port arrives on `port`, shell events on `shellEvent`. Desk calls never travel over IPC. */
export const DESK_IPC_CHANNELS = { connect: 'desk:connect', port: 'desk:port', shellEvent: 'desk:shell-event' } as const;

// ---------- message-port framing (Electron MessagePort and the forked core child) ----------
export const DeskRequestMessage = z.object({ id: z.number().int().min(0), method: z.string().max(100), input: z.unknown() });
export const DeskReplyMessage = z.object({
  id: z.number().int().min(0),
  result: z.union([z.object({ ok: z.literal(true), value: z.unknown() }), z.object({ ok: z.literal(false), error: DeskError })]),
});
export const DeskEventMessage = z.object({ event: z.string().max(100), payload: z.unknown() });

// Keep unused-import lint quiet for re-exported types used by consumers.
export type { MutationResult };
