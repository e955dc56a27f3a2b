// Eight weeks of demo history, lived through the server's own services on a simulated clock: the producer
// ingests and reports runs and corrections, reviewers claim and push decisions (notes, reclassifications,
// defers, escalations, reverts, a forgotten lease that comes back as a conflict), owners decide their
// escalations and override, a rollback trigger trips, the owner acknowledges it and rolls the outcomes back,
// and reviewers rework them. Every row comes from the same code that real traffic runs (ingest, claim,
// push, recordRuns, recordCorrections, updatePolicy, rollback, acknowledgeAlert), inside one write transaction
// (writeTransaction joins it) on a scratch database whose rows the seed then copies (demo-history-copy.ts),
// so the log can never disagree with what the API would have written. Deterministic: one seeded PRNG drives every choice; only correction and alert ids are random.
//
// The demo desk users (alice, bob) have no history, so the desk's own flows start clean; the history's
// reviewers are eight colleagues plus olivia. Every history item is resolved when the history ends.
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { ClaimRequest, IngestRequest, PushRequest, type Mutation, type MutationResult } from '../../shared/central-api';
import type { Item, Labor } from '../../shared/domain';
import { AlertAckRequest, CorrectionsRequest, QueuePolicyUpdate, RollbackRequest, RunsRequest } from '../../shared/ops-api';
import type { Db } from '../db/connection';
import { BackgroundTasks } from '../services/background-tasks';
import type { AuthUser, ServerContext } from '../services/context';
import { ingest } from '../services/ingest';
import { claim } from '../services/leases';
import { acknowledgeAlert } from '../services/ops/triggers';
import { recordCorrections, recordRuns } from '../services/ops/inputs';
import { updatePolicy } from '../services/ops/policies';
import { rollback } from '../services/ops/rollbacks';
import { expectedPayloadHash, push } from '../services/push';
import { invoiceItem, kycItem, moderationItem, procurementItem, supportItem, type DemoItem } from './demo-items';
import type { Rng } from './prng';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How far back the history starts. */
export const HISTORY_DAYS = 56;

/** The history's reviewers: [id, speed factor (handle time ×), queues they work, share of workday hours on shift]. */
export const HISTORY_REVIEWERS: { id: string; speed: number; queues: string[]; shift: number }[] = [
  { id: 'chen', speed: 0.8, queues: ['invoices-ledger', 'procurement-po'], shift: 0.7 },
  { id: 'dana', speed: 1.0, queues: ['invoices-ledger'], shift: 0.6 },
  { id: 'emeka', speed: 1.1, queues: ['kyc-sanctions', 'invoices-ledger'], shift: 0.6 },
  { id: 'freya', speed: 0.9, queues: ['support-drafts'], shift: 0.7 },
  { id: 'gita', speed: 1.3, queues: ['support-drafts', 'moderation-publish'], shift: 0.5 },
  { id: 'hugo', speed: 1.0, queues: ['moderation-publish'], shift: 0.6 },
  { id: 'ines', speed: 1.2, queues: ['kyc-sanctions'], shift: 0.5 },
  { id: 'jonas', speed: 0.9, queues: ['procurement-po', 'support-drafts'], shift: 0.4 },
];

/** Exceptions arriving per hour on a weekday (nights and weekends get a fraction). */
const ARRIVALS_PER_HOUR: Record<string, number> = {
  'invoices-ledger': 0.55, 'kyc-sanctions': 0.24, 'support-drafts': 0.85, 'moderation-publish': 0.34, 'procurement-po': 0.3,
};
/** Outside working hours the producer's batches come every few hours (fewer, larger ingests). */
const OFF_HOURS_BATCH = 4;

/** Loaded labor cost per hour and straight-through economics of each queue's workflow. */
const ECONOMICS: Record<string, { costPerHour: number; currency: string; exceptionRate: number; straightThroughPerRun: number }> = {
  'invoices-ledger': { costPerHour: 48, currency: 'EUR', exceptionRate: 0.08, straightThroughPerRun: 0.04 },
  'kyc-sanctions': { costPerHour: 55, currency: 'EUR', exceptionRate: 0.05, straightThroughPerRun: 0.35 },
  'support-drafts': { costPerHour: 32, currency: 'EUR', exceptionRate: 0.12, straightThroughPerRun: 0.02 },
  'moderation-publish': { costPerHour: 30, currency: 'EUR', exceptionRate: 0.03, straightThroughPerRun: 0.003 },
  'procurement-po': { costPerHour: 60, currency: 'USD', exceptionRate: 0.2, straightThroughPerRun: 0.5 },
};

/** Active minutes a decision takes in each queue (median), before the reviewer's speed factor. */
const HANDLE_MINUTES: Record<string, number> = {
  'invoices-ledger': 3.5, 'kyc-sanctions': 6, 'support-drafts': 1.6, 'moderation-publish': 1.2, 'procurement-po': 4.5,
};

/** How an owner usually answers an escalation, by its reason code. */
const OWNER_ANSWERS: Record<string, 'approve' | 'reject'> = {
  over_budget: 'reject', unapproved_vendor: 'reject', split_purchase: 'approve', pep_review: 'reject', insufficient_docs: 'approve',
  vendor_unknown: 'reject', totals_mismatch: 'approve', policy_promise: 'reject', hate: 'reject',
};

/** The support reply model had a bad release for a few days in week six: the rollback story. */
const BAD_MODEL = { version: 'reply-gen-2025-11', fromDay: 36, toDay: 39 };

export interface HistorySummary { items: number; sessions: number; mutations: number; rollbackId: string | null; alerts: number }

interface Decision { kind: Mutation['kind']; payload: Record<string, unknown> }

interface Held { item: Item; claimedAt: number }

type Generator = (rng: Rng, n: number, now: Date) => DemoItem;

const GENERATORS: Record<string, Generator> = {
  'invoices-ledger': invoiceItem, 'kyc-sanctions': kycItem, 'support-drafts': (rng, n) => supportItem(rng, n),
  'moderation-publish': (rng, n) => moderationItem(rng, n), 'procurement-po': (rng, n) => procurementItem(rng, n),
};

const silentLog = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;

/** Poisson draw (Knuth), fine for the small means used here. */
function poisson(rng: Rng, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit) { k += 1; p *= rng.next(); }
  return k;
}

const isWeekday = (t: number) => { const d = new Date(t).getUTCDay(); return d >= 1 && d <= 5; };
const hourOf = (t: number) => new Date(t).getUTCHours();

export async function seedDemoHistory(tx: Db, now: Date, rng: Rng): Promise<HistorySummary> {
  const end = now.getTime() - 20 * MINUTE;
  const start = Math.floor((now.getTime() - HISTORY_DAYS * DAY) / HOUR) * HOUR;
  let clock = start;
  const tasks = new BackgroundTasks(silentLog);
  const ctx: ServerContext = { db: tx, dbId: 'demo-seed', now: () => new Date(clock), log: silentLog, faults: {}, maxLeasedPerUser: 10_000, tasks };
  const user = async (id: string): Promise<AuthUser> => {
    const r = await tx.selectFrom('users').select(['id', 'name', 'roles']).where('id', '=', id).executeTakeFirstOrThrow();
    return { id: r.id, name: r.name, roles: JSON.parse(r.roles) as string[] };
  };
  const producer = await user('ingest');
  const olivia = await user('olivia');
  const omar = await user('omar');
  const reviewers = new Map<string, AuthUser>();
  for (const r of HISTORY_REVIEWERS) reviewers.set(r.id, await user(r.id));
  const summary: HistorySummary = { items: 0, sessions: 0, mutations: 0, rollbackId: null, alerts: 0 };

  // ---- policies, set by each owner when the history begins ----
  for (const [queueId, e] of Object.entries(ECONOMICS)) {
    const owner = queueId === 'procurement-po' ? omar : olivia;
    const rollbackTrigger = queueId === 'support-drafts' ? { kind: 'corrections_count' as const, atLeast: 4, windowHours: 48 }
      : queueId === 'invoices-ledger' ? { kind: 'corrections_count' as const, atLeast: 5, windowHours: 72 } : undefined;
    await updatePolicy(tx, owner, QueuePolicyUpdate.parse({ queueId, laborCost: { amountPerHour: e.costPerHour, currency: e.currency },
      ...(rollbackTrigger ? { rollbackTrigger } : {}) }), new Date(clock));
  }

  // ---- helpers around the real services ----
  let itemSeq = 0;
  const createdPerDay = new Map<string, number>();
  const mutationIds = new Map<string, number>();
  const clientOf = (uid: string) => `demo-history-${uid}`;

  async function pushAs(u: AuthUser, ms: { item: Item; epoch?: number; d: Decision; labor?: Labor }[]): Promise<MutationResult[]> {
    if (ms.length === 0) return [];
    const clientId = clientOf(u.id);
    let last = mutationIds.get(clientId) ?? 0;
    const mutations = ms.map(({ item, epoch, d, labor }) => {
      const base = { mutationId: ++last, kind: d.kind, itemId: item.id, baseVersion: item.version, assignmentEpoch: epoch ?? item.assignmentEpoch,
        payload: d.payload };
      return { ...base, at: new Date(clock).toISOString(), ...(labor ? { labor } : {}), payloadHash: expectedPayloadHash(base as Mutation) };
    });
    mutationIds.set(clientId, last);
    summary.mutations += mutations.length;
    const res = await push(ctx, u, PushRequest.parse({ clientId, mutations }));
    return res.results;
  }

  const labor = (queueId: string, speed: number, rework = false): Labor => {
    const active = Math.round(HANDLE_MINUTES[queueId] * speed * MINUTE * Math.exp((rng.next() - 0.5) * 1.1));
    const idle = Math.round(active * rng.next() * 0.3);
    const wall = active + idle + Math.round(rng.next() * 20_000);
    return { activeMs: active, idleMs: idle, wallMs: wall, segments: 1 + Math.floor(rng.next() * 3), openedAt: new Date(clock - wall).toISOString(),
      decidedAt: new Date(clock).toISOString(), rework };
  };

  // ---- the producer ----
  async function arrive(t: number): Promise<void> {
    const day = Math.floor((t - start) / DAY);
    const working = isWeekday(t) && hourOf(t) >= 8 && hourOf(t) < 17;
    if (!working && hourOf(t) % OFF_HOURS_BATCH !== 0) return;
    const busy = working ? 1 : (isWeekday(t) ? 0.12 : 0.05) * OFF_HOURS_BATCH;
    const items = [];
    for (const [queueId, rate] of Object.entries(ARRIVALS_PER_HOUR)) {
      const n = poisson(rng, rate * busy);
      for (let k = 0; k < n; k++) {
        itemSeq += 1;
        let it = GENERATORS[queueId](rng, 100_000 + itemSeq, new Date(t));
        // One validation code behind nearly half of the ledger's exceptions: the "tighten an input constraint" signal.
        while (queueId === 'invoices-ledger' && it.reasons[0].code !== 'totals_mismatch' && !rng.chance(0.45)) it = GENERATORS[queueId](rng, 100_000 + itemSeq, new Date(t));
        const output = queueId === 'support-drafts'
          ? { ...it.output, modelVersion: day >= BAD_MODEL.fromDay && day < BAD_MODEL.toDay ? BAD_MODEL.version : 'reply-gen-2025-10' }
          : it.output;
        items.push({ ...it, output, queueId });
      }
    }
    if (items.length === 0) return;
    clock = t + Math.floor(rng.next() * 10) * MINUTE;
    let idn = 0;
    const dayKey = new Date(clock).toISOString().slice(0, 10);
    const base = itemSeq - items.length;
    await ingest(ctx, producer, IngestRequest.parse({ items }), () => `itm_h${String(base + ++idn).padStart(5, '0')}`);
    for (const it of items) createdPerDay.set(`${dayKey}|${it.queueId}`, (createdPerDay.get(`${dayKey}|${it.queueId}`) ?? 0) + 1);
    summary.items += items.length;
  }

  // ---- reviewers ----
  /** What a reviewer does with an item: the outcome rules that make the design signals fire. */
  function choose(item: Item): Decision {
    const code = item.reasons[0]?.code ?? '';
    const r = rng.next();
    const reject = (reasonCode: string): Decision => ({ kind: 'reject', payload: { reasonCode } });
    const escalate = (reasonCode: string): Decision => ({ kind: 'escalate', payload: { reasonCode, comment: 'Needs the owner\'s call' } });
    const approve: Decision = { kind: 'approve', payload: {} };
    const correct = (fields: Record<string, unknown>): Decision => ({ kind: 'correct', payload: { correctedOutput: { ...item.output, ...fields } } });
    const out = item.output as Record<string, unknown>;
    switch (item.queueId) {
      case 'invoices-ledger': {
        const fixedTotal = Math.round(((out.subtotal as number) + (out.taxAmount as number)) * 100) / 100;
        if (code === 'totals_mismatch') return r < 0.85 ? correct({ total: fixedTotal }) : r < 0.95 ? approve : escalate('totals_mismatch');
        if (code === 'duplicate_invoice') return r < 0.95 ? reject('duplicate_invoice') : approve;
        if (code === 'vendor_unknown') return r < 0.4 ? escalate('vendor_unknown') : r < 0.7 ? reject('vendor_unknown') : approve;
        if (code === 'tax_incorrect') return r < 0.8 ? correct({ taxAmount: Math.round((out.subtotal as number) * 0.19 * 100) / 100 }) : reject('tax_incorrect');
        if (code === 'po_missing') return r < 0.5 ? reject('po_missing') : approve;
        return r < 0.7 ? approve : correct({ invoiceDate: out.invoiceDate });
      }
      case 'kyc-sanctions':
        if (code === 'document_expired') return r < 0.96 ? reject('document_expired') : approve;
        if (code === 'pep_hit') return r < 0.6 ? escalate('pep_review') : approve;
        return r < 0.75 ? approve : r < 0.85 ? reject('true_match') : escalate('insufficient_docs');
      case 'support-drafts':
        return r < 0.965 ? approve : r < 0.985 ? correct({ draftReply: `${String(out.draftReply)}\n\n(P.S. edited by the support team.)` })
          : r < 0.995 ? reject(rng.pick(['wrong_answer', 'hallucinated_fact', 'tone'])) : escalate('policy_promise');
      case 'moderation-publish': {
        const label = String(out.label);
        if (label === 'spam') return r < 0.93 ? reject('spam') : approve;
        return r < 0.55 ? reject(label) : r < 0.95 ? approve : escalate('hate');
      }
      default: // procurement-po
        if (code === 'over_budget') return r < 0.7 ? escalate('over_budget') : reject('over_budget');
        if (code === 'unapproved_vendor') return r < 0.6 ? reject('unapproved_vendor') : escalate('unapproved_vendor');
        return r < 0.5 ? approve : escalate('split_purchase');
    }
  }

  const forgotten = new Map<string, Held[]>();
  /** Outcomes recent enough for an owner to review (overrides) and for a producer to find wrong (corrections). */
  const decided: { item: Item; at: number; by: string }[] = [];
  let recent: { item: Item; at: number; by: string }[] = [];
  const escalatedTo = new Map<string, Item[]>([['olivia', []], ['omar', []]]);

  function record(results: MutationResult[], by: string): void {
    for (const r of results) {
      if (r.status !== 'applied' || !r.item) continue;
      if (r.item.status === 'resolved') { decided.push({ item: r.item, at: clock, by }); recent.push({ item: r.item, at: clock, by }); }
      if (r.item.status === 'escalated' && r.item.assigneeId) escalatedTo.get(r.item.assigneeId)?.push(r.item);
    }
  }

  async function session(rid: string, t: number): Promise<void> {
    const spec = HISTORY_REVIEWERS.find((r) => r.id === rid)!;
    const u = reviewers.get(rid)!;
    clock = t;
    summary.sessions += 1;
    // A lease forgotten over lunch comes back as a conflict: the labor still counts (a `labor` event).
    const late = forgotten.get(rid) ?? [];
    forgotten.delete(rid);
    if (late.length > 0) await pushAs(u, late.map((h) => ({ item: h.item, d: choose(h.item), labor: labor(h.item.queueId, spec.speed) })));
    const items = await claim(ctx, u, ClaimRequest.parse({ count: 4 + Math.floor(rng.next() * 4), queueIds: spec.queues, leaseMinutes: 30 }));
    if (items.length === 0) return;
    const batch: { item: Item; d: Decision; labor?: Labor }[] = [];
    const reverts: Item[] = [];
    for (const item of items) {
      clock += Math.round(HANDLE_MINUTES[item.queueId] * spec.speed * MINUTE);
      const r = rng.next();
      if (r < 0.008) { forgotten.set(rid, [...(forgotten.get(rid) ?? []), { item, claimedAt: clock }]); continue; }
      if (r < 0.03) { batch.push({ item, d: { kind: 'defer', payload: { comment: 'Waiting for the vendor master update' } }, labor: labor(item.queueId, spec.speed) }); continue; }
      if (r < 0.08) batch.push({ item, d: { kind: 'note', payload: { text: rng.pick(['Checked against the source document.', 'Customer history looks clean.', 'Second opinion from the team lead.']) } } });
      if (item.queueId === 'moderation-publish' && r > 0.93) {
        // Reclassified (and, now and then, back again): the class changes, the age on the SLA clock does not.
        batch.push({ item, d: { kind: 'reclassify', payload: { exceptionClass: 'confidence', reasonCode: 'other', comment: 'Borderline score, not a policy question' } }, labor: labor(item.queueId, spec.speed) });
        if (r > 0.975) batch.push({ item, d: { kind: 'reclassify', payload: { exceptionClass: 'policy', reasonCode: 'other', comment: 'It is a policy question after all' } }, labor: labor(item.queueId, spec.speed) });
      }
      batch.push({ item, d: choose(item), labor: labor(item.queueId, spec.speed) });
      if (rng.next() < 0.015) reverts.push(item);
    }
    const results = await pushAs(u, batch);
    record(results, rid);
    // Second thoughts: revert a few of this session's outcomes and decide them again (rework).
    const byId = new Map(results.filter((x) => x.status === 'applied' && x.item?.status === 'resolved').map((x) => [x.itemId, x.item!]));
    const toRevert = reverts.flatMap((i) => (byId.has(i.id) ? [byId.get(i.id)!] : []));
    if (toRevert.length > 0) {
      clock += 2 * MINUTE;
      const reopened = (await pushAs(u, toRevert.map((item) => ({ item, d: { kind: 'revert', payload: { comment: 'Decided too fast' } } }))))
        .filter((x) => x.status === 'applied' && x.item).map((x) => x.item!);
      clock += 3 * MINUTE;
      record(await pushAs(u, reopened.map((item) => ({ item, d: choose(item), labor: labor(item.queueId, spec.speed, true) }))), rid);
    }
  }

  async function ownerSession(owner: AuthUser, t: number, overrides: number): Promise<void> {
    clock = t;
    const waiting = escalatedTo.get(owner.id)!.splice(0);
    if (waiting.length > 0) {
      const ms = waiting.map((item) => {
        clock += 4 * MINUTE;
        const code = item.escalation?.reasonCode ?? item.reasons[0]?.code ?? 'other';
        // Owners answer an escalation's reason the same way nearly every time (the "simplify a decision branch" signal).
        const usual = OWNER_ANSWERS[code] ?? 'approve';
        const kind = rng.next() < 0.95 ? usual : usual === 'approve' ? 'reject' : 'approve';
        const d: Decision = kind === 'approve' ? { kind: 'approve', payload: { comment: 'Approved by the owner' } } : { kind: 'reject', payload: { reasonCode: code } };
        return { item, d, labor: labor(item.queueId, 1.4) };
      });
      record(await pushAs(owner, ms), owner.id);
    }
    // Spot checks of yesterday's outcomes in the owner's queues: now and then one is overridden.
    recent = recent.filter((x) => x.at > clock - DAY);
    // (Not the support drafts: their approve-as-is rate is what the "trust the AI further" signal reads.)
    const mine = recent.filter((x) => x.by !== owner.id && (owner.id === 'omar') === (x.item.queueId === 'procurement-po') && x.item.queueId !== 'support-drafts'
      && x.item.outcome?.kind === 'approve');
    for (let k = 0; k < overrides && mine.length > 0; k++) {
      const pickIdx = Math.floor(rng.next() * mine.length);
      const target = mine.splice(pickIdx, 1)[0];
      const queueCodes = (await tx.selectFrom('queues').select('reason_codes').where('id', '=', target.item.queueId).executeTakeFirstOrThrow()).reason_codes;
      const reasonCode = (JSON.parse(queueCodes) as { code: string }[])[0].code;
      clock += 3 * MINUTE;
      record(await pushAs(owner, [{ item: target.item, d: { kind: 'override', payload: { outcome: 'reject', reasonCode, reason: 'Spot check: this should not have gone through' } } }]), owner.id);
    }
  }

  // ---- downstream: corrections and run volumes ----
  const correctionQueue: { itemId: string; at: number; queueId: string; bad: boolean }[] = [];
  function planCorrections(): void {
    for (const x of decided.splice(0)) {
      const bad = x.item.queueId === 'support-drafts' && (x.item.output as { modelVersion?: string }).modelVersion === BAD_MODEL.version && x.item.outcome?.kind === 'approve';
      const p = bad ? 0.7 : ({ 'invoices-ledger': 0.012, 'kyc-sanctions': 0.005, 'support-drafts': 0.002, 'moderation-publish': 0.008, 'procurement-po': 0.01 } as Record<string, number>)[x.item.queueId];
      if (rng.next() < p) correctionQueue.push({ itemId: x.item.id, at: x.at + (bad ? 6 * HOUR + rng.next() * DAY : DAY + rng.next() * 4 * DAY), queueId: x.item.queueId, bad });
    }
  }
  async function reportCorrections(t: number, extraInvoices: number): Promise<string[]> {
    clock = t;
    const due = correctionQueue.filter((c) => c.at <= t);
    if (extraInvoices > 0) {
      // The ledger's recent outcomes, found wrong in a burst near the end: the trigger that is still open.
      const recent = await tx.selectFrom('items').select('id').where('queue_id', '=', 'invoices-ledger').where('status', '=', 'resolved')
        .where('id', 'like', 'itm_h%').orderBy('id', 'desc').limit(extraInvoices).execute();
      for (const r of recent) if (!due.some((d) => d.itemId === r.id)) due.push({ itemId: r.id, at: t - HOUR, queueId: 'invoices-ledger', bad: false });
    }
    if (due.length === 0) return [];
    for (const d of due) correctionQueue.splice(correctionQueue.indexOf(d), 1);
    const currency = (q: string) => ECONOMICS[q].currency;
    const res = await recordCorrections(ctx, producer, CorrectionsRequest.parse({ corrections: due.map((d) => ({
      source: d.queueId === 'support-drafts' ? 'support-qa' : 'finance-audit', itemId: d.itemId, detectedAt: new Date(Math.min(d.at, t)).toISOString(),
      cost: { minutes: 15 + Math.round(rng.next() * 60), ...(d.queueId === 'support-drafts' ? {} : { amount: { amount: Math.round(rng.next() * 30_000) / 100, currency: currency(d.queueId) } }) },
      note: d.bad ? 'Customer complained: the reply promised a refund we do not offer' : 'Found wrong downstream in reconciliation',
    })) }));
    summary.alerts += res.alerts.length;
    return res.alerts;
  }
  async function reportRuns(dayStart: number): Promise<void> {
    const dayKey = new Date(dayStart).toISOString().slice(0, 10);
    const byWorkflow = new Map<string, { runs: number; cost: number; currency: string }>();
    const workflows: Record<string, string> = { 'invoices-ledger': 'invoice-extraction', 'kyc-sanctions': 'kyc-onboarding', 'support-drafts': 'support-replies',
      'moderation-publish': 'content-moderation', 'procurement-po': 'procurement' };
    for (const [queueId, e] of Object.entries(ECONOMICS)) {
      const exceptions = createdPerDay.get(`${dayKey}|${queueId}`) ?? 0;
      const runs = Math.round(exceptions / e.exceptionRate + rng.next() * 20);
      byWorkflow.set(workflows[queueId], { runs, cost: Math.round(runs * e.straightThroughPerRun * 100) / 100, currency: e.currency });
    }
    clock = dayStart + DAY + 30 * MINUTE;
    await recordRuns(ctx, producer, RunsRequest.parse({ runs: [...byWorkflow].map(([workflow, r]) => ({ source: 'workflow-engine', workflow,
      periodStart: new Date(dayStart).toISOString(), periodEnd: new Date(dayStart + DAY).toISOString(), runs: r.runs,
      straightThroughCost: { amount: r.cost, currency: r.currency } })) }));
  }

  // ---- the clock runs ----
  let rolledBack = false;
  for (let t = start; t < end - HOUR; t += HOUR) {
    const day = Math.floor((t - start) / DAY);
    const h = hourOf(t);
    if (h === 0 && t > start) await reportRuns(t - DAY);
    if (h === 6) {
      const alerts = await reportCorrections(t, day === HISTORY_DAYS - 2 ? 6 : 0);
      if (alerts.length > 0 && !rolledBack && day >= BAD_MODEL.fromDay) {
        // The owner reads the alert, acknowledges it and rolls back the bad model's approvals; reviewers rework them.
        const alert = await tx.selectFrom('alerts').select(['id', 'proposed_filter', 'queue_id']).where('id', 'in', alerts).where('queue_id', '=', 'support-drafts').executeTakeFirst();
        if (alert) {
          clock = t + 2 * HOUR + 10 * MINUTE;
          await acknowledgeAlert(ctx, olivia, AlertAckRequest.parse({ alertId: alert.id, note: 'Bad reply-model release; rolling its approvals back' }));
          const proposed = JSON.parse(alert.proposed_filter) as { queueIds: string[] };
          const rollbackId = `rb_demo_${BAD_MODEL.version}`;
          clock += 5 * MINUTE;
          await rollback(ctx, olivia, RollbackRequest.parse({ mode: 'apply', rollbackId, reason: `Approvals of ${BAD_MODEL.version} drafts: customers were promised refunds we do not offer`,
            filter: { queueIds: proposed.queueIds, outcomes: ['approve'], from: new Date(start + BAD_MODEL.fromDay * DAY).toISOString(), to: new Date(clock).toISOString(),
              metadata: { path: 'output.modelVersion', equals: BAD_MODEL.version } } }));
          await tasks.settled(`rollback:${rollbackId}`);
          summary.rollbackId = rollbackId;
          rolledBack = true;
          // What the rollback reverted needs no more corrections of the bad release.
          for (let k = correctionQueue.length - 1; k >= 0; k--) if (correctionQueue[k].bad) correctionQueue.splice(k, 1);
        }
      }
    }
    await arrive(t);
    if (isWeekday(t) && h >= 8 && h < 17) {
      // The team lead looks at the board: each queue with open work gets one reviewer who covers it this hour.
      const board = await tx.selectFrom('items').select(['queue_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('status', '=', 'open').where('id', 'like', 'itm_h%').groupBy('queue_id').execute();
      const busyQueues = new Set(board.filter((b) => Number(b.n) > 0).map((b) => b.queue_id));
      const onShift: number[] = [];
      for (const queueId of [...busyQueues].sort()) {
        if (onShift.some((i) => HISTORY_REVIEWERS[i].queues.includes(queueId))) continue;
        const candidates = HISTORY_REVIEWERS.flatMap((r, i) => (r.queues.includes(queueId) && !onShift.includes(i) && h !== 12 + (r.id.length % 2) ? [i] : []));
        const weights = candidates.map((i) => HISTORY_REVIEWERS[i].shift);
        let pick = rng.next() * weights.reduce((a, b) => a + b, 0);
        const chosen = candidates.find((_, k) => (pick -= weights[k]) <= 0);
        if (chosen !== undefined) onShift.push(chosen);
      }
      for (const i of onShift.sort((a, b) => a - b)) await session(HISTORY_REVIEWERS[i].id, t + (12 + Math.floor(rng.next() * 30)) * MINUTE);
      if (h === 9 || h === 13 || h === 16) await ownerSession(olivia, t + 50 * MINUTE, h === 13 ? 1 : 0);
      // Omar reads his escalations twice a week: his approval latency outruns the SLA (the "delegate" signal).
      const dow = new Date(t).getUTCDay();
      if (h === 15 && (dow === 2 || dow === 4)) await ownerSession(omar, t + 40 * MINUTE, dow === 4 ? 1 : 0);
    }
    planCorrections();
  }

  // ---- close out: nothing of the history stays open, leased or escalated ----
  clock = end - 15 * MINUTE;
  for (const [rid, late] of forgotten) await pushAs(reviewers.get(rid)!, late.map((h) => ({ item: h.item, d: choose(h.item), labor: labor(h.item.queueId, 1) })));
  forgotten.clear();
  for (let round = 0; round < 10; round++) {
    const left = await tx.selectFrom('items').select(['id', 'status', 'queue_id']).where('id', 'like', 'itm_h%').where('status', '!=', 'resolved').execute();
    if (left.length === 0) break;
    clock = end - (14 - round) * MINUTE;
    await ownerSession(olivia, clock, 0);
    await ownerSession(omar, clock, 0);
    for (const spec of HISTORY_REVIEWERS) {
      const u = reviewers.get(spec.id)!;
      const items = await claim(ctx, u, ClaimRequest.parse({ count: 500, queueIds: spec.queues, leaseMinutes: 30 }));
      const history = items.filter((i) => i.id.startsWith('itm_h'));
      const results = await pushAs(u, history.map((item) => {
        const d = choose(item);
        return { item, d: d.kind === 'escalate' ? { kind: 'approve' as const, payload: {} } : d, labor: labor(item.queueId, spec.speed) };
      }));
      record(results, spec.id);
      const stray = items.filter((i) => !i.id.startsWith('itm_h'));
      if (stray.length > 0) throw new Error('the demo history claimed an item outside the history');
    }
  }
  clock = end;
  return summary;
}
