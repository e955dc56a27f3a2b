// The queue table's state as a store created with its desk client (injected: unit tests use a fake
// desk): filter, sort, column layout, cursor, selection, and pages fetched by visible range.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ExceptionClass } from '../../shared/domain';
import type { QueueRow } from '../../shared/desk-api';
import { errorMessage } from '../desk/desk-error';
import { LatestWins } from '../logic/latest-wins';
import { PageCache } from '../logic/page-cache';
import type { DeskCaller } from './triage-model';

export const PAGE_SIZE = 200;
export type SortKey = 'slaDue' | 'age' | 'confidence';

export interface QueueFilter {
  classes: ExceptionClass[];
  queueIds: string[];
  text: string;
  /** Show decided (done) items too; by default the queue shows open work only (issue 14 item 7). */
  showDone: boolean;
}

export interface QueueState {
  filter: QueueFilter;
  sort: { by: SortKey; dir: 'asc' | 'desc' };
  total: number | null;
  cursor: number;
  selected: ReadonlySet<string>;
  /** Bumped when pages land, so rows re-render. */
  version: number;
  error: string | null;
  /** Column layout of the grid (@tanstack/react-table state): hidden columns and widths in px. */
  columnVisibility: Record<string, boolean>;
  columnSizing: Record<string, number>;
}

export interface QueueDeps {
  desk: DeskCaller;
  toast(text: string, tone: 'info' | 'success' | 'error'): void;
  /** Quiet time before a refresh after sync (default 500 ms). */
  refreshDelayMs?: number;
}

export type QueueModel = ReturnType<typeof createQueue>;

export function createQueue(deps: QueueDeps) {
  const { desk } = deps;
  const useQueue: StoreApi<QueueState> = createStore<QueueState>(() => ({
    filter: { classes: [], queueIds: [], text: '', showDone: false },
    sort: { by: 'slaDue', dir: 'asc' },
    total: null,
    cursor: 0,
    selected: new Set(),
    version: 0,
    error: null,
    columnVisibility: {},
    columnSizing: {},
  }));

  let cache = new PageCache<QueueRow>(PAGE_SIZE);
  /** The previous cache, shown while a refresh after a sync refetches (no flash of empty rows). */
  let stale: PageCache<QueueRow> | null = null;
  let generation = 0;
  let lastRange: [number, number] = [0, 50];

  type View = Pick<QueueState, 'filter' | 'sort'>;
  /** The filter and sort the current cache was fetched for: scroll fetches must not mix in a newer one. */
  let view: View = viewNow();

  function viewNow(): View {
    const { filter, sort } = useQueue.getState();
    return { filter, sort };
  }

  function rowAt(index: number): QueueRow | undefined {
    return cache.row(index) ?? stale?.row(index);
  }

  function pageInput(page: number) {
    const { filter, sort } = view;
    return {
      filter: {
        classes: filter.classes.length ? filter.classes : undefined,
        queueIds: filter.queueIds.length ? filter.queueIds : undefined,
        text: filter.text.trim() || undefined,
        openOnly: filter.showDone ? undefined : true,
      },
      sort,
      offset: page * PAGE_SIZE,
      limit: PAGE_SIZE,
    };
  }

  async function fetchPage(page: number, isCurrent: () => boolean = () => true): Promise<void> {
    const gen = generation;
    const target = cache;
    target.markInFlight(page);
    try {
      const res = await desk.call('queue.page', pageInput(page));
      if (gen !== generation || !isCurrent()) return;
      target.put(page, res.rows);
      // The old rows stay on screen until the new ones cover the visible range (no skeleton flash).
      if (stale && target.covers(lastRange[0], lastRange[1], res.total)) stale = null;
      useQueue.setState((s) => ({ total: res.total, version: s.version + 1, error: null }));
    } catch (e) {
      target.failed(page);
      if (gen === generation && isCurrent()) useQueue.setState({ error: errorMessage(e) });
    }
  }

  function fetchRange(start: number, end: number, isCurrent?: () => boolean): Promise<void>[] {
    lastRange = [start, end];
    const total = useQueue.getState().total ?? end + 1;
    for (let p = cache.pageOf(start); p <= cache.pageOf(end); p++) cache.touch(p);
    return cache.missing(start, end, Math.max(total, 1)).map((page) => fetchPage(page, isCurrent));
  }

  /** Called by the grid with its visible (overscanned) range. */
  function ensureRange(start: number, end: number): void {
    void fetchRange(start, end);
  }

  /** Swaps in an empty cache for `next`; the old rows stay on screen until the new ones cover the visible range. */
  function restart(next: View, isCurrent?: () => boolean): Promise<void[]> {
    generation++;
    view = next;
    stale = stale && !cache.size ? stale : cache;
    cache = new PageCache<QueueRow>(PAGE_SIZE);
    return Promise.all(fetchRange(lastRange[0], lastRange[1], isCurrent));
  }

  /**
   * Refetches from scratch. `sameView` (a refresh after sync) keeps the scroll position, otherwise
   * the cursor goes back to the top.
   */
  function reload(sameView: boolean): void {
    if (!sameView) toTop();
    void restart(viewNow());
  }

  function toTop(): void {
    useQueue.setState({ cursor: 0 });
    lastRange = [0, Math.max(50, lastRange[1] - lastRange[0])];
  }

  // Typing sends a query per keystroke: only one runs at a time, and the newest filter goes next.
  const viewChange = new LatestWins<View>((next, isCurrent) => restart(next, isCurrent));

  function changeView(): void {
    toTop();
    viewChange.submit(viewNow());
  }

  function setFilter(patch: Partial<QueueFilter>): void {
    useQueue.setState((s) => ({ filter: { ...s.filter, ...patch } }));
    changeView();
  }

  /** Sort as the grid's column model says (a header click, through react-table's sorting state). */
  function setSort(by: SortKey, dir: 'asc' | 'desc'): void {
    const now = useQueue.getState().sort;
    if (now.by === by && now.dir === dir) return;
    useQueue.setState({ sort: { by, dir } });
    changeView();
  }

  type Updater<T> = T | ((old: T) => T);
  const apply = <T,>(u: Updater<T>, old: T): T => (typeof u === 'function' ? (u as (o: T) => T)(old) : u);
  function setColumnVisibility(u: Updater<Record<string, boolean>>): void {
    useQueue.setState((s) => ({ columnVisibility: apply(u, s.columnVisibility) }));
  }
  function setColumnSizing(u: Updater<Record<string, number>>): void {
    useQueue.setState((s) => ({ columnSizing: apply(u, s.columnSizing) }));
  }

  function toggleSort(by: SortKey): void {
    useQueue.setState((s) => ({ sort: { by, dir: s.sort.by === by && s.sort.dir === 'asc' ? 'desc' : 'asc' } }));
    changeView();
  }

  function moveCursor(delta: number): void {
    useQueue.setState((s) => {
      const max = Math.max(0, (s.total ?? 0) - 1);
      return { cursor: Math.min(max, Math.max(0, s.cursor + delta)) };
    });
  }

  function setCursor(index: number): void {
    useQueue.setState({ cursor: index });
  }

  function toggleSelected(id: string): void {
    useQueue.setState((s) => {
      const next = new Set(s.selected);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return { selected: next };
    });
  }

  function clearSelection(): void {
    useQueue.setState({ selected: new Set() });
  }

  async function bulkApprove(): Promise<void> {
    const ids = [...useQueue.getState().selected];
    if (ids.length === 0) {
      deps.toast('Select rows with x first', 'info');
      return;
    }
    try {
      const out = await desk.call('triage.bulkApprove', { itemIds: ids });
      clearSelection();
      const skipped = out.skipped.length ? `, skipped ${out.skipped.length} (${out.skipped[0].reason})` : '';
      // No Undo button: undo takes back one decision, and this was many.
      deps.toast(`Approved ${out.decided.length}${skipped}`, out.decided.length ? 'success' : 'info');
      reload(true);
    } catch (e) {
      deps.toast(`Bulk approve failed: ${errorMessage(e)}`, 'error');
    }
  }

  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  /** Sync and decisions change rows: refresh at most twice a second, keeping rows on screen. */
  function scheduleRefresh(): void {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      // A refresh now would drop the filter answer on its way and ask again: wait until it has landed.
      if (viewChange.busy) scheduleRefresh();
      else reload(true);
    }, deps.refreshDelayMs ?? 500);
  }

  return {
    store: useQueue,
    rowAt, ensureRange, reload, setFilter, toggleSort, setSort, setColumnVisibility, setColumnSizing, moveCursor, setCursor, toggleSelected, clearSelection, bulkApprove, scheduleRefresh,
  };
}
