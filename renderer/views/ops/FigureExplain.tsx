// Every figure explains itself on focus (issue 11): its definition and formula (shared/metrics-definitions.ts),
// its n, its interval, and the items behind it (the ids the server names, and the filter that selects all).
import { useState, type ReactNode } from 'react';
import { format } from 'date-fns';
import type { MetricName } from '../../../shared/metrics-definitions';
import type { Recompute } from '../../../shared/ops-api';
import { Dialog } from '../../components/Dialog';
import { useOpsRead } from '../../state/ops-store';
import { ItemsBrowser } from './ItemView';

export interface Explained {
  /** What the tile shows (the label on screen). */
  label: string;
  /** A metric of shared/metrics-definitions.ts, or `scorecard` (a question: `definition` and `formula` say what it counts). */
  metric: MetricName | 'scorecard';
  definition?: string;
  formula?: string;
  value: string;
  n: number | null;
  interval: { from: string; to: string } | null;
  recompute: Recompute | null;
  /** How the tile combines several figures (e.g. "sum over 9 control points"). */
  combined?: string;
  note?: string;
}

const NO_INPUT = {} as const;
const when = (iso: string) => format(new Date(iso), 'MMM d, HH:mm');

/** The explanation panel of the figure that has the focus (or the last one that had it). */
export function ExplainPanel({ figure, onOpenItems }: { figure: Explained | null; onOpenItems: (f: Explained) => void }) {
  // The definitions come from the core (the renderer bundle carries no zod, so not from shared/ directly).
  const defs = useOpsRead('ops.definitions', NO_INPUT).value?.definitions;
  if (!figure) {
    return (
      <aside className="explain" aria-live="polite" data-testid="ops-explain">
        <span className="muted">Focus a figure (Tab) to see what it means, its n, its interval and the items behind it.</span>
      </aside>
    );
  }
  const def = figure.definition !== undefined ? { definition: figure.definition, formula: figure.formula ?? '' }
    : (figure.metric !== 'scorecard' ? defs?.[figure.metric] : undefined) ?? { definition: 'loading…', formula: '' };
  return (
    <aside className="explain" aria-live="polite" aria-label={`About ${figure.label}`} data-testid="ops-explain" data-metric={figure.metric}>
      <strong>
        {figure.label}: {figure.value}
      </strong>
      <dl>
        <dt>Definition</dt>
        <dd data-testid="ops-explain-definition">{def.definition}</dd>
        <dt>Formula</dt>
        <dd>
          <code>{def.formula}</code>
        </dd>
        {figure.combined && (
          <>
            <dt>Combined</dt>
            <dd>{figure.combined}</dd>
          </>
        )}
        <dt>n</dt>
        <dd data-testid="ops-explain-n">{figure.n === null ? '—' : figure.n.toLocaleString()}</dd>
        <dt>Interval</dt>
        <dd data-testid="ops-explain-interval">{figure.interval ? `${when(figure.interval.from)} – ${when(figure.interval.to)} (UTC-based)` : 'now'}</dd>
        {figure.note && (
          <>
            <dt>Note</dt>
            <dd>{figure.note}</dd>
          </>
        )}
        <dt>Items</dt>
        <dd>
          {figure.recompute && figure.recompute.itemIdsTotal > 0 ? (
            <button type="button" className="btn btn-sm" onClick={() => onOpenItems(figure)} data-testid="ops-explain-items">
              Open the {figure.recompute.itemIdsTotal.toLocaleString()} item{figure.recompute.itemIdsTotal === 1 ? '' : 's'} behind it
            </button>
          ) : (
            <span className="muted">none</span>
          )}
        </dd>
      </dl>
    </aside>
  );
}

/** The items behind a figure: the ids the server listed, and the filter that selects them all. */
export function ItemsDialog({ figure, onClose }: { figure: Explained; onClose: () => void }) {
  const r = figure.recompute!;
  return (
    <Dialog title={`Items behind ${figure.label}`} onClose={onClose} testId="ops-items-dialog" size="lg"
      description={`${r.itemIdsTotal.toLocaleString()} item(s); ${Math.min(r.itemIds.length, 100) < r.itemIdsTotal ? `the first ${Math.min(r.itemIds.length, 100)} are shown, ` : ''}the filter selects them all.`}>
      <p>
        Filter: <code data-testid="ops-items-filter">{JSON.stringify(r.filter)}</code>
      </p>
      <ItemsBrowser itemIds={r.itemIds} />

    </Dialog>
  );
}

/** A tile: a focusable figure; focus (or hover) explains it, Enter opens the items behind it. */
export function FigureTile({ figure, sub, testId, onExplain, onOpenItems }: {
  figure: Explained;
  sub?: ReactNode;
  testId: string;
  onExplain: (f: Explained) => void;
  onOpenItems: (f: Explained) => void;
}) {
  return (
    <button
      type="button"
      className="tile"
      data-testid={testId}
      data-value={figure.value}
      data-n={figure.n ?? undefined}
      onFocus={() => onExplain(figure)}
      onMouseEnter={() => onExplain(figure)}
      onClick={() => figure.recompute && figure.recompute.itemIdsTotal > 0 && onOpenItems(figure)}
    >
      <span className="tile-label">{figure.label}</span>
      <span className="tile-value">{figure.value}</span>
      {sub && <span className="tile-sub">{sub}</span>}
    </button>
  );
}

/** Explanation state of a view: the figure in focus and the items dialog. */
export function useExplain() {
  const [figure, setFigure] = useState<Explained | null>(null);
  const [items, setItems] = useState<Explained | null>(null);
  return { figure, explain: setFigure, items, openItems: setItems, closeItems: () => setItems(null) };
}
