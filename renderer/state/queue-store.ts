// This window's queue store: the model (queue-model.ts) wired to the window's desk client and toasts.
import { useStore } from 'zustand';
import { pushToast } from './app-store';
import { desk } from './desk';
import { createQueue, type QueueState } from './queue-model';

export type { QueueFilter, SortKey } from './queue-model';
export { PAGE_SIZE } from './queue-model';

export const queue = createQueue({
  desk: { call: (method, input) => desk().call(method, input) },
  toast: (text, tone) => void pushToast(text, tone),
});

/** React hook over the queue store (a slice); also `.getState()` / `.setState()` / `.subscribe()`. */
export const useQueue = Object.assign(
  function useQueue<T>(selector: (s: QueueState) => T): T {
    return useStore(queue.store, selector);
  },
  { getState: queue.store.getState, setState: queue.store.setState, subscribe: queue.store.subscribe },
);

export const {
  rowAt, ensureRange, reload, setFilter, toggleSort, setSort, setColumnVisibility, setColumnSizing, moveCursor, setCursor, toggleSelected, clearSelection, bulkApprove, scheduleRefresh,
} = queue;
