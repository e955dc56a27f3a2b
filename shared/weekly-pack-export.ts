// The weekly review pack (DESIGN §8) as Markdown and as CSV, from its JSON (shared/ops-api.ts
// WeeklyReviewPack). Pure and dependency-free so the server serves the same text the desk can make
// offline from a pack it stored. Every figure keeps its n, its interval and how to recompute it.
import type { Figure, PercentileFigure, Recompute, WeeklyExportFormat, WeeklyReviewPack } from './ops-api';

/** The columns of the CSV export, in order; one row per figure or listed thing. */
export const WEEKLY_CSV_COLUMNS = ['section', 'subject', 'measure', 'value', 'n', 'from', 'to', 'recompute'] as const;
export type WeeklyCsvRow = Record<(typeof WEEKLY_CSV_COLUMNS)[number], string>;

/** The Markdown sections, in order (each a `## ` heading). */
export const WEEKLY_MD_SECTIONS = [
  'Control points', 'Breaches', 'Rework', 'Exception tax', 'Top reason codes', 'Design signals', 'Alerts', 'Rollbacks', 'Action items', 'Review',
] as const;

const num = (v: number | null | undefined): string => (v === null || v === undefined ? '' : String(Math.round(v * 100) / 100));

/** Item ids a Markdown cell lists before it says "+N more by the filter" (the CSV lists every id the figure carries). */
export const MD_MAX_ITEM_IDS = 20;

/** How to recompute a figure, in one line: the filter, then the item ids (up to `maxIds`; the filter selects them all). */
export function recomputeText(r: Recompute, maxIds = r.itemIds.length): string {
  const filter = Object.entries(r.filter).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`).join('; ');
  const shown = r.itemIds.slice(0, maxIds);
  const more = r.itemIdsTotal > shown.length ? ` (+${r.itemIdsTotal - shown.length} more by the filter)` : '';
  return r.itemIdsTotal === 0 ? filter : `${filter}; items ${shown.join(' ')}${more}`;
}
const mdRecompute = (r: Recompute) => recomputeText(r, MD_MAX_ITEM_IDS);
/** A number in a Markdown cell: an absent value is a dash, not an empty cell. */
const mdNum = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : num(v));

/** The pack as rows (the CSV's content before quoting); the tests compare these with the JSON. */
export function weeklyPackRows(pack: WeeklyReviewPack): WeeklyCsvRow[] {
  const rows: WeeklyCsvRow[] = [];
  const { from, to } = pack.interval;
  const row = (section: string, subject: string, measure: string, value: string, n: string, recompute: string, interval = { from, to }) =>
    rows.push({ section, subject, measure, value, n, from: interval.from, to: interval.to, recompute });
  const fig = (section: string, subject: string, measure: string, f: Figure) =>
    row(section, subject, measure, num(f.value), String(f.n), recomputeText(f.recompute) + (f.note ? ` (${f.note})` : ''), f.interval);
  const pct = (section: string, subject: string, measure: string, f: PercentileFigure) => {
    for (const p of ['p50', 'p90', 'max'] as const) row(section, subject, `${measure}_${p}`, num(f[p]), String(f.n), recomputeText(f.recompute), f.interval);
  };
  for (const cp of pack.controlPoints) {
    fig('control_point', cp.queueId, 'within_sla_percent', cp.withinSla.percent);
    row('control_point', cp.queueId, 'sla_achieved', String(cp.withinSla.achieved), String(cp.withinSla.percent.n), recomputeText(cp.withinSla.percent.recompute));
    row('control_point', cp.queueId, 'sla_breached', String(cp.withinSla.breached), String(cp.withinSla.percent.n), recomputeText(cp.withinSla.percent.recompute));
    fig('control_point', cp.queueId, 'breached_while_open', cp.breachedWhileOpen);
    fig('control_point', cp.queueId, 'depth', cp.depth);
    pct('control_point', cp.queueId, 'resolution_minutes', cp.resolutionTime);
    pct('control_point', cp.queueId, 'approval_latency_minutes', cp.approvalLatency);
  }
  for (const b of pack.breaches) row('breach', b.itemId, 'sla_due_at', b.slaDueAt, '1', `queueId=${b.queueId}; resolvedAt=${b.resolvedAt ?? 'open'}`);
  for (const k of ['reverts', 'overrides', 'rolledBack', 'corrections', 'outcomes'] as const) {
    row('rework', pack.ownerId, k, String(pack.rework[k]), String(pack.rework.outcomes), recomputeText(pack.rework.rate.recompute));
  }
  fig('rework', pack.ownerId, 'rework_rate_percent', pack.rework.rate);
  for (const g of pack.exceptionTax) {
    const cur = g.currency ?? 'no currency';
    row('exception_tax', g.key, 'labor_minutes', num(g.laborMinutes), String(g.outcomes), `currency=${cur}`);
    row('exception_tax', g.key, 'rework_labor_minutes', num(g.reworkLaborMinutes), String(g.outcomes), `currency=${cur}`);
    fig('exception_tax', g.key, 'labor_minutes_per_outcome', g.laborMinutesPerOutcome);
    fig('exception_tax', g.key, `tax_total_${cur}`, g.taxTotal);
    fig('exception_tax', g.key, `tax_per_outcome_${cur}`, g.taxPerOutcome);
    fig('exception_tax', g.key, 'rework_rate_percent', g.reworkRate);
  }
  for (const r of pack.topReasonCodes) row('reason_code', r.queueId, r.reasonCode, String(r.count), String(r.count), recomputeText(r.recompute));
  for (const [status, list] of [['open', pack.signals.open], ['accepted', pack.signals.accepted], ['dismissed', pack.signals.dismissed]] as const) {
    for (const s of list) {
      const unit = s.evidence.unit === 'percent' ? 'percent' : 'minutes';
      row('signal', s.id, `${s.kind}_${unit}`, num(s.evidence.value), String(s.evidence.n), `status=${status}; ${recomputeText(s.evidence.recompute)}`, s.evidence.interval);
      row('signal', s.id, 'minutes_per_week_saved', num(s.minutesPerWeekSaved), String(s.evidence.n), `status=${status}; ${s.savedBasis}`, s.evidence.interval);
    }
  }
  for (const a of pack.alerts) {
    row('alert', a.id, `corrections_${a.status}`, String(a.evidence.corrections), String(a.evidence.approvals ?? a.evidence.corrections),
      `queueId=${a.queueId}; trippedAt=${a.trippedAt}; items ${a.evidence.itemIds.join(' ')}`, { from: a.evidence.windowFrom, to: a.evidence.windowTo });
  }
  for (const r of pack.rollbacks) {
    row('rollback', r.rollbackId, `reverted_${r.status}`, String(r.reverted), String(r.total), `queueIds=${r.queueIds.join('+')}; skipped=${r.skipped}; by=${r.by}; startedAt=${r.startedAt}`);
  }
  pack.actionItems.forEach((a, i) => row('action_item', String(i + 1), a.source, a.text, '1', `by=${a.by}; at=${a.at}${a.dueDate ? `; due=${a.dueDate}` : ''}${a.signalId ? `; signal=${a.signalId}` : ''}`));
  if (pack.review) row('review', pack.ownerId, 'reviewed_at', pack.review.reviewedAt, '1', `by=${pack.review.reviewedBy}; notes=${pack.review.notes}`);
  return rows;
}

/** RFC 4180: a field with a comma, quote, CR or LF is quoted, quotes doubled; CRLF between records. */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

export function weeklyPackCsv(pack: WeeklyReviewPack): string {
  const lines = [WEEKLY_CSV_COLUMNS.join(','), ...weeklyPackRows(pack).map((r) => WEEKLY_CSV_COLUMNS.map((c) => csvField(r[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** A Markdown table cell: pipes escaped, line breaks flattened. */
const cell = (v: string) => v.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
function table(head: string[], body: string[][]): string[] {
  if (body.length === 0) return ['None.'];
  return [`| ${head.map(cell).join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`, ...body.map((r) => `| ${r.map(cell).join(' | ')} |`)];
}

export function weeklyPackMarkdown(pack: WeeklyReviewPack): string {
  const out: string[] = [];
  const { from, to } = pack.interval;
  out.push(`# Weekly review ${pack.week}: ${pack.ownerId}`, '',
    `Interval [${from}, ${to}); computed ${pack.computedAt}; paths: ${pack.queueIds.join(', ') || 'none'}.`,
    'Every figure gives its n; the last column says how to recompute it (filter and item ids).', '');
  const sec = (title: (typeof WEEKLY_MD_SECTIONS)[number], lines: string[]) => { out.push(`## ${title}`, '', ...lines, ''); };
  sec('Control points', table(['queue', 'SLA target (min)', '% within SLA', 'achieved', 'breached', 'breached while open', 'approval latency p50/p90/max (min)', 'n', 'recompute'],
    pack.controlPoints.map((cp) => [cp.queueId, String(cp.slaTargetMinutes), mdNum(cp.withinSla.percent.value), String(cp.withinSla.achieved), String(cp.withinSla.breached),
      String(cp.breachedWhileOpen.value ?? ''), `${mdNum(cp.approvalLatency.p50)}/${mdNum(cp.approvalLatency.p90)}/${mdNum(cp.approvalLatency.max)} (n ${cp.approvalLatency.n})`,
      String(cp.withinSla.percent.n), mdRecompute(cp.withinSla.percent.recompute)])));
  sec('Breaches', table(['item', 'queue', 'SLA due', 'resolved'], pack.breaches.map((b) => [b.itemId, b.queueId, b.slaDueAt, b.resolvedAt ?? 'open'])));
  const r = pack.rework;
  sec('Rework', [`Rework rate ${mdNum(r.rate.value)} % (n = ${r.outcomes} outcomes): ${r.reverts} reverts, ${r.overrides} overrides, ${r.rolledBack} rolled back, ${r.corrections} corrected downstream.`,
    '', `Recompute: ${mdRecompute(r.rate.recompute)}`]);
  sec('Exception tax', table(['queue', 'currency', 'outcomes', 'labor min', 'rework labor min', 'tax', 'tax per outcome', 'rework %', 'recompute'],
    pack.exceptionTax.map((g) => [g.key, g.currency ?? '', String(g.outcomes), mdNum(g.laborMinutes), mdNum(g.reworkLaborMinutes), mdNum(g.taxTotal.value),
      mdNum(g.taxPerOutcome.value), mdNum(g.reworkRate.value), mdRecompute(g.taxTotal.recompute) + (g.taxTotal.note ? ` (${g.taxTotal.note})` : '')])));
  sec('Top reason codes', table(['queue', 'reason code', 'count', 'recompute'], pack.topReasonCodes.map((t) => [t.queueId, t.reasonCode, String(t.count), mdRecompute(t.recompute)])));
  const sig = pack.signals;
  sec('Design signals', [`Over [${sig.interval.from}, ${sig.interval.to}).`, '',
    ...table(['status', 'signal', 'evidence', 'n', 'min/week saved', 'recompute'],
      [...sig.open, ...sig.accepted, ...sig.dismissed].map((s) => [s.status, `${s.title}: ${s.id}`, s.summary, String(s.evidence.n), mdNum(s.minutesPerWeekSaved),
        mdRecompute(s.evidence.recompute)]))]);
  sec('Alerts', table(['alert', 'queue', 'tripped', 'corrections', 'status', 'items'],
    pack.alerts.map((a) => [a.id, a.queueId, a.trippedAt, String(a.evidence.corrections), a.status, a.evidence.itemIds.join(' ')])));
  sec('Rollbacks', table(['rollback', 'queues', 'by', 'reason', 'reverted / total', 'skipped', 'status'],
    pack.rollbacks.map((b) => [b.rollbackId, b.queueIds.join(', '), b.by, b.reason, `${b.reverted} / ${b.total}`, String(b.skipped), b.status])));
  sec('Action items', pack.actionItems.length === 0 ? ['None.']
    : pack.actionItems.map((a) => `- [ ] ${a.text.replace(/\r?\n/g, ' ')}${a.dueDate ? ` (due ${a.dueDate})` : ''}${a.signalId ? ` (signal ${a.signalId})` : ''}`));
  sec('Review', pack.review ? [`Reviewed ${pack.review.reviewedAt} by ${pack.review.reviewedBy}.`, '', ...pack.review.notes.split(/\r?\n/).map((l) => `> ${l}`)] : ['Not reviewed yet.']);
  return out.join('\n');
}

/** The export of a pack in a format, with the file name a browser or the desk saves it under. */
export function exportWeeklyPack(pack: WeeklyReviewPack, format: WeeklyExportFormat): { filename: string; contentType: string; content: string } {
  const base = `weekly-review-${pack.ownerId.replace(/[^A-Za-z0-9_-]/g, '_')}-${pack.week}`;
  return format === 'csv'
    ? { filename: `${base}.csv`, contentType: 'text/csv; charset=utf-8', content: weeklyPackCsv(pack) }
    : { filename: `${base}.md`, contentType: 'text/markdown; charset=utf-8', content: weeklyPackMarkdown(pack) };
}
