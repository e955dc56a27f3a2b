import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type Header, type SortingState, type Table } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { formatDistanceToNowStrict } from 'date-fns';
import { forwardRef, useEffect, useImperativeHandle, useMemo, useRef, type KeyboardEvent } from 'react';
import type { QueueRow } from '../../shared/desk-api';
import { setView } from '../state/app-store';
import { ensureRange, rowAt, setColumnSizing, setColumnVisibility, setCursor, setSort, toggleSelected, useQueue, type SortKey } from '../state/queue-store';
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
      size: 32,
      enableResizing: false,
      enableHiding: false,
      meta: { label: 'Selected' },
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
      size: 120,
      enableSorting: true,
      // An accessor makes the column sortable for react-table; the core does the sorting (manualSorting).
      accessorFn: (r) => r.row?.slaDueAt,
      cell: ({ row: { original } }) => original.row && <SlaBadge enqueuedAt={original.row.enqueuedAt} slaDueAt={original.row.slaDueAt} compact />,
    },
    {
      id: 'age',
      header: 'Age',
      size: 88,
      enableSorting: true,
      accessorFn: (r) => r.row?.enqueuedAt,
      cell: ({ row: { original } }) => original.row && formatDistanceToNowStrict(new Date(original.row.enqueuedAt)),
    },
    { id: 'class', header: 'Class', size: 136, cell: ({ row: { original } }) => original.row && <ClassBadge value={original.row.exceptionClass} /> },
    { id: 'queue', header: 'Queue', size: 160, cell: ({ row: { original } }) => original.row?.queueName },
    {
      id: 'confidence',
      header: 'Conf.',
      size: 72,
      enableSorting: true,
      accessorFn: (r) => r.row?.confidence,
      cell: ({ row: { original } }) => original.row && (original.row.confidence === null ? '—' : `${Math.round(original.row.confidence * 100)}%`),
    },
    { id: 'title', header: 'Title', size: 240, enableHiding: false, cell: ({ row: { original } }) => original.row?.title ?? '' },
    {
      id: 'status',
      header: 'Status',
      size: 144,
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

const SORT_KEYS: readonly string[] = ['slaDue', 'age', 'confidence'] satisfies SortKey[];
const RESIZE_STEP = 16;

/** The CSS grid track list for the visible columns: their react-table sizes, the title taking the rest. */
function trackList(table: Table<GridRow>): string {
  return table
    .getVisibleLeafColumns()
    .map((c) => (c.id === 'title' ? `minmax(${c.getSize()}px, 1fr)` : `${c.getSize()}px`))
    .join(' ');
}

const labelOf = (h: Header<GridRow, unknown>) => {
  const header = h.column.columnDef.header;
  return typeof header === 'string' ? header : h.column.id;
};

/** A column edge: drag it, or focus it and use ←/→ (double-click or Enter resets). */
function ColumnResizer({ header, table }: { header: Header<GridRow, unknown>; table: Table<GridRow> }) {
  const { column } = header;
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const delta = e.key === 'ArrowRight' ? RESIZE_STEP : e.key === 'ArrowLeft' ? -RESIZE_STEP : 0;
    if (delta) table.setColumnSizing((old) => ({ ...old, [column.id]: Math.max(column.columnDef.minSize ?? 48, column.getSize() + delta) }));
    else if (e.key === 'Enter') column.resetSize();
    else return;
    e.preventDefault();
    e.stopPropagation(); // not the grid's or the window's keys
  };
  return (
    <div
      role="separator"
      aria-orientation="vertical"
      aria-label={`Resize ${labelOf(header)}`}
      aria-valuenow={column.getSize()}
      tabIndex={0}
      className={`col-resizer${column.getIsResizing() ? ' is-resizing' : ''}`}
      data-testid={`queue-col-resizer-${column.id}`}
      onMouseDown={header.getResizeHandler()}
      onTouchStart={header.getResizeHandler()}
      onDoubleClick={() => column.resetSize()}
      onKeyDown={onKeyDown}
      onClick={(e) => e.stopPropagation()}
    />
  );
}

/** Show or hide columns (react-table's visibility state); a native disclosure, keyboard-operable. */
function ColumnsMenu({ table }: { table: Table<GridRow> }) {
  return (
    <details className="col-menu" data-testid="queue-columns">
      <summary className="btn btn-ghost btn-sm">Columns</summary>
      <fieldset className="col-menu-list">
        <legend className="sr-only">Columns shown</legend>
        {table
          .getAllLeafColumns()
          .filter((c) => c.getCanHide())
          .map((c) => (
            <label key={c.id} className="col-menu-item">
              <input type="checkbox" checked={c.getIsVisible()} onChange={c.getToggleVisibilityHandler()} data-testid={`queue-column-toggle-${c.id}`} />
              {typeof c.columnDef.header === 'string' ? c.columnDef.header : c.id}
            </label>
          ))}
      </fieldset>
    </details>
  );
}

export interface QueueGridHandle {
  focus(): void;
}

/**
 * The queue as an ARIA grid, virtualised: only visible rows render, and only their pages are
 * fetched from the desk (queue.page), so 100k rows scroll like 100.
 */
export const QueueGrid = forwardRef<QueueGridHandle>(function QueueGrid(_props, ref) {
  // Null until the first page of this view answers: the grid says it is busy rather than empty.
  const knownTotal = useQueue((s) => s.total);
  const total = knownTotal ?? 0;
  const cursor = useQueue((s) => s.cursor);
  const selected = useQueue((s) => s.selected);
  const sort = useQueue((s) => s.sort);
  const columnVisibility = useQueue((s) => s.columnVisibility);
  const columnSizing = useQueue((s) => s.columnSizing);
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
  // The column model, sorting, visibility and sizing are react-table's; sorting is manual (the core sorts
  // the whole set, the grid holds only visible pages), so a sorting change goes to the queue store.
  const sorting: SortingState = [{ id: sort.by, desc: sort.dir === 'desc' }];
  const table = useReactTable({
    data,
    columns: cols,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    enableMultiSort: false,
    enableSortingRemoval: false,
    sortDescFirst: false,
    enableColumnResizing: true,
    columnResizeMode: 'onChange',
    defaultColumn: { minSize: 48, enableSorting: false },
    state: { sorting, columnVisibility, columnSizing },
    onSortingChange: (u) => {
      const next = (typeof u === 'function' ? u(sorting) : u)[0];
      if (next && SORT_KEYS.includes(next.id)) setSort(next.id as SortKey, next.desc ? 'desc' : 'asc');
    },
    onColumnVisibilityChange: setColumnVisibility,
    onColumnSizingChange: setColumnSizing,
  });
  const tracks = trackList(table);

  const open = (index: number) => {
    const row = rowAt(index);
    if (!row) return;
    setView('triage');
    void openItem(row.id);
  };

  return (
    <>
    <ColumnsMenu table={table} />
    <div
      ref={scroller}
      className="grid"
      role="grid"
      aria-label="Queue"
      aria-rowcount={total + 1}
      aria-colcount={table.getVisibleLeafColumns().length}
      aria-multiselectable="true"
      tabIndex={0}
      aria-activedescendant={items.some((v) => v.index === cursor) && rowAt(cursor) ? `qrow-${cursor}` : undefined}
      aria-busy={knownTotal === null}
      data-testid="queue-grid"
      data-total={knownTotal ?? undefined}
    >
      <div className="grid-head" role="rowgroup">
        {table.getHeaderGroups().map((hg) => (
          <div key={hg.id} role="row" aria-rowindex={1} className="grid-row grid-header-row" style={{ gridTemplateColumns: tracks }}>
            {hg.headers.map((h) => {
              const sortable = h.column.getCanSort();
              const dir = h.column.getIsSorted();
              return (
                <div
                  key={h.id}
                  role="columnheader"
                  className={`grid-cell col-${h.column.id}`}
                  aria-sort={sortable ? (dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none') : undefined}
                  data-testid={`queue-col-${h.column.id}`}
                  data-width={h.getSize()}
                >
                  {sortable ? (
                    <button type="button" className="sort-btn" data-testid={`queue-sort-${h.column.id}`} onClick={h.column.getToggleSortingHandler()}>
                      {flexRender(h.column.columnDef.header, h.getContext())}
                      <span className="sort-ind" aria-hidden="true">
                        {dir === 'asc' ? '↑' : dir === 'desc' ? '↓' : ''}
                      </span>
                    </button>
                  ) : (
                    flexRender(h.column.columnDef.header, h.getContext())
                  )}
                  {h.column.getCanResize() && <ColumnResizer header={h} table={table} />}
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
                style={{ transform: `translateY(${v.start - ROW_HEIGHT}px)`, height: ROW_HEIGHT, gridTemplateColumns: tracks }}
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
    </>
  );
});
