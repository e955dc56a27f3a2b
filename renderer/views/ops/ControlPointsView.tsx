// Control points: the SLA board per workflow / stage / class (sortable), and the at-risk list from which
// a supervisor reassigns items (multi-select with the keyboard) through POST /v1/assignments. An owner
// sees their own paths (the server filters) and no reassignment (it is the supervisor's).
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { formatLaborMinutes } from '../../../shared/durations';
import type { ControlPointMetrics, Figure, PercentileFigure } from '../../../shared/ops-api';
import type { OpsWindow } from '../../../shared/ops-windows';
import { chordFromEvent } from '../../keyboard/chords';
import { errorMessage } from '../../desk/desk-error';
import { pushToast, useApp } from '../../state/app-store';
import { desk } from '../../state/desk';
import { loadOps, useOpsRead } from '../../state/ops-store';
import { ExplainPanel, ItemsDialog, useExplain, type Explained } from './FigureExplain';
import { OpsViewHead } from './OpsViewHead';
import { sortControlPoints, type BoardSort, type BoardSortKey } from './control-points-sort';

const REFRESH_MS = 15_000;
const mins = (v: number | null) => (v === null ? '—' : formatLaborMinutes(v));

const COLUMNS: { key: BoardSortKey; label: string }[] = [
  { key: 'name', label: 'Control point' },
  { key: 'depth', label: 'Depth' },
  { key: 'ageP50', label: 'Age p50' },
  { key: 'ageP90', label: 'Age p90' },
  { key: 'ageMax', label: 'Oldest' },
  { key: 'withinSla', label: '% within SLA' },
  { key: 'breached', label: 'Breached open' },
  { key: 'approvalP90', label: 'Approval latency p90' },
];

const fromFigure = (label: string, f: Figure, value: string): Explained => ({
  label, metric: f.metric, value, n: f.n, interval: f.interval, recompute: f.recompute, note: f.note,
});
const fromPercentile = (label: string, f: PercentileFigure, value: string): Explained => ({
  label, metric: f.metric, value, n: f.n, interval: f.interval, recompute: f.recompute, note: f.note,
});

export function ControlPointsView() {
  const [win, setWin] = useState<OpsWindow>('7d');
  const input = { window: win };
  const read = useOpsRead('ops.controlPoints', input, REFRESH_MS);
  const roles = useApp((s) => s.session?.user?.roles ?? []);
  const canAssign = roles.includes('supervisor') || roles.includes('admin');
  const { figure, explain, items, openItems, closeItems } = useExplain();
  const [sort, setSort] = useState<BoardSort>({ key: 'withinSla', dir: 'asc' });
  const v = read.value?.data ?? null;
  const rows = useMemo(() => (v ? sortControlPoints(v.controlPoints.controlPoints, sort) : []), [v, sort]);

  const cell = (cp: ControlPointMetrics, e: Explained, testId: string) => (
    <td>
      <button type="button" className="sort-btn" onFocus={() => explain(e)} onMouseEnter={() => explain(e)} onClick={() => openItems(e)}
        aria-label={`${e.label} of ${cp.workflow} / ${cp.stage}: ${e.value}`} data-testid={testId}>
        {e.value}
      </button>
    </td>
  );

  return (
    <section className="view ops-view" data-testid="view-control" aria-labelledby="cp-h">
      <OpsViewHead headingId="cp-h" title="Control points" win={win} onWindow={setWin} windowTestId="cp-window"
        freshness={read.value?.freshness} loading={read.loading} error={read.error} />
      {v && (
        <>
          <section className="panel" aria-labelledby="cp-board-h">
            <h2 id="cp-board-h" className="panel-title">
              SLA board
              <span className="panel-hint">{rows.length} control points · % within SLA over the window; depth and ages now</span>
            </h2>
            <div className="ops-table-wrap">
              <table className="ops-table" data-testid="cp-board">
                <thead>
                  <tr>
                    {COLUMNS.map((c) => (
                      <th key={c.key} scope="col" aria-sort={sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
                        <button type="button" className="sort-btn" data-testid={`cp-sort-${c.key}`}
                          onClick={() => setSort((s) => ({ key: c.key, dir: s.key === c.key && s.dir === 'asc' ? 'desc' : 'asc' }))}>
                          {c.label}
                          {sort.key === c.key ? (sort.dir === 'asc' ? ' ↑' : ' ↓') : ''}
                        </button>
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {rows.map((cp) => {
                    const pct = cp.withinSla.percent.value;
                    return (
                      <tr key={cp.queueId} data-testid="cp-row" data-queue-id={cp.queueId}>
                        <th scope="row" className="is-text">
                          {cp.workflow} / {cp.stage} · {cp.exceptionClass}
                          <span className="tile-sub"> · owner {cp.ownerId} · SLA {mins(cp.slaTargetMinutes)}</span>
                        </th>
                        {cell(cp, fromFigure('Depth', cp.depth, String(cp.depth.value ?? '—')), 'cp-depth')}
                        {cell(cp, fromPercentile('Age p50', cp.age, mins(cp.age.p50)), 'cp-age-p50')}
                        {cell(cp, fromPercentile('Age p90', cp.age, mins(cp.age.p90)), 'cp-age-p90')}
                        {cell(cp, fromPercentile('Oldest', cp.age, mins(cp.age.max)), 'cp-age-max')}
                        {cell(cp, fromFigure('% within SLA', cp.withinSla.percent,
                          `${pct === null ? '—' : `${Math.round(pct * 10) / 10} %`} (n ${cp.withinSla.achieved + cp.withinSla.breached})`), 'cp-within')}
                        {cell(cp, fromFigure('Breached open', cp.breachedWhileOpen, String(cp.breachedWhileOpen.value ?? '—')), 'cp-breached')}
                        {cell(cp, fromPercentile('Approval latency p90', cp.approvalLatency, mins(cp.approvalLatency.p90)), 'cp-approval')}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </section>
          <ExplainPanel figure={figure} onOpenItems={openItems} />
          <AtRiskList controlPoints={v.controlPoints.controlPoints} assignees={v.assignees} canAssign={canAssign}
            onAssigned={() => void loadOps('ops.controlPoints', input)} />
        </>
      )}
      {items && <ItemsDialog figure={items} onClose={closeItems} />}
    </section>
  );
}

interface AtRiskRow { itemId: string; minutesLeft: number; assigneeId: string | null; status: string; where: string }

function AtRiskList({ controlPoints, assignees, canAssign, onAssigned }: {
  controlPoints: ControlPointMetrics[];
  assignees: string[];
  canAssign: boolean;
  onAssigned: () => void;
}) {
  const rows: AtRiskRow[] = useMemo(() => controlPoints
    .flatMap((cp) => cp.atRisk.map((a) => ({ itemId: a.itemId, minutesLeft: a.minutesLeft, assigneeId: a.assigneeId, status: a.status, where: `${cp.workflow} / ${cp.stage}` })))
    .sort((a, b) => a.minutesLeft - b.minutesLeft || a.itemId.localeCompare(b.itemId)), [controlPoints]);
  const [cursor, setCursor] = useState(0);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [assignee, setAssignee] = useState('');
  const [busy, setBusy] = useState(false);
  const keymap = useApp((s) => s.keymap);
  const selectRef = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    // Rows that left the list (reassigned, resolved) leave the selection too.
    setSelected((s) => new Set([...s].filter((id) => rows.some((r) => r.itemId === id))));
    setCursor((c) => Math.min(c, Math.max(0, rows.length - 1)));
  }, [rows]);

  const toggle = (id: string) => setSelected((s) => {
    const next = new Set(s);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  });
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const chord = chordFromEvent(e);
    if (!chord) return;
    const is = (action: string) => (keymap[action] ?? []).includes(chord);
    let handled = true;
    if (is('item.next') || chord === 'down') setCursor((c) => Math.min(c + 1, rows.length - 1));
    else if (is('item.prev') || chord === 'up') setCursor((c) => Math.max(c - 1, 0));
    else if ((is('queue.select') || chord === 'space') && rows[cursor] && canAssign) toggle(rows[cursor].itemId);
    else if (chord === 'ctrl+a' && canAssign) setSelected(new Set(rows.map((r) => r.itemId)));
    else if (chord === 'enter' && canAssign && selected.size > 0) selectRef.current?.focus();
    else handled = false;
    if (handled) e.preventDefault();
  };
  const reassign = async () => {
    if (!assignee || selected.size === 0) return;
    setBusy(true);
    try {
      const out = await desk().call('ops.assign', { itemIds: [...selected], assigneeId: assignee });
      pushToast(`Reassigned ${out.assigned.length} item${out.assigned.length === 1 ? '' : 's'} to ${assignee}`, 'success');
      setSelected(new Set());
      onAssigned();
    } catch (e) {
      pushToast(`Reassignment failed: ${errorMessage(e)}`, 'error');
    } finally {
      setBusy(false);
    }
  };
  const current = rows[cursor];
  return (
    <section className="panel" aria-labelledby="cp-risk-h" data-testid="cp-at-risk">
      <h2 id="cp-risk-h" className="panel-title">
        At risk
        <span className="panel-hint" data-testid="cp-at-risk-count" data-count={rows.length}>
          {rows.length} open item{rows.length === 1 ? '' : 's'} with less than 20 % of the SLA target left
        </span>
      </h2>
      {rows.length === 0 ? (
        <p className="muted">Nothing is at risk.</p>
      ) : (
        <div className="esc-list" role="listbox" tabIndex={0} aria-label="At-risk items" aria-multiselectable={canAssign}
          aria-activedescendant={current ? `risk-${current.itemId}` : undefined} onKeyDown={onKeyDown} data-testid="cp-at-risk-list">
          {rows.map((r, i) => (
            <div key={r.itemId} id={`risk-${r.itemId}`} role="option" aria-selected={canAssign ? selected.has(r.itemId) : i === cursor}
              className={`esc-row${i === cursor ? ' is-current' : ''}${selected.has(r.itemId) ? ' is-selected' : ''}`}
              data-testid="cp-at-risk-row" data-item-id={r.itemId} onClick={() => { setCursor(i); if (canAssign) toggle(r.itemId); }}>
              <span className="esc-title">
                {selected.has(r.itemId) ? '☑ ' : canAssign ? '☐ ' : ''}
                {r.itemId}
              </span>
              <span className="esc-meta">
                {mins(r.minutesLeft)} left · {r.where} · {r.assigneeId ? `with ${r.assigneeId}` : 'unassigned'} · {r.status}
              </span>
            </div>
          ))}
        </div>
      )}
      {canAssign && rows.length > 0 && (
        <div className="ops-controls">
          <span data-testid="cp-selected-count" data-count={selected.size}>
            {selected.size} selected
          </span>
          <label>
            <span className="muted">Reassign to </span>
            <select ref={selectRef} className="select" value={assignee} onChange={(e) => setAssignee(e.target.value)} data-testid="cp-assignee">
              <option value="">choose a reviewer…</option>
              {assignees.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="btn btn-primary btn-sm" disabled={busy || !assignee || selected.size === 0} onClick={() => void reassign()}
            data-testid="cp-reassign">
            Reassign {selected.size || ''}
          </button>
          <span className="muted">
            <kbd className="kbd">X</kbd>/<kbd className="kbd">Space</kbd> select · <kbd className="kbd">Ctrl</kbd>+<kbd className="kbd">A</kbd> all ·{' '}
            <kbd className="kbd">Enter</kbd> choose the reviewer
          </span>
        </div>
      )}
    </section>
  );
}
