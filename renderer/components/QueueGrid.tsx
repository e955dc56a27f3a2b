import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { formatDistanceToNowStrict } from 'date-fns';
import { forwardRef, useEffect, useImperativeHandle, useMemo, useRef } from 'react';
import type { QueueRow } from '../../shared/desk-api';
import { setView } from '../state/app-store';
import { ensureRange, rowAt, setCursor, toggleSelected, toggleSort, useQueue, type SortKey } from '../state/queue-store';
import { openItem } from '../state/triage-store';
import { ClassBadge } from './ClassBadge';
import { SlaBadge } from './SlaBadge';

const ROW_HEIGHT = 32;

type GridRow = { index: number; row: QueueRow | undefined };

const STATUS_LABEL: Record<string, string> = { pending: 'decided', synced: 'synced', conflict: 'conflict' };

function columns(selected: ReadonlySet<string>): ColumnDef<GridRow>[] {
  return [
    {
      id: 'select',
      header: () => <span className="sr-only">Selected</span>,
      cell: ({ row: { original } }) =>
        original.row && (
          <input
            type="checkbox"
            className="row-check"
            aria-label={`Select ${original.row.title}`}
            checked={selected.has(original.row.id)}
            onChange={() => original.row && toggleSelected(original.row.id)}
            onClick={(e) => e.stopPropagation()}
            tabIndex={-1}
          />
        ),
    },
    {
      id: 'slaDue',
      header: 'SLA due',
      enableSorting: true,
      cell: ({ row: { original } }) => original.row && <SlaBadge enqueuedAt={original.row.enqueuedAt} slaDueAt={original.row.slaDueAt} compact />,
    },
    {
      id: 'age',
      header: 'Age',
      enableSorting: true,
      cell: ({ row: { original } }) => original.row && formatDistanceToNowStrict(new Date(original.row.enqueuedAt)),
    },
    { id: 'class', header: 'Class', cell: ({ row: { original } }) => original.row && <ClassBadge value={original.row.exceptionClass} /> },
    { id: 'queue', header: 'Queue', cell: ({ row: { original } }) => original.row?.queueName },
    {
      id: 'confidence',
      header: 'Conf.',
      enableSorting: true,
      cell: ({ row: { original } }) => original.row && (original.row.confidence === null ? '—' : `${Math.round(original.row.confidence * 100)}%`),
    },
    { id: 'title', header: 'Title', cell: ({ row: { original } }) => original.row?.title ?? '' },
    {
      id: 'status',
      header: 'Status',
      cell: ({ row: { original } }) =>
        original.row && (
          <span className="status-cell">
            {original.row.status}
            {original.row.localState !== 'none' && <span className={`pill pill-${original.row.localState}`}>{STATUS_LABEL[original.row.localState]}</span>}
          </span>
        ),
    },
  ];
}

export interface QueueGridHandle {
  focus(): void;
}

/**
 * The queue as an ARIA grid, virtualised: only visible rows render, and only their pages are
 * fetched from the desk (queue.page), so 100k rows scroll like 100.
 */
export const QueueGrid = forwardRef<QueueGridHandle>(function QueueGrid(_props, ref) {
  const total = useQueue((s) => s.total) ?? 0;
  const cursor = useQueue((s) => s.cursor);
  const selected = useQueue((s) => s.selected);
  const sort = useQueue((s) => s.sort);
  const version = useQueue((s) => s.version); // re-render when pages land
  const scroller = useRef<HTMLDivElement>(null);
  useImperativeHandle(ref, () => ({ focus: () => scroller.current?.focus() }));

  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // The sticky header sits inside the scroller, above the rows.
    scrollMargin: ROW_HEIGHT,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 50;

  useEffect(() => {
    ensureRange(first, Math.max(last, first + 50));
  }, [first, last]);

  useEffect(() => {
    if (total > 0) virtualizer.scrollToIndex(cursor, { align: 'auto' });
  }, [cursor, total, virtualizer]);

  // `version` changes when pages land: the virtual items can be the same array while their rows changed.
  const data = useMemo<GridRow[]>(() => items.map((v) => ({ index: v.index, row: rowAt(v.index) })), [items, version]);
  const cols = useMemo(() => columns(selected), [selected]);
  const table = useReactTable({
    data,
    columns: cols,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    state: { sorting: [{ id: sort.by, desc: sort.dir === 'desc' }] },
  });

  const open = (index: number) => {
    const row = rowAt(index);
    if (!row) return;
    setView('triage');
    void openItem(row.id);
  };

  return (
    <div
      ref={scroller}
      className="grid"
      role="grid"
      aria-label="Queue"
      aria-rowcount={total + 1}
      aria-colcount={cols.length}
      aria-multiselectable="true"
      tabIndex={0}
      aria-activedescendant={items.some((v) => v.index === cursor) && rowAt(cursor) ? `qrow-${cursor}` : undefined}
      data-testid="queue-grid"
      data-total={total}
    >
      <div className="grid-head" role="rowgroup">
        {table.getHeaderGroups().map((hg) => (
          <div key={hg.id} role="row" aria-rowindex={1} className="grid-row grid-header-row">
            {hg.headers.map((h) => {
              const sortable = h.column.columnDef.enableSorting === true;
              const active = sort.by === h.column.id;
              return (
                <div
                  key={h.id}
                  role="columnheader"
                  className={`grid-cell col-${h.column.id}`}
                  aria-sort={sortable ? (active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none') : undefined}
                >
                  {sortable ? (
                    <button type="button" className="sort-btn" data-testid={`queue-sort-${h.column.id}`} onClick={() => toggleSort(h.column.id as SortKey)}>
                      {flexRender(h.column.columnDef.header, h.getContext())}
                      <span className="sort-ind" aria-hidden="true">
                        {active ? (sort.dir === 'asc' ? '↑' : '↓') : ''}
                      </span>
                    </button>
                  ) : (
                    flexRender(h.column.columnDef.header, h.getContext())
                  )}
                </div>
              );
            })}
          </div>
        ))}
      </div>
      <div className="grid-body" role="rowgroup" data-testid="queue-rows" style={{ height: virtualizer.getTotalSize() }}>
          {table.getRowModel().rows.map((r, i) => {
            const v = items[i];
            const qr = r.original.row;
            const isSel = !!qr && selected.has(qr.id);
            return (
              <div
                key={v.key}
                id={`qrow-${v.index}`}
                role="row"
                aria-rowindex={v.index + 2}
                aria-selected={isSel}
                className={`grid-row${v.index === cursor ? ' is-cursor' : ''}${isSel ? ' is-selected' : ''}${qr ? '' : ' is-loading'}`}
                style={{ transform: `translateY(${v.start - ROW_HEIGHT}px)`, height: ROW_HEIGHT }}
                data-testid="queue-row"
                data-index={v.index}
                data-item-id={qr?.id}
                onClick={() => setCursor(v.index)}
                onDoubleClick={() => open(v.index)}
              >
                {r.getVisibleCells().map((c) => (
                  <div key={c.id} role="gridcell" className={`grid-cell col-${c.column.id}`}>
                    {qr ? flexRender(c.column.columnDef.cell, c.getContext()) : c.column.id === 'title' ? <span className="skeleton" /> : null}
                  </div>
                ))}
              </div>
            );
          })}
      </div>
    </div>
  );
});
