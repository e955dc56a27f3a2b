// The design signals are counted in the database, with only the events of the signals that fire read
// (server/services/ops/signals.ts countedSignals: the signals endpoint, the scorecard and weeklyPack 'counted'); the
// reference computation reads every event of the interval and computes each signal from them (computeSignals with a
// read, weeklyPack 'reference'). Likewise the control points endpoint reads only approval events, against every event
// of the week. They give the same answers: on the demo seed's eight weeks (all five kinds of signal firing,
// rollbacks, alerts) for each owner and each week and over the whole history, and on generated histories driven
// through the real API (reclassifications between an owner's queues, escalations, owner decisions, reverts,
// corrections, waits of hours to days so events fall in different weeks), read by the owner and by a supervisor.
// Runs on SQLite and PostgreSQL.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation } from '../../shared/central-api';
import { isoWeekBounds, isoWeekOf } from '../../shared/metrics-definitions';
import { CorrectionsResponse } from '../../shared/ops-api';
import type { AuthUser, ServerContext } from '../../server/services/context';
import { controlPointMetrics, controlPointsOf, loadMetrics } from '../../server/services/ops/metrics';
import { computeSignals } from '../../server/services/ops/signals';
import { weeklyPack } from '../../server/services/ops/weekly-pack';
import { CentralClient, ingestItems, mutationFor, newClientId } from '../helpers/central-client';
import { TestClock } from '../helpers/demo-fixture';
import { startTestServer, type TestServer } from '../helpers/server';

const WEEK_MS = 7 * 86_400_000;
const contextOf = (srv: TestServer, now: () => Date) => ({ db: srv.server.database.db, dbId: 'test', now, log: console, faults: {} }) as unknown as ServerContext;
const user = (id: string, roles: AuthUser['roles']): AuthUser => ({ id, name: id, roles });

/** Every ISO week from the one holding `from` to the one holding `to`. */
function weeksBetween(from: Date, to: Date): string[] {
  const out: string[] = [];
  for (let t = isoWeekBounds(isoWeekOf(from)).from.getTime(); t <= to.getTime(); t += WEEK_MS) out.push(isoWeekOf(new Date(t)));
  return out;
}

/** The counted pack and the reference one agree for every owner, reader and week; returns how many packs had figures. */
async function expectSamePacks(ctx: ServerContext, owners: string[], readers: AuthUser[], weeks: string[]): Promise<number> {
  let withFigures = 0;
  for (const ownerId of owners) {
    for (const reader of readers.filter((r) => r.id === ownerId || r.roles.includes('supervisor'))) {
      for (const week of weeks) {
        const counted = await weeklyPack(ctx, reader, { ownerId, week }, 'counted');
        const reference = await weeklyPack(ctx, reader, { ownerId, week }, 'reference');
        expect(counted, `${ownerId}'s ${week} read by ${reader.id}`).toEqual(reference);
        // The control points endpoint reads only the interval's approval events; over every event, the same.
        const interval = { from: counted.interval.from, to: counted.interval.to };
        expect(await controlPointMetrics(ctx, reader, interval), `control points ${week} read by ${reader.id}`)
          .toEqual(controlPointsOf(await loadMetrics(ctx, reader, interval, 'sla')));
        if (counted.rework.outcomes > 0 || counted.signals.open.length + counted.signals.accepted.length + counted.signals.dismissed.length > 0) withFigures += 1;
      }
    }
  }
  return withFigures;
}

/**
 * The signals counted in the database (the endpoint's way) and computed from every event (the reference) agree
 * over [from, to) for each reader, one queue and one workflow too; returns the kinds that fired.
 */
async function expectSameSignals(ctx: ServerContext, readers: AuthUser[], from: Date, to: Date): Promise<Set<string>> {
  const kinds = new Set<string>();
  for (const reader of readers) {
    const scope = (await ctx.db.selectFrom('queues').select(['id', 'workflow', 'owner_id']).orderBy('id').execute())
      .filter((r) => reader.roles.includes('supervisor') || r.owner_id === reader.id);
    const asked = [{}, ...scope.slice(0, 1).flatMap((r) => [{ queueId: r.id }, { workflow: r.workflow }])];
    for (const filter of asked) {
      const q = { from: from.toISOString(), to: to.toISOString(), ...filter };
      const counted = await computeSignals(ctx, reader, q);
      expect(counted, `signals ${JSON.stringify(q)} read by ${reader.id}`).toEqual(await computeSignals(ctx, reader, q, await loadMetrics(ctx, reader, q, 'events-only')));
      for (const s of counted) kinds.add(s.kind);
    }
  }
  return kinds;
}

describe('weekly pack and signals: counted in the database, the same as the reference computation from every event', () => {
  it('on the demo seed, every owner and week', async () => {
    const srv = await startTestServer({ seed: 'demo' });
    try {
      const now = new Date();
      const ctx = contextOf(srv, () => now);
      const sam = user('sam', ['supervisor']);
      const weeks = weeksBetween(new Date(now.getTime() - 9 * WEEK_MS), now);
      const withFigures = await expectSamePacks(ctx, ['olivia', 'omar'], [sam], weeks);
      // The seed's weeks are not empty: the comparison compared figures, not two empty packs.
      expect(withFigures).toBeGreaterThan(8);
      const anySignal = await weeklyPack(ctx, sam, { ownerId: 'olivia', week: isoWeekOf(new Date(now.getTime() - WEEK_MS)) });
      expect(anySignal.signals.open.length + anySignal.signals.accepted.length + anySignal.signals.dismissed.length).toBeGreaterThan(0);
      // The signals over the whole history and its last four weeks: every kind fires (each counted path compared).
      const kinds = await expectSameSignals(ctx, [sam, user('olivia', ['owner', 'reviewer']), user('omar', ['owner'])], new Date(now.getTime() - 9 * WEEK_MS), now);
      await expectSameSignals(ctx, [sam], new Date(now.getTime() - 4 * WEEK_MS), now);
      expect([...kinds].sort()).toEqual(['delegate_override', 'move_control_earlier', 'simplify_branch', 'tighten_input', 'trust_ai_further']);
    } finally {
      await srv.close();
    }
  }, 240_000);

  describe('on generated histories', () => {
    const start = Date.parse('2026-10-05T08:00:00.000Z');
    const clock = new TestClock(start);
    let srv: TestServer;
    const as: Record<string, CentralClient> = {};
    const clients: Record<string, { id: string; next: number }> = {};
    let ingested = 0;

    beforeAll(async () => {
      srv = await startTestServer({ now: clock.now });
      const anon = new CentralClient(srv.url, null);
      for (const [id, roles] of [['r1', ['reviewer']], ['r2', ['reviewer']], ['own', ['owner', 'reviewer']], ['own2', ['owner']], ['prod', ['producer']], ['sup', ['supervisor']]] as const) {
        as[id] = anon.as((await srv.server.addUser(id, [...roles])).token);
      }
      const queue = { stage: 's1', slaTargetMinutes: 60, idleThresholdSec: 60, reasonCodes: [{ code: 'other', label: 'Other' }] };
      // own's two queues share a workflow and stage (a reclassification moves items between them); own2's is apart.
      await srv.server.upsertQueue({ ...queue, id: 'qa', name: 'A', workflow: 'wf', exceptionClass: 'data_integrity', ownerId: 'own', ownerName: 'own' });
      await srv.server.upsertQueue({ ...queue, id: 'qb', name: 'B', workflow: 'wf', exceptionClass: 'policy', ownerId: 'own', ownerName: 'own' });
      await srv.server.upsertQueue({ ...queue, id: 'qc', name: 'C', workflow: 'wf2', exceptionClass: 'policy', ownerId: 'own2', ownerName: 'own2' });
    }, 120_000);
    afterAll(async () => { await srv?.close(); });

    const items = () => srv.server.database.db.selectFrom('items').select(['id', 'version', 'assignment_epoch as assignmentEpoch', 'status', 'assignee_id', 'queue_id', 'outcome'])
      .orderBy('id');

    async function push(who: string, kind: Mutation['kind'], item: { id: string; version: number; assignmentEpoch: number }, payload: object, activeMin: number, rework = false) {
      const c = (clients[who] ??= { id: newClientId(who), next: 1 });
      const m = mutationFor(kind, item, c.next++, payload as never, { at: clock.now(), labor: false });
      if (activeMin > 0) {
        const now = clock.now().getTime();
        m.labor = { activeMs: activeMin * 60_000, idleMs: 0, wallMs: (activeMin + 1) * 60_000, segments: 1, openedAt: new Date(now - (activeMin + 1) * 60_000).toISOString(),
          decidedAt: clock.now().toISOString(), rework };
      }
      await as[who].push({ clientId: c.id, mutations: [m] });
    }

    type Op =
      | { op: 'ingest'; n: number; queue: 'qa' | 'qb' | 'qc' }
      | { op: 'decide'; who: 'r1' | 'r2'; kind: 'approve' | 'reject' | 'correct' | 'escalate' | 'reclassify' | 'note'; pick: number; active: number }
      | { op: 'owner'; pick: number; active: number }
      | { op: 'revert'; who: 'r1' | 'r2'; pick: number }
      | { op: 'correct'; pick: number }
      | { op: 'wait'; hours: number };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constant('ingest' as const), n: fc.integer({ min: 1, max: 4 }), queue: fc.constantFrom('qa' as const, 'qb' as const, 'qc' as const) }),
      fc.record({ op: fc.constant('decide' as const), who: fc.constantFrom('r1' as const, 'r2' as const),
        kind: fc.constantFrom('approve' as const, 'reject' as const, 'correct' as const, 'escalate' as const, 'reclassify' as const, 'note' as const),
        pick: fc.nat(), active: fc.integer({ min: 0, max: 9 }) }),
      fc.record({ op: fc.constant('owner' as const), pick: fc.nat(), active: fc.integer({ min: 0, max: 9 }) }),
      fc.record({ op: fc.constant('revert' as const), who: fc.constantFrom('r1' as const, 'r2' as const), pick: fc.nat() }),
      fc.record({ op: fc.constant('correct' as const), pick: fc.nat() }),
      fc.record({ op: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 60 }) }),
    );

    async function run(o: Op): Promise<void> {
      clock.advanceMinutes(1);
      switch (o.op) {
        case 'ingest':
          await as.prod.ingest({ items: ingestItems(o.queue, o.n, { source: 'packprop', prefix: 'p', start: ingested }) });
          ingested += o.n;
          return;
        case 'decide': {
          let held = await items().where('assignee_id', '=', o.who).where('status', '=', 'leased').execute();
          if (held.length === 0) {
            await as[o.who].claim({ count: 1, leaseMinutes: 30 });
            held = await items().where('assignee_id', '=', o.who).where('status', '=', 'leased').execute();
          }
          if (held.length === 0) return;
          const item = held[o.pick % held.length];
          const payload = o.kind === 'reject' || o.kind === 'escalate' ? { reasonCode: 'other' }
            : o.kind === 'correct' ? { correctedOutput: { total: 1 } }
              : o.kind === 'reclassify' ? { exceptionClass: item.queue_id === 'qa' ? 'policy' : 'data_integrity', reasonCode: 'other' }
                : o.kind === 'note' ? { text: 'checked' } : {};
          // qc has no sibling to reclassify into: a note instead.
          if (o.kind === 'reclassify' && item.queue_id === 'qc') await push(o.who, 'note', item, { text: 'checked' }, o.active);
          else await push(o.who, o.kind, item, payload, o.active);
          return;
        }
        case 'owner': {
          for (const owner of ['own', 'own2']) {
            const escalated = await items().where('assignee_id', '=', owner).where('status', '=', 'escalated').execute();
            if (escalated.length > 0) await push(owner, 'approve', escalated[o.pick % escalated.length], {}, o.active);
          }
          return;
        }
        case 'revert': {
          const mine = (await items().where('status', '=', 'resolved').execute()).filter((r) => (JSON.parse(r.outcome ?? 'null') as { by?: string } | null)?.by === o.who);
          if (mine.length > 0) await push(o.who, 'revert', mine[o.pick % mine.length], {}, 0);
          return;
        }
        case 'correct': {
          const decided = await items().where('status', '=', 'resolved').execute();
          if (decided.length === 0) return;
          await as.prod.expectOk(CorrectionsResponse, 'POST', '/v1/corrections', { corrections: [{ source: 'erp', itemId: decided[o.pick % decided.length].id,
            detectedAt: clock.now().toISOString(), cost: { minutes: 10 }, note: 'found wrong' }] });
          return;
        }
        case 'wait':
          clock.advanceMinutes(o.hours * 60);
          await srv.server.sweepLeases();
      }
    }

    const readers = [user('own', ['owner', 'reviewer']), user('own2', ['owner']), user('sup', ['supervisor'])];
    it('the same pack for every owner, reader and week', async () => {
      const ctx = contextOf(srv, clock.now);
      // Scripted first: 22 escalations with reason 'other' and no labor in the first week, all approved by the owner
      // in the next: a simplify-branch signal in that week's pack whose steps lie in the weeks before it (read with
      // only the events a signal can count) and carry no labor.
      await as.prod.ingest({ items: ingestItems('qb', 22, { source: 'packprop', prefix: 'branch', start: 0 }) });
      for (let i = 0; i < 22; i++) {
        await as.r1.claim({ count: 1, leaseMinutes: 30 });
        const [held] = await items().where('assignee_id', '=', 'r1').where('status', '=', 'leased').execute();
        await push('r1', 'escalate', held, { reasonCode: 'other' }, 0);
      }
      clock.advanceMinutes(8 * 24 * 60);
      for (const item of await items().where('assignee_id', '=', 'own').where('status', '=', 'escalated').execute()) await push('own', 'approve', item, {}, 2);
      const branchWeek = isoWeekOf(clock.now());
      const branch = await weeklyPack(ctx, readers[0], { ownerId: 'own', week: branchWeek });
      expect(branch.signals.open.map((x) => x.kind)).toContain('simplify_branch');
      await expectSamePacks(ctx, ['own'], readers, [branchWeek]);
      let withFigures = 0;
      await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 15, maxLength: 45 }), async (ops) => {
        for (const o of ops) await run(o);
        withFigures += await expectSamePacks(ctx, ['own', 'own2'], readers, weeksBetween(new Date(start), clock.now()));
        await expectSameSignals(ctx, readers, new Date(start), clock.now());
      }), { numRuns: 8, endOnFailure: true });
      // The histories reached the packs (outcomes or signals in some weeks), and spread over several weeks.
      expect(withFigures).toBeGreaterThan(8);
      expect(weeksBetween(new Date(start), clock.now()).length).toBeGreaterThan(2);
    }, 300_000);
  });
});
