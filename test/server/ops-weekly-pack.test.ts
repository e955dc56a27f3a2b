// The weekly review pack (DESIGN §8) of owner `own` for ISO week 2026-W45, on a scripted history worked out by
// hand (comments), driven through the real API on an injected clock: its contents, marking it reviewed
// (idempotent, an event), who may read and mark it, and its Markdown and CSV exports parsed back and compared
// with the JSON. T0 = Monday 2026-11-02 08:00 UTC (in W45); q-inv: SLA 60 min, 60 EUR/h, owned by `own`.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation } from '../../shared/central-api';
import type { Item } from '../../shared/domain';
import {
  CorrectionsResponse, QueuePolicy, RollbackProgress, RunsResponse, SignalDecisionResponse, WeeklyExport, WeeklyReviewMark, WeeklyReviewMarkResponse,
  WeeklyReviewPack,
} from '../../shared/ops-api';
import { WEEKLY_CSV_COLUMNS, WEEKLY_MD_SECTIONS, weeklyPackCsv, weeklyPackMarkdown, weeklyPackRows } from '../../shared/weekly-pack-export';
import { CentralClient, ingestItems, mutationFor, newClientId } from '../helpers/central-client';
import { changedTables, snapshotOf } from '../helpers/db-snapshot';
import { TestClock } from '../helpers/demo-fixture';
import { startTestServer, type TestServer } from '../helpers/server';

const T0 = Date.parse('2026-11-02T08:00:00.000Z');
const DAY = 24 * 60;
const at = (min: number) => new Date(T0 + min * 60_000);
const iso = (min: number) => at(min).toISOString();
const clock = new TestClock(T0);
const setClock = (min: number) => { clock.advanceMinutes(min - (clock.now().getTime() - T0) / 60_000); };
const WEEK = '2026-W45';

let srv: TestServer;
const as: Record<string, CentralClient> = {};
const clients: Record<string, { id: string; next: number }> = {};
const ids: Record<string, string> = {};

async function act(who: string, min: number, kind: Mutation['kind'], item: Item, payload: object, activeMin = 0, rework = false): Promise<Item> {
  setClock(min);
  const c = (clients[who] ??= { id: newClientId(who), next: 1 });
  const m = mutationFor(kind, item, c.next++, payload as never, { at: at(min), labor: false });
  const activeMs = activeMin * 60_000;
  if (activeMin > 0) m.labor = { activeMs, idleMs: 0, wallMs: activeMs, segments: 1, openedAt: new Date(at(min).getTime() - activeMs).toISOString(), decidedAt: iso(min), rework };
  const res = await as[who].push({ clientId: c.id, mutations: [m] });
  expect(res.results[0], `${who} ${kind}`).toMatchObject({ status: 'applied' });
  return res.results[0].item!;
}

async function queue(id: string, owner: string, opts: { cls?: 'policy' | 'data_integrity'; sla?: number; workflow?: string } = {}) {
  await srv.server.upsertQueue({ id, name: id, workflow: opts.workflow ?? 'wf', stage: 's1', exceptionClass: opts.cls ?? 'policy', slaTargetMinutes: opts.sla ?? 60,
    idleThresholdSec: 60, reasonCodes: [{ code: 'other', label: 'Other' }], ownerId: owner, ownerName: owner });
}

/** A strict RFC 4180 reader (quoted fields, doubled quotes, CRLF records); throws on anything malformed. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  if (!text.endsWith('\r\n')) throw new Error('the last record must end with CRLF');
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quote');
        if (text[i] === '"' && text[i + 1] === '"') { field += '"'; i += 2; } else if (text[i] === '"') { i += 1; break; } else field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n') throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`);
        field += text[i++];
      }
    }
    row.push(field);
    if (text[i] === ',') i += 1;
    else if (text[i] === '\r' && text[i + 1] === '\n') { rows.push(row); row = []; i += 2; } else throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  return rows;
}

beforeAll(async () => {
  srv = await startTestServer({ now: clock.now });
  const anon = new CentralClient(srv.url, null);
  for (const [id, roles] of [['rev1', ['reviewer']], ['rev2', ['reviewer']], ['own', ['owner', 'reviewer']], ['own2', ['owner']], ['sup', ['supervisor']], ['prod', ['producer']], ['adm', ['admin']]] as const) {
    as[id] = anon.as((await srv.server.addUser(id, [...roles])).token);
  }
  await queue('q-inv', 'own');
  await queue('q-data', 'own', { cls: 'data_integrity', sla: 14_400 });
  await queue('q-other', 'own2', { workflow: 'wf2' });
  await as.own.expectOk(QueuePolicy, 'POST', '/v1/queue-policies', { queueId: 'q-inv', laborCost: { amountPerHour: 60, currency: 'EUR' },
    rollbackTrigger: { kind: 'corrections_count', atLeast: 1, windowHours: 24 } });

  // T0: A, B, C, D in q-inv (due T0+60); 20 items in q-data, all failing check X (due in 10 days); one item in own2's queue.
  const first = await as.prod.ingest({ items: ingestItems('q-inv', 4, { source: 'wk', prefix: 'abcd' }) });
  ['A', 'B', 'C', 'D'].forEach((k, i) => { ids[k] = first.items[i].id; });
  await as.prod.ingest({ items: ingestItems('q-data', 20, { source: 'wk', prefix: 'data' }).map((it) => ({ ...it, reasons: [{ code: 'X', message: 'failed X', severity: 'warning' as const }] })) });
  const [other] = (await as.prod.ingest({ items: ingestItems('q-other', 1, { source: 'wk', prefix: 'other' }) })).items;
  setClock(10);
  const [a] = (await as.sup.assign({ itemIds: [ids.A], assigneeId: 'rev1', leaseMinutes: 600 })).items;
  const [b] = (await as.sup.assign({ itemIds: [ids.B], assigneeId: 'rev1', leaseMinutes: 600 })).items;
  const [c] = (await as.sup.assign({ itemIds: [ids.C], assigneeId: 'rev2', leaseMinutes: 600 })).items;
  const [o] = (await as.sup.assign({ itemIds: [other.id], assigneeId: 'rev2', leaseMinutes: 600 })).items;
  // A: rev1 approves at +20 (6 min). B: escalated at +40 (3 min, reason other); own approves at +100 (4 min).
  await act('rev1', 20, 'approve', a, {}, 6);
  const b1 = await act('rev1', 40, 'escalate', b, { reasonCode: 'other' }, 3);
  // C: rev2 rejects at +50 (10 min, reason other), reverts at +55, corrects at +70 (5 min rework).
  const c1 = await act('rev2', 50, 'reject', c, { reasonCode: 'other' }, 10);
  const c2 = await act('rev2', 55, 'revert', c1, {});
  await act('rev2', 70, 'correct', c2, { correctedOutput: { total: 1 } }, 5, true);
  await act('own', 100, 'approve', b1, {}, 4);
  // own2's path: rejected with reason other; never in own's pack.
  await act('rev2', 100, 'reject', o, { reasonCode: 'other' }, 2);
  // A corrected downstream at +110 (30 min, 12.50 EUR): trips q-inv's trigger (≥ 1 correction in 24 h): an alert.
  setClock(110);
  await as.prod.expectOk(CorrectionsResponse, 'POST', '/v1/corrections', { corrections: [{ source: 'ledger', itemId: ids.A, detectedAt: iso(105), cost: { minutes: 30, amount: { amount: 12.5, currency: 'EUR' } }, note: 'wrong cost centre' }] });
  await as.prod.expectOk(RunsResponse, 'POST', '/v1/runs', { runs: [{ source: 'erp', workflow: 'wf', periodStart: iso(0), periodEnd: iso(DAY), runs: 100, straightThroughCost: { amount: 50, currency: 'EUR' } }] });
  // +120: own rolls back rev1's approvals in q-inv (A only; B was own's).
  setClock(120);
  await as.own.expectOk(RollbackProgress, 'POST', '/v1/rollbacks', { mode: 'apply', rollbackId: 'rb-w45-rev1', reason: 'rev1 misread cost centres',
    filter: { queueIds: ['q-inv'], reviewerIds: ['rev1'], outcomes: ['approve'], from: iso(0), to: iso(200) } });
  for (let i = 0; ; i++) {
    const p = await as.own.expectOk(RollbackProgress, 'GET', '/v1/rollbacks?rollbackId=rb-w45-rev1');
    if (p.status === 'completed') { expect(p).toMatchObject({ total: 1, reverted: 1 }); break; }
    if (i > 500) throw new Error('rollback did not complete');
    await new Promise((r) => setTimeout(r, 20));
  }
  // Wednesday: own accepts the tighten-input signal of q-data.
  setClock(2 * DAY);
  await as.own.expectOk(SignalDecisionResponse, 'POST', '/v1/signals/decisions', { signalId: 'tighten_input/q-data/X', decision: 'accept', reason: 'validate X at the input' });
  // No lease outlives the script: nothing sweeps between the snapshots below.
  await srv.server.sweepLeases();
});
afterAll(async () => { await srv?.close(); });

const pack = (client = as.own, q = `week=${WEEK}`) => client.expectOk(WeeklyReviewPack, 'GET', `/v1/reviews/weekly?${q}`);

describe('weekly review pack of own, 2026-W45', () => {
  it('covers the owner\'s paths over the ISO week: SLA per control point, breaches, rework, tax, reason codes', async () => {
    const p = await pack();
    expect(p).toMatchObject({ ownerId: 'own', week: WEEK, interval: { from: '2026-11-02T00:00:00.000Z', to: '2026-11-09T00:00:00.000Z' }, queueIds: ['q-data', 'q-inv'] });
    const inv = p.controlPoints.find((cp) => cp.queueId === 'q-inv')!;
    // Achieved: A (+20), C (+50), B (its clock paused while it waited on the owner, +40 → +100: due 60 + 60 =
    // +120, first outcome +100); breached: D (open past +60).
    expect(inv.withinSla).toMatchObject({ achieved: 3, breached: 1, percent: { value: 75, n: 4 } });
    expect(inv.approvalLatency).toMatchObject({ n: 1, max: 60 });
    expect(p.breaches).toEqual([{ itemId: ids.D, queueId: 'q-inv', slaDueAt: iso(60), resolvedAt: null }]);
    // Outcomes: A approve, C reject, C correct, B approve = 4. Rework: C's revert, A rolled back, A corrected: 3 ÷ 4 = 75 %.
    expect(p.rework).toMatchObject({ reverts: 1, overrides: 0, rolledBack: 1, corrections: 1, outcomes: 4, rate: { metric: 'rework_rate', value: 75, n: 4 } });
    // q-inv labor 6 + 3 + 10 + 4 = 23 min, rework 5 min, corrections 30 min: 58 min at 60 EUR/h + 12.50 = 70.50 EUR over 4 outcomes.
    const tax = p.exceptionTax.find((g) => g.key === 'q-inv')!;
    expect(tax).toMatchObject({ currency: 'EUR', outcomes: 4, laborMinutes: 23, reworkLaborMinutes: 5, correctionMinutes: 30 });
    expect(tax.taxTotal.value).toBeCloseTo(70.5, 10);
    expect(tax.taxPerOutcome.value).toBeCloseTo(17.625, 10);
    expect(p.exceptionTax.map((g) => g.key)).toEqual(['q-data', 'q-inv']);
    // Reason codes: B's escalation and C's rejection, both 'other' in q-inv; own2's rejection is not own's path.
    expect(p.topReasonCodes).toEqual([{ queueId: 'q-inv', reasonCode: 'other', count: 2,
      recompute: { itemIds: [ids.B, ids.C], itemIdsTotal: 2, filter: expect.objectContaining({ queueId: 'q-inv', reasonCode: 'other' }) as object } }]);
  });

  it('lists the signals, the alert, the rollback and the accepted signal as an action item', async () => {
    const p = await pack();
    // Signals over the four weeks ending with W45: q-data's 20 new items all fail X (100 % ≥ 40 %), accepted on Wednesday.
    expect(p.signals.interval).toEqual({ from: '2026-10-12T00:00:00.000Z', to: '2026-11-09T00:00:00.000Z' });
    expect(p.signals.open).toEqual([]);
    expect(p.signals.accepted.map((s) => [s.id, s.status, s.decision?.reason])).toEqual([['tighten_input/q-data/X', 'accepted', 'validate X at the input']]);
    expect(p.alerts.map((a) => [a.queueId, a.status, a.trippedAt, a.evidence.itemIds])).toEqual([['q-inv', 'open', iso(110), [ids.A]]]);
    expect(p.rollbacks).toEqual([{ rollbackId: 'rb-w45-rev1', by: 'own', reason: 'rev1 misread cost centres', status: 'completed', queueIds: ['q-inv'],
      total: 1, reverted: 1, skipped: 0, startedAt: iso(120), finishedAt: expect.any(String) as string }]);
    expect(p.actionItems).toEqual([{ source: 'signal', text: 'Tighten an input constraint: validate X at the input', dueDate: null, signalId: 'tighten_input/q-data/X', at: iso(2 * DAY), by: 'own' }]);
    expect(p.review).toBeNull();
    // Another week has none of it.
    const next = await pack(as.own, 'week=2026-W46');
    expect(next).toMatchObject({ breaches: [], rollbacks: [], actionItems: [], review: null, rework: { outcomes: 0 } });
  });

  it('a supervisor reads the same pack by owner id; an owner only their own; reviewers and producers none', async () => {
    const mine = await pack();
    expect(await pack(as.sup, `week=${WEEK}&ownerId=own`)).toEqual(mine);
    expect(await pack(as.adm, `week=${WEEK}&ownerId=own`)).toEqual(mine);
    const own2 = await pack(as.own2);
    // own2's one item: due +60, rejected at +100: breached, resolved late.
    expect(own2).toMatchObject({ ownerId: 'own2', queueIds: ['q-other'], signals: { open: [], accepted: [] }, rollbacks: [], alerts: [] });
    expect(own2.breaches.map((b) => [b.queueId, b.resolvedAt])).toEqual([['q-other', iso(100)]]);
    expect(own2.topReasonCodes.map((t) => [t.queueId, t.count])).toEqual([['q-other', 1]]);
    await as.own2.expectProblem(403, 'GET', `/v1/reviews/weekly?week=${WEEK}&ownerId=own`);
    await as.rev1.expectProblem(403, 'GET', `/v1/reviews/weekly?week=${WEEK}`);
    await as.prod.expectProblem(403, 'GET', `/v1/reviews/weekly/export?week=${WEEK}&format=md`);
    await as.sup.expectProblem(404, 'GET', `/v1/reviews/weekly?week=${WEEK}&ownerId=nobody`);
    for (const q of ['', 'week=2026-45', 'week=2025-W53', `week=${WEEK}&format=pdf`]) await as.sup.expectProblem(400, 'GET', `/v1/reviews/weekly/export?${q}`);
  });
});

describe('marking the week reviewed', () => {
  const notes = 'SLA breaches on q-inv: B waited an hour for me, D was never picked up.\nPlan: "raise the SLA", then re-check, as agreed.';
  const mark = { week: WEEK, notes, actionItems: [{ text: 'Raise q-inv SLA to 90 min', dueDate: '2026-11-13' }] };

  it('records one event; the same mark again records nothing; a new note replaces it; the pack shows the latest', async () => {
    setClock(5 * DAY);
    const first = await as.own.expectOk(WeeklyReviewMarkResponse, 'POST', '/v1/reviews/weekly', mark);
    expect(first).toEqual({ ownerId: 'own', week: WEEK, recorded: true, review: { reviewedAt: iso(5 * DAY), reviewedBy: 'own', notes, actionItems: mark.actionItems } });
    const before = await snapshotOf(srv.dbFile);
    setClock(5 * DAY + 10);
    const again = await as.own.expectOk(WeeklyReviewMarkResponse, 'POST', '/v1/reviews/weekly', { ...mark, ownerId: 'own' });
    expect(again).toEqual({ ...first, recorded: false });
    expect(changedTables(before, await snapshotOf(srv.dbFile))).toEqual([]);
    let p = await pack();
    expect(p.review).toEqual(first.review);
    expect(p.actionItems.map((a) => [a.source, a.text, a.dueDate])).toEqual([
      ['signal', 'Tighten an input constraint: validate X at the input', null], ['review', 'Raise q-inv SLA to 90 min', '2026-11-13']]);
    const changed = await as.own.expectOk(WeeklyReviewMarkResponse, 'POST', '/v1/reviews/weekly', { ...mark, notes: `${notes}\nAdded: q-data.` });
    expect(changed.recorded).toBe(true);
    p = await pack();
    expect(p.review?.notes).toBe(`${notes}\nAdded: q-data.`);
    await as.own.expectOk(WeeklyReviewMarkResponse, 'POST', '/v1/reviews/weekly', mark);
  });

  it('the same mark sent eight times at once is recorded once', async () => {
    const body = { week: '2026-W44', notes: 'quiet week', actionItems: [] };
    const answers = await Promise.all(Array.from({ length: 8 }, () => as.own.expectOk(WeeklyReviewMarkResponse, 'POST', '/v1/reviews/weekly', body)));
    expect(answers.filter((a) => a.recorded)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.review.reviewedAt)).size).toBe(1);
  });

  it('only the owner or an admin marks; a week not started, an unknown owner and bad bodies are refused and change nothing', async () => {
    const before = await snapshotOf(srv.dbFile);
    await as.own2.expectProblem(403, 'POST', '/v1/reviews/weekly', { ...mark, ownerId: 'own' });
    await as.sup.expectProblem(403, 'POST', '/v1/reviews/weekly', { ...mark, ownerId: 'own' });
    await as.rev1.expectProblem(403, 'POST', '/v1/reviews/weekly', mark);
    await as.own.expectProblem(400, 'POST', '/v1/reviews/weekly', { ...mark, week: '2026-W52' });
    await as.adm.expectProblem(404, 'POST', '/v1/reviews/weekly', { ...mark, ownerId: 'nobody' });
    const nearMiss = fc.record({
      ownerId: fc.oneof(fc.constantFrom('own', '', 'x'.repeat(200)), fc.integer()),
      week: fc.oneof(fc.constantFrom(WEEK, '2026-W54', '2025-W53', '2026-W00', 'W45', ''), fc.string({ maxLength: 12 })),
      notes: fc.oneof(fc.constantFrom('ok', 'x'.repeat(20_001)), fc.integer(), fc.constant(null)),
      actionItems: fc.oneof(fc.constant([{ text: '' }]), fc.constant([{ text: 'a', dueDate: '13/11/2026' }]), fc.constant([{ text: 'a', extra: 1 }]),
        fc.constant(Array.from({ length: 101 }, () => ({ text: 'a' }))), fc.jsonValue({ maxDepth: 2 })),
      extra: fc.option(fc.jsonValue({ maxDepth: 1 }), { nil: undefined }),
    }, { requiredKeys: [] });
    // Judged as the server receives it: JSON drops a key whose value is undefined.
    const body = fc.oneof(nearMiss, fc.jsonValue({ maxDepth: 3 })).filter((b) => !WeeklyReviewMark.safeParse(JSON.parse(JSON.stringify(b) ?? 'null')).success);
    await fc.assert(fc.asyncProperty(body, async (b) => {
      const p = await as.own.expectProblem(400, 'POST', '/v1/reviews/weekly', b);
      expect(p.status).toBe(400);
    }), { numRuns: 60 });
    expect(changedTables(before, await snapshotOf(srv.dbFile))).toEqual([]);
  });
});

describe('exports', () => {
  it('CSV: a strict RFC 4180 parse gives the columns and one row per figure of the JSON, values equal', async () => {
    const p = await pack();
    const exp = await as.own.expectOk(WeeklyExport, 'GET', `/v1/reviews/weekly/export?week=${WEEK}&format=csv`);
    expect(exp).toMatchObject({ filename: 'weekly-review-own-2026-W45.csv', contentType: 'text/csv; charset=utf-8' });
    expect(exp.content).toBe(weeklyPackCsv(p));
    const [head, ...rows] = parseCsv(exp.content);
    expect(head).toEqual([...WEEKLY_CSV_COLUMNS]);
    expect(rows.every((r) => r.length === WEEKLY_CSV_COLUMNS.length)).toBe(true);
    const objects = rows.map((r) => Object.fromEntries(WEEKLY_CSV_COLUMNS.map((c, i) => [c, r[i]])));
    expect(objects).toEqual(weeklyPackRows(p));
    const find = (section: string, subject: string, measure: string) => objects.filter((o) => o.section === section && o.subject === subject && o.measure === measure);
    // Values straight from the JSON, by hand.
    expect(find('control_point', 'q-inv', 'within_sla_percent')).toMatchObject([{ value: '75', n: '4', from: p.interval.from, to: p.interval.to }]);
    expect(find('control_point', 'q-inv', 'approval_latency_minutes_max')).toMatchObject([{ value: '60', n: '1' }]);
    expect(objects.filter((o) => o.section === 'breach').map((o) => [o.subject, o.value])).toEqual(p.breaches.map((b) => [b.itemId, b.slaDueAt]));
    expect(find('rework', 'own', 'rework_rate_percent')).toMatchObject([{ value: '75', n: '4' }]);
    expect(find('exception_tax', 'q-inv', 'tax_total_EUR')).toMatchObject([{ value: '70.5', n: '4' }]);
    expect(find('reason_code', 'q-inv', 'other')).toMatchObject([{ value: '2' }]);
    expect(find('signal', 'tighten_input/q-data/X', 'tighten_input_percent')).toMatchObject([{ value: '100', n: '20' }]);
    expect(objects.filter((o) => o.section === 'action_item').map((o) => o.value)).toEqual(p.actionItems.map((a) => a.text));
    // The notes, with their comma, quotes and line break, come back whole.
    expect(find('review', 'own', 'reviewed_at')[0].recompute).toBe(`by=own; notes=${p.review!.notes}`);
    expect([',', '"', '\n'].every((ch) => p.review!.notes.includes(ch))).toBe(true);
  });

  it('Markdown: every section in order, tables with as many cells as their header, the figures with their n', async () => {
    const p = await pack();
    const exp = await as.sup.expectOk(WeeklyExport, 'GET', `/v1/reviews/weekly/export?week=${WEEK}&ownerId=own&format=md`);
    expect(exp).toMatchObject({ filename: 'weekly-review-own-2026-W45.md', contentType: 'text/markdown; charset=utf-8' });
    expect(exp.content).toBe(weeklyPackMarkdown(p));
    const lines = exp.content.split('\n');
    expect(lines[0]).toBe('# Weekly review 2026-W45: own');
    expect(lines.filter((l) => l.startsWith('## ')).map((l) => l.slice(3))).toEqual([...WEEKLY_MD_SECTIONS]);
    // Cells split on unescaped pipes.
    const cells = (l: string) => l.replace(/\\\|/g, '\u0000').split('|').slice(1, -1);
    let width = -1;
    for (const l of lines) {
      if (!l.startsWith('|')) { width = -1; continue; }
      if (width < 0) width = cells(l).length;
      expect(cells(l), l).toHaveLength(width);
    }
    expect(exp.content).toContain('Rework rate 75 % (n = 4 outcomes): 1 reverts, 0 overrides, 1 rolled back, 1 corrected downstream.');
    expect(exp.content).toContain('- [ ] Raise q-inv SLA to 90 min (due 2026-11-13)');
    expect(exp.content).toContain(`| q-inv | 60 | 75 | 3 | 1 |`);
    for (const b of p.breaches) expect(exp.content).toContain(`| ${b.itemId} | q-inv |`);
    expect(exp.content).toContain('> Plan: "raise the SLA", then re-check, as agreed.');
  });
});
