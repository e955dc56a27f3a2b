// The operations methods of the desk API (`ops.*`, DESIGN §8): the supervisor's and the owner's views.
// Every call passes the role gate of shared/ops-access.ts first (a reviewer is refused here, in the core,
// before anything reaches the network). Central figures are fetched live and stored as the last answer;
// when the server cannot be reached the stored answer is served, marked with its age.
import type { z } from 'zod';
import type { Role } from '../../shared/domain';
import { mayCallOpsMethod } from '../../shared/ops-access';
import {
  DesignSignalsResponse, ScorecardResponse, SignalDecisionResponse, WeeklyExport, WeeklyReviewMarkResponse, WeeklyReviewPack,
  AlertsResponse, ControlPointsResponse, ExceptionTaxResponse, ItemsReadResponse, RollbackAlert, RollbackPreview, RollbackProgress, TeamMetrics, type RollbackFilter,
} from '../../shared/ops-api';
import { randomUUID } from 'node:crypto';
import { PROBLEM_TYPES, PushResponse, type Mutation } from '../../shared/central-api';
import {
  ControlPointsView, TeamView, WeeklyViewOutput, type OpsOverrideInput, type OpsOverrideOutput, type EscalationsOutput, type OpsAssignInput, type OpsAssignOutput, type OpsFreshness,
} from '../../shared/ops-desk';
import { OPS_WINDOW_DAYS, type OpsWindow } from '../../shared/ops-windows';
import { isoWeekOf } from '../../shared/metrics-definitions';
import type { Db } from './cache-db';
import { HttpError, NetworkError, type CentralClient } from './central-client';
import type { Clock } from './clock';
import { DeskFailure } from './desk-failure';
import type { ItemsRepo } from './items-repo';
import type { KvRepo } from './kv-repo';
import { payloadHash } from './outbox-repo';
import { OpsAnswersRepo } from './ops-answers-repo';
import type { SessionService } from './session-service';

/** Server refusals that the desk passes on with their own code (the problem's detail as the message). */
const REFUSALS: Record<number, 'bad_input' | 'forbidden' | 'not_found' | 'conflict'> = { 400: 'bad_input', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 422: 'bad_input' };

/** HTTP statuses that mean "the server is away" (a proxy answering for it), like a refused connection. */
const SERVER_AWAY = new Set([502, 503, 504]);

/** What the ops methods use of the core: nothing more (the handler table builds it from CoreContext). */
export interface OpsDeps {
  /** The cache: stored last answers (ops_answers) and the escalated items of the owner. */
  db: Db;
  /** Escalated items and their queues, for the owner's escalations list. */
  items: Pick<ItemsRepo, 'get' | 'queue'>;
  clock: Clock;
  /** Who is signed in (roles for the gate, the client for central calls); the cache's last user offline. */
  session: Pick<SessionService, 'connection' | 'userId'>;
  /** Where the owner's own client for overrides keeps its mutation numbering. */
  kv: Pick<KvRepo, 'get' | 'set'>;
}

/** The ops writes that go through POST /v1/sync/push (overrides) use a client id of their own, numbered apart
 * from the reviewer's outbox, so an override is sent at once and never waits behind (or reorders) queued work. */
interface OpsClient { clientId: string; owner: string; next: number }
const OPS_CLIENT_KEY = 'ops_client';
const WeeklyViewOutputData = WeeklyViewOutput.shape.data;

export class OpsService {
  private readonly answers: OpsAnswersRepo;
  private readonly escalatedIds;

  constructor(private readonly c: OpsDeps) {
    this.answers = new OpsAnswersRepo(c.db);
    this.escalatedIds = c.db.prepare<[string], { id: string }>(
      `SELECT id FROM items WHERE assignee_id = ? AND status = 'escalated' ORDER BY sla_due_ms, id`);
  }

  /** Refuses a method the signed-in user's roles may not call (shared/ops-access.ts). */
  gate(method: string): { roles: readonly Role[] } {
    const conn = this.c.session.connection();
    if (!conn) throw new DeskFailure('not_signed_in', 'sign in to a server first');
    const roles = conn.session.user.roles;
    if (!mayCallOpsMethod(roles, method)) {
      throw new DeskFailure('forbidden', `${method} is for ${describeAllowed(method)}; you are signed in as ${roles.join(', ')}`);
    }
    return { roles };
  }

  /**
   * A central read with offline fallback: live when the server answers (stored as the last answer),
   * the stored answer with `fromCache` when it cannot be reached, a `network` failure when there is none.
   */
  async cachedRead<S extends z.ZodType>(
    method: string,
    input: unknown,
    read: (client: CentralClient) => Promise<z.infer<S>>,
    schema: S,
    computedAtOf: (data: z.infer<S>) => string | null = topLevelComputedAt,
  ): Promise<{ data: z.infer<S>; freshness: OpsFreshness }> {
    const conn = this.c.session.connection();
    if (!conn) throw new DeskFailure('not_signed_in', 'sign in to a server first');
    const key = { userId: conn.session.user.id, server: { serverId: conn.session.serverId ?? null, serverUrl: conn.session.serverUrl }, method, input };
    try {
      const data = await read(conn.client);
      const now = this.c.clock.now();
      const fetchedAt = now.toISOString();
      const computedAt = computedAtOf(data) ?? fetchedAt;
      this.answers.put(key, { json: JSON.stringify(data), computedAt, fetchedAt, fetchedMs: now.getTime() });
      return { data, freshness: { computedAt, fetchedAt, fromCache: false, staleReason: null } };
    } catch (e) {
      if (e instanceof HttpError && e.status === 403) throw new DeskFailure('forbidden', e.problem?.detail ?? e.message);
      if (e instanceof HttpError && e.status === 404) throw new DeskFailure('not_found', `this server does not offer these figures (${e.message})`);
      const away = e instanceof NetworkError || (e instanceof HttpError && SERVER_AWAY.has(e.status));
      if (!away) throw e;
      const stored = this.answers.get(key);
      if (!stored) throw new DeskFailure('network', `${(e as Error).message}; no earlier answer is stored on this desk`);
      // Stored answers were validated when they arrived; parse again so a schema change never serves junk.
      const parsed = schema.safeParse(JSON.parse(stored.json));
      if (!parsed.success) throw new DeskFailure('network', `${(e as Error).message}; the stored answer no longer matches the contract`);
      return {
        data: parsed.data,
        freshness: { computedAt: stored.computedAt, fetchedAt: stored.fetchedAt, fromCache: true, staleReason: (e as Error).message },
      };
    }
  }

  /** The Team view: the window's team figures, today's, and the control points (supervisor). */
  async team(window: OpsWindow, bucket: 'hour' | 'day' = 'day'): Promise<{ data: TeamView; freshness: OpsFreshness }> {
    return this.cachedRead('ops.team', { window, bucket }, async (client) => {
      const span = this.windowSpan(window);
      const midnight = startOfUtcDay(this.c.clock.now()).getTime();
      const today = { from: new Date(midnight).toISOString(), to: new Date(Math.max(Date.parse(span.to), midnight + 60_000)).toISOString() };
      const [team, todayTeam, controlPoints] = await Promise.all([
        client.getJson(`/v1/metrics/team?${new URLSearchParams({ ...span, bucket })}`, TeamMetrics),
        client.getJson(`/v1/metrics/team?${new URLSearchParams(today)}`, TeamMetrics),
        client.getJson(`/v1/metrics/control-points?${new URLSearchParams(span)}`, ControlPointsResponse),
      ]);
      return { team, today: todayTeam, controlPoints };
    }, TeamView, (d) => oldest([d.team.computedAt, d.today.computedAt, d.controlPoints.computedAt]));
  }

  /** The Control points view: the SLA board and at-risk lists; for a supervisor also whom to reassign to. */
  async controlPoints(window: OpsWindow, roles: readonly Role[]): Promise<{ data: ControlPointsView; freshness: OpsFreshness }> {
    const supervises = roles.includes('supervisor');
    return this.cachedRead('ops.controlPoints', { window }, async (client) => {
      const span = new URLSearchParams(this.windowSpan(window));
      const [controlPoints, team] = await Promise.all([
        client.getJson(`/v1/metrics/control-points?${span}`, ControlPointsResponse),
        supervises ? client.getJson(`/v1/metrics/team?${span}`, TeamMetrics) : Promise.resolve(null),
      ]);
      const assignees = team ? [...new Set([...team.reviewers.map((r) => r.reviewerId), ...team.activeNow.reviewerIds])].sort() : [];
      return { controlPoints, assignees };
    }, ControlPointsView, (d) => d.controlPoints.computedAt);
  }

  /** The Exception tax view: the groups over the window and per bucket (the chart over time). */
  async tax(window: OpsWindow, groupBy: 'workflow' | 'class' | 'queue', bucket: 'day' | 'week'): Promise<{ data: ExceptionTaxResponse; freshness: OpsFreshness }> {
    return this.cachedRead('ops.tax', { window, groupBy, bucket }, (client) =>
      client.getJson(`/v1/metrics/exception-tax?${new URLSearchParams({ ...this.windowSpan(window), groupBy, bucket })}`, ExceptionTaxResponse), ExceptionTaxResponse);
  }

  /** [now − window, now) as the central API's query; to the next whole minute, so repeated asks agree. */
  private windowSpan(window: OpsWindow): { from: string; to: string } {
    const to = Math.ceil(this.c.clock.now().getTime() / 60_000) * 60_000;
    return { from: new Date(to - OPS_WINDOW_DAYS[window] * 86_400_000).toISOString(), to: new Date(to).toISOString() };
  }

  /** The owner's escalations: items escalated to me, from this desk's cache (they sync like any item). */
  escalations(): EscalationsOutput {
    const me = this.c.session.userId();
    if (!me) return { escalations: [] };
    const out: EscalationsOutput['escalations'] = [];
    for (const { id } of this.escalatedIds.all(me)) {
      const got = this.c.items.get(id);
      if (!got || !got.item.escalation) continue;
      const queue = this.c.items.queue(got.item.queueId);
      const code = got.item.escalation.reasonCode;
      out.push({ item: got.item, queue, reasonLabel: queue?.reasonCodes.find((r) => r.code === code)?.label ?? code });
    }
    return { escalations: out };
  }

  /** Rollback-trigger alerts of the paths this user sees (open ones), kept for offline reading. */
  alerts(): Promise<{ data: AlertsResponse; freshness: OpsFreshness }> {
    return this.cachedRead('ops.alerts', {}, (client) => client.getJson('/v1/alerts?status=open', AlertsResponse), AlertsResponse,
      () => null);
  }

  ackAlert(alertId: string, note: string | undefined): Promise<RollbackAlert> {
    return this.write((client) => client.postJson('/v1/alerts/ack', note === undefined ? { alertId } : { alertId, note }, RollbackAlert));
  }

  rollbackPreview(filter: RollbackFilter): Promise<RollbackPreview> {
    return this.write((client) => client.postJson('/v1/rollbacks', { mode: 'preview', filter }, RollbackPreview));
  }

  rollbackApply(rollbackId: string, filter: RollbackFilter, reason: string): Promise<RollbackProgress> {
    return this.write((client) => client.postJson('/v1/rollbacks', { mode: 'apply', rollbackId, filter, reason }, RollbackProgress));
  }

  rollbackProgress(rollbackId: string): Promise<RollbackProgress> {
    return this.write((client) => client.getJson(`/v1/rollbacks?${new URLSearchParams({ rollbackId })}`, RollbackProgress));
  }

  /** The items behind a figure (read-only, with their history); the last answer offline. */
  items(itemIds: string[]): Promise<{ data: ItemsReadResponse; freshness: OpsFreshness }> {
    return this.cachedRead('ops.items', { itemIds }, (client) =>
      client.getJson(`/v1/items?${new URLSearchParams({ ids: itemIds.join(',') })}`, ItemsReadResponse), ItemsReadResponse, () => null);
  }

  /** The owner's override, sent at once through the ops client; the server's refusal comes back in its words. */
  override(input: z.output<typeof OpsOverrideInput>): Promise<OpsOverrideOutput> {
    const run = this.overrides.then(() => this.sendOverride(input));
    this.overrides = run.catch(() => undefined);
    return run;
  }

  private overrides: Promise<unknown> = Promise.resolve();

  private async sendOverride(input: z.output<typeof OpsOverrideInput>): Promise<OpsOverrideOutput> {
    const conn = this.c.session.connection();
    if (!conn) throw new DeskFailure('not_signed_in', 'sign in to a server first');
    const owner = `${conn.session.user.id}@${conn.session.serverId ?? conn.session.serverUrl}`;
    const stored = this.c.kv.get(OPS_CLIENT_KEY);
    let oc: OpsClient = stored ? (JSON.parse(stored) as OpsClient) : { clientId: '', owner: '', next: 1 };
    // A client id belongs to one user on one server: another user or server starts a new numbering.
    if (oc.owner !== owner) oc = { clientId: `ops-${randomUUID()}`, owner, next: 1 };
    const base = { kind: 'override' as const, itemId: input.itemId, baseVersion: input.version, assignmentEpoch: input.assignmentEpoch, payload: input.override };
    const send = async (mutationId: number) => {
      // The id is spent before sending: if the answer is lost, the server either applied it (next id follows on)
      // or not (it answers a gap naming the id it expects, and the next override takes that one).
      this.c.kv.set(OPS_CLIENT_KEY, JSON.stringify({ ...oc, next: mutationId + 1 }));
      const m = { ...base, mutationId, at: this.c.clock.now().toISOString(), payloadHash: payloadHash(base) } as Mutation;
      return conn.client.postJson('/v1/sync/push', { clientId: oc.clientId, mutations: [m] }, PushResponse);
    };
    let res;
    try {
      res = await send(oc.next);
    } catch (e) {
      const expected = e instanceof HttpError && e.status === 409 && e.problem?.type === PROBLEM_TYPES.mutationGap ? e.problem.expectedMutationId : undefined;
      if (typeof expected !== 'number') {
        if (e instanceof HttpError && REFUSALS[e.status]) throw new DeskFailure(REFUSALS[e.status], e.problem?.detail ?? e.message);
        throw e;
      }
      res = await send(expected);
    }
    // A numbering behind the server's (a cache restored from an older copy): follow on from the server's last id.
    if (res.results[0]?.status === 'duplicate') res = await send(res.lastMutationId + 1);
    const r = res.results[0];
    if (!r) throw new DeskFailure('server', 'the server answered the override with no result');
    if (r.status === 'applied' && r.item) return { item: r.item };
    throw new DeskFailure(r.status === 'conflict' ? 'conflict' : 'bad_input', r.message ?? `the server refused the override (${r.code})`);
  }

  /** Design signals of the paths I see over the window (all statuses), kept for offline reading. */
  signals(window: OpsWindow): Promise<{ data: DesignSignalsResponse; freshness: OpsFreshness }> {
    return this.cachedRead('ops.signals', { window }, (client) =>
      client.getJson(`/v1/metrics/signals?${new URLSearchParams({ ...this.windowSpan(window), status: 'all' })}`, DesignSignalsResponse), DesignSignalsResponse);
  }

  decideSignal(input: { signalId: string; decision: 'accept' | 'dismiss'; reason: string }): Promise<z.infer<typeof SignalDecisionResponse>> {
    return this.write((client) => client.postJson('/v1/signals/decisions', input, SignalDecisionResponse));
  }

  scorecard(window: OpsWindow): Promise<{ data: ScorecardResponse; freshness: OpsFreshness }> {
    return this.cachedRead('ops.scorecard', { window }, (client) =>
      client.getJson(`/v1/metrics/scorecard?${new URLSearchParams(this.windowSpan(window))}`, ScorecardResponse), ScorecardResponse);
  }

  /** The weekly review pack (this ISO week unless one is named) and the last eight weeks to choose from. */
  weekly(week: string | undefined, ownerId: string | undefined): Promise<{ data: { pack: WeeklyReviewPack; weeks: string[] }; freshness: OpsFreshness }> {
    const now = this.c.clock.now().getTime();
    const weeks = Array.from({ length: 8 }, (_, i) => isoWeekOf(new Date(now - i * 7 * 86_400_000)));
    const asked = week ?? weeks[0];
    return this.cachedRead('ops.weekly', { week: asked, ownerId: ownerId ?? null }, async (client) => {
      const pack = await client.getJson(`/v1/reviews/weekly?${new URLSearchParams({ week: asked, ...(ownerId ? { ownerId } : {}) })}`, WeeklyReviewPack);
      return { pack, weeks };
    }, WeeklyViewOutputData, (d) => d.pack.computedAt);
  }

  markWeekly(input: { week: string; ownerId?: string; notes: string; actionItems: { text: string; dueDate?: string; signalId?: string }[] }): Promise<WeeklyReviewMarkResponse> {
    return this.write((client) => client.postJson('/v1/reviews/weekly', input, WeeklyReviewMarkResponse));
  }

  /** The pack as a file (Markdown or CSV), made by the server with the shared export functions; never from storage. */
  weeklyExport(week: string, ownerId: string | undefined, format: 'md' | 'csv'): Promise<WeeklyExport> {
    return this.write((client) => client.getJson(`/v1/reviews/weekly/export?${new URLSearchParams({ week, format, ...(ownerId ? { ownerId } : {}) })}`, WeeklyExport));
  }

  /** A call that is never served from a stored answer; the server's refusals become desk codes with its words. */
  private async write<T>(run: (client: CentralClient) => Promise<T>): Promise<T> {
    const conn = this.c.session.connection();
    if (!conn) throw new DeskFailure('not_signed_in', 'sign in to a server first');
    try {
      return await run(conn.client);
    } catch (e) {
      if (e instanceof HttpError && REFUSALS[e.status]) throw new DeskFailure(REFUSALS[e.status], e.problem?.detail ?? e.message);
      throw e;
    }
  }

  /** Reassignment from the at-risk list through POST /v1/assignments; never served from a cache. */
  async assign(input: z.output<typeof OpsAssignInput>): Promise<OpsAssignOutput> {
    const res = await this.write((client) => client.assign({ itemIds: input.itemIds, assigneeId: input.assigneeId, leaseMinutes: input.leaseMinutes }));
    return { assigned: res.items.map((i) => ({ itemId: i.id, assigneeId: i.assigneeId })) };
  }

}

function describeAllowed(method: string): string {
  // Spelled out for the refusal message; the rule itself is OPS_METHOD_ROLES.
  const roles = ['supervisor', 'owner', 'admin'].filter((r) => mayCallOpsMethod([r as Role], method));
  return roles.length ? roles.join(' or ') : 'no one';
}

/** The server's own computation time when the answer carries one (`computedAt` at the top level). */
function topLevelComputedAt(data: unknown): string | null {
  if (data && typeof data === 'object' && 'computedAt' in data) {
    const v = (data as { computedAt: unknown }).computedAt;
    if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return new Date(v).toISOString();
  }
  return null;
}

function startOfUtcDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/** The oldest of several computation times: figures shown together are as old as their oldest part. */
function oldest(times: string[]): string {
  return new Date(Math.min(...times.map((t) => Date.parse(t)))).toISOString();
}
