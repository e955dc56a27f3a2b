// What the Exception tax view shows of each group: money in the group's currency (the queue's; groups never
// mix currencies), minutes, percentages; each figure with its explanation. Pure, so the table and the chart
// write the same numbers.
import { formatLaborMinutes } from '../../../shared/durations';
import type { ExceptionTaxGroup, ExceptionTaxPoint, ExceptionTaxResponse, Figure } from '../../../shared/ops-api';
import type { ChartSeries } from '../../components/charts/TimeChart';
import type { Explained } from './FigureExplain';

export function formatMoney(v: number | null, currency: string | null): string {
  if (v === null) return '—';
  if (!currency) return v.toLocaleString('en', { maximumFractionDigits: 2 });
  return new Intl.NumberFormat('en', { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: v !== 0 && Math.abs(v) < 1 ? 3 : 2 }).format(v);
}

export const formatPercent = (v: number | null) => (v === null ? '—' : `${v.toLocaleString('en', { maximumFractionDigits: 1 })} %`);
export const formatMinutes = (v: number | null) => (v === null ? '—' : formatLaborMinutes(v));

/** A group's name on screen: the key, with its currency when a workflow comes in two. */
export const groupLabel = (g: Pick<ExceptionTaxGroup, 'key' | 'currency'>) => (g.currency ? `${g.key} (${g.currency})` : g.key);
export const groupId = (g: Pick<ExceptionTaxGroup, 'key' | 'currency'>) => `${g.key}\u0000${g.currency ?? ''}`;

export type TaxColumn = 'laborPerOutcome' | 'reworkRate' | 'taxPerOutcome' | 'costToCompletion' | 'costWithout' | 'exceptionRate';

export const TAX_COLUMNS: { key: TaxColumn; label: string; figure: (g: ExceptionTaxGroup) => Figure; format: (v: number | null, g: ExceptionTaxGroup) => string }[] = [
  { key: 'laborPerOutcome', label: 'Labor per outcome', figure: (g) => g.laborMinutesPerOutcome, format: (v) => formatMinutes(v) },
  { key: 'reworkRate', label: 'Rework rate', figure: (g) => g.reworkRate, format: (v) => formatPercent(v) },
  { key: 'taxPerOutcome', label: 'Exception tax per outcome', figure: (g) => g.taxPerOutcome, format: (v, g) => formatMoney(v, g.currency) },
  { key: 'costToCompletion', label: 'Cost to completion', figure: (g) => g.costToCompletion, format: (v, g) => formatMoney(v, g.currency) },
  { key: 'costWithout', label: 'Without exceptions', figure: (g) => g.costToCompletionWithoutExceptions, format: (v, g) => formatMoney(v, g.currency) },
  { key: 'exceptionRate', label: 'Exception rate', figure: (g) => g.exceptionRate, format: (v) => formatPercent(v) },
];

export function explainTax(g: ExceptionTaxGroup, col: (typeof TAX_COLUMNS)[number]): Explained {
  const f = col.figure(g);
  return { label: `${col.label}, ${groupLabel(g)}`, metric: f.metric, value: col.format(f.value, g), n: f.n, interval: f.interval, recompute: f.recompute, note: f.note };
}

/** The chart of one group over time: money per outcome and per run on the left axis, minutes on the right. */
export function taxChart(res: ExceptionTaxResponse, group: Pick<ExceptionTaxGroup, 'key' | 'currency'>): { x: number[]; series: ChartSeries[] } | null {
  if (!res.series) return null;
  const id = groupId(group);
  const at = (p: { groups: ExceptionTaxPoint[] }) => p.groups.find((g) => groupId(g) === id) ?? null;
  const pick = (f: (g: ExceptionTaxPoint) => number | null) => res.series!.points.map((p) => { const g = at(p); return g ? f(g) : null; });
  const money = (v: number) => formatMoney(v, group.currency);
  const cur = group.currency ? ` (${group.currency})` : '';
  return {
    x: res.series.points.map((p) => Date.parse(p.start)),
    series: [
      { label: `Tax per outcome${cur}`, values: pick((g) => g.taxPerOutcome), colorVar: '--accent', format: money },
      { label: `Cost to completion${cur}`, values: pick((g) => g.costToCompletion), colorVar: '--warn', format: money },
      { label: `Without exceptions${cur}`, values: pick((g) => g.costToCompletionWithoutExceptions), colorVar: '--success', format: money },
      { label: 'Labor per outcome (min)', values: pick((g) => g.laborMinutesPerOutcome), colorVar: '--text-2', rightAxis: true, format: (v) => formatMinutes(v) },
    ],
  };
}
