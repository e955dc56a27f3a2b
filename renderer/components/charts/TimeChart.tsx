// A small canvas time chart on uPlot (tens of kB, typed arrays, 100k points in milliseconds), with a
// text alternative: the same numbers as a table behind a toggle. Colours come from the theme tokens
// (renderer/styles/tokens.css) and follow a light/dark switch; the chart redraws on resize.
import { useEffect, useId, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './charts.css';

export interface ChartSeries {
  label: string;
  /** One value per x (null: no value in that bucket). */
  values: readonly (number | null)[];
  /** CSS custom property of the line colour, e.g. `--accent`. */
  colorVar: string;
  /** Draw on the right-hand axis (a second unit). */
  rightAxis?: boolean;
  format?: (v: number) => string;
}

interface Props {
  title: string;
  /** Bucket starts, epoch milliseconds, ascending. */
  x: readonly number[];
  series: readonly ChartSeries[];
  /** How a bucket start is written in the table (e.g. a day or an hour). */
  formatX: (ms: number) => string;
  height?: number;
  testId: string;
}

function token(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function currentTheme(): string {
  return document.documentElement.dataset.theme ?? 'light';
}

/** Follows `<html data-theme>`, so the canvas (which cannot use CSS variables) is redrawn in the new colours. */
function useTheme(): string {
  const [theme, setTheme] = useState(currentTheme);
  useEffect(() => {
    const obs = new MutationObserver(() => setTheme(currentTheme()));
    obs.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => obs.disconnect();
  }, []);
  return theme;
}

export function TimeChart({ title, x, series, formatX, height = 220, testId }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const [asTable, setAsTable] = useState(false);
  const theme = useTheme();
  const captionId = useId();

  useEffect(() => {
    const el = host.current;
    if (!el || asTable) return;
    const text = token('--text-2');
    const grid = token('--border');
    const hasRight = series.some((s) => s.rightAxis);
    const axis = (side: 0 | 1, scale: string): uPlot.Axis => ({
      stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, side: side === 0 ? 3 : 1, scale,
      ...(side === 1 ? { grid: { show: false } } : {}),
    });
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: {}, ...(hasRight ? { y2: {} } : {}) },
      axes: [
        { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
        axis(0, 'y'),
        ...(hasRight ? [axis(1, 'y2')] : []),
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: token(s.colorVar),
          width: 2,
          scale: s.rightAxis ? 'y2' : 'y',
          points: { show: x.length < 60 },
          spanGaps: false,
        })),
      ],
    };
    const data: uPlot.AlignedData = [Float64Array.from(x, (ms) => ms / 1000), ...series.map((s) => s.values.map((v) => v ?? null))];
    const plot = new uPlot(opts, data, el);
    // The canvas says nothing to a screen reader; the caption and the table do.
    plot.root.setAttribute('aria-hidden', 'true');
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [x, series, height, theme, asTable]);

  const total = (s: ChartSeries) => s.values.reduce<number>((a, v) => a + (v ?? 0), 0);
  return (
    <figure className="chart" data-testid={testId} aria-labelledby={captionId}>
      <figcaption id={captionId} className="chart-head">
        <span className="chart-title">{title}</span>
        <span className="sr-only">
          {x.length} buckets from {x.length ? formatX(x[0]) : '—'} to {x.length ? formatX(x[x.length - 1]) : '—'}.{' '}
          {series.map((s) => `${s.label}: total ${fmtValue(s, total(s))}`).join('; ')}.
        </span>
        <button type="button" className="btn btn-ghost btn-sm" aria-pressed={asTable} onClick={() => setAsTable((v) => !v)} data-testid={`${testId}-toggle`}>
          {asTable ? 'Show chart' : 'Show as table'}
        </button>
      </figcaption>
      {asTable ? (
        <div className="chart-table-wrap" tabIndex={0} role="region" aria-label={`${title} as a table`}>
          <table className="ops-table chart-table" data-testid={`${testId}-table`}>
            <thead>
              <tr>
                <th scope="col">Bucket</th>
                {series.map((s) => (
                  <th scope="col" key={s.label}>
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {x.map((ms, i) => (
                <tr key={ms}>
                  <th scope="row">{formatX(ms)}</th>
                  {series.map((s) => (
                    <td key={s.label}>{s.values[i] === null ? '—' : fmtValue(s, s.values[i]!)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <div ref={host} className="chart-canvas" data-testid={`${testId}-canvas`} />
      )}
    </figure>
  );
}

function fmtValue(s: ChartSeries, v: number): string {
  return s.format ? s.format(v) : v.toLocaleString(undefined, { maximumFractionDigits: 1 });
}
