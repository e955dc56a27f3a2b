// The operations scorecard (DESIGN §8): per workflow, the five questions of an exception-ops review, each
// answered from data (items, queues, users, runs, design signals and their decision events) with
// met ÷ n, a colour from SCORECARD_THRESHOLDS (shared/metrics-definitions.ts) and how to recompute it.
// Over the paths the caller sees: an owner's scorecard covers the queues they own.
import type { z } from 'zod';
import { SIGNAL_DECISION_DUE_DAYS, scorecardRating } from '../../../shared/metrics-definitions';
import {
  MAX_EVIDENCE_IDS, SCORECARD_DEFINITIONS, SCORECARD_QUESTION_TEXT, scorecardThresholdText, type DesignSignal, type ScorecardAnswer, type ScorecardQuery,
  type ScorecardQuestion, type ScorecardResponse,
} from '../../../shared/ops-api';
import type { QueueRow } from '../../db/schema';
import type { AuthUser, ServerContext } from '../context';
import { computeSignals, SIGNAL_DECIDED_EVENT } from './signals';
import { queuesInScope } from './scope';

type Query = z.output<typeof ScorecardQuery>;
const DAY = 86_400_000;

export async function operationsScorecard(ctx: ServerContext, user: AuthUser, q: Query): Promise<ScorecardResponse> {
  const queues = await queuesInScope(ctx.db, user, q, 'scorecard');
  const from = new Date(q.from).toISOString();
  const to = new Date(q.to).toISOString();
  const interval = { from, to };

  const owners = new Map<string, string[]>();
  for (const u of await ctx.db.selectFrom('users').select(['id', 'roles']).execute()) owners.set(u.id, JSON.parse(u.roles) as string[]);

  // Signals that have waited at least SIGNAL_DECISION_DUE_DAYS by `to`: those firing over [from, to − due).
  const dueTo = new Date(Date.parse(to) - SIGNAL_DECISION_DUE_DAYS * DAY).toISOString();
  const due: DesignSignal[] = dueTo > from && queues.length > 0 ? await computeSignals(ctx, user, { from, to: dueTo, workflow: q.workflow, queueId: q.queueId }) : [];
  // Decided before `to` by any accept / dismiss event then (a later change of mind does not undo that it was decided).
  const decidedIds = new Set<string>();
  for (let i = 0; i < due.length; i += 500) {
    const rows = await ctx.db.selectFrom('ops_events').select('subject').where('type', '=', SIGNAL_DECIDED_EVENT)
      .where('subject', 'in', due.slice(i, i + 500).map((s) => s.id)).where('at', '<', to).execute();
    for (const r of rows) decidedIds.add(r.subject);
  }

  const workflows = new Map<string, QueueRow[]>();
  for (const r of queues) workflows.set(r.workflow, [...(workflows.get(r.workflow) ?? []), r]);
  const out: ScorecardResponse['workflows'] = [];
  for (const [workflow, wq] of [...workflows].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const queueIds = wq.map((r) => r.id);
    const answer = (question: ScorecardQuestion, met: number, n: number, detail: string, itemIds: string[], filter: Record<string, string | number | boolean | string[]>): ScorecardAnswer => ({
      question, text: SCORECARD_QUESTION_TEXT[question], rating: scorecardRating(question, met, n), percent: n === 0 ? null : (met / n) * 100, met, n,
      definition: `${SCORECARD_DEFINITIONS[question]} ${scorecardThresholdText(question)}.`, detail, interval,
      recompute: { itemIds: itemIds.slice(0, MAX_EVIDENCE_IDS), itemIdsTotal: itemIds.length, filter: { question, workflow, queueIds, from, to, ...filter } },
    });

    // 1. classified: new items of the workflow that carry an exception reason code.
    const items = await ctx.db.selectFrom('items').select(['id', 'reasons']).where('queue_id', 'in', queueIds)
      .where('created_at', '>=', from).where('created_at', '<', to).orderBy('id').execute();
    const unclassified = items.filter((i) => (JSON.parse(i.reasons) as unknown[]).length === 0).map((i) => i.id);
    const classified = items.length - unclassified.length;

    // 2. control points with an SLA target; 3. one named owner holding the owner role.
    const withSla = wq.filter((r) => r.sla_target_minutes > 0);
    const named = wq.filter((r) => owners.get(r.owner_id)?.includes('owner') === true);
    const notNamed = wq.filter((r) => !named.includes(r));

    // 4. tax measured: each queue's labor cost, and runs with straight-through cost for the interval.
    const costed = wq.filter((r) => r.labor_cost_per_hour !== null && r.labor_currency !== null);
    const runs = await ctx.db.selectFrom('runs').select(['runs', 'straight_through_amount']).where('workflow', '=', workflow)
      .where('period_start', '>=', from).where('period_start', '<', to).execute();
    const runsReported = runs.length > 0 && runs.every((r) => r.straight_through_amount !== null);
    const runCount = runs.reduce((n, r) => n + r.runs, 0);

    // 5. feeding redesign: due signals decided (accept or dismiss) before `to`.
    const dueHere = due.filter((s) => s.subject.workflow === workflow);
    const decided = dueHere.filter((s) => decidedIds.has(s.id));
    const undecided = dueHere.filter((s) => !decided.includes(s));

    out.push({
      workflow, queueIds, ownerIds: [...new Set(wq.map((r) => r.owner_id))].sort(),
      answers: [
        answer('classified', classified, items.length,
          `${classified} of ${items.length} exceptions created in the interval carry a reason code${unclassified.length > 0 ? `; ${unclassified.length} arrived with none` : ''}.`,
          items.map((i) => i.id), { createdInInterval: true, unclassified: unclassified.slice(0, 50) }),
        answer('control_points_with_sla', withSla.length, wq.length,
          `${withSla.length} of ${wq.length} queues have an SLA target (${wq.map((r) => `${r.id} ${r.sla_target_minutes} min`).join(', ')}).`, [], {}),
        answer('one_owner_per_path', named.length, wq.length,
          `${named.length} of ${wq.length} queues have a named owner with the owner role${notNamed.length > 0 ? `; not: ${notNamed.map((r) => `${r.id} (${r.owner_id})`).join(', ')}` : ''}.`,
          [], { owners: wq.map((r) => `${r.id}:${r.owner_id}`) }),
        answer('tax_measured', costed.length + (runsReported ? 1 : 0), wq.length + 1,
          `${costed.length} of ${wq.length} queues have a labor cost per hour; runs ${runs.length === 0 ? 'not reported' : `reported (${runCount} runs in ${runs.length} reports)${runsReported ? ' with straight-through cost' : ', some without straight-through cost'}`}.`,
          [], { costedQueueIds: costed.map((r) => r.id), runReports: runs.length }),
        answer('feeding_redesign', decided.length, dueHere.length,
          dueTo <= from ? `The interval is shorter than ${SIGNAL_DECISION_DUE_DAYS} days: no signal has waited that long in it.`
            : `${decided.length} of ${dueHere.length} signals that fired by ${dueTo} were accepted or dismissed before ${to}${undecided.length > 0 ? `; waiting: ${undecided.map((s) => s.id).join(', ')}` : ''}.`,
          [], { signalsFrom: from, signalsTo: dueTo > from ? dueTo : from, signalIds: dueHere.map((s) => s.id), decidedSignalIds: decided.map((s) => s.id) }),
      ],
    });
  }
  return { interval, computedAt: ctx.now().toISOString(), workflows: out };
}
