// The conflicts inbox: decisions the server answered `conflict` or `rejected`, kept until the
// reviewer discards them or resubmits them.
import { create } from 'zustand';
import type { Conflict } from '../../shared/desk-api';
import { errorMessage } from '../desk/desk-error';
import { canResubmit, conflictHeadline } from '../logic/conflict-text';
import { pushToast } from './app-store';
import { desk } from './desk';

interface ConflictsState {
  conflicts: Conflict[];
  loaded: boolean;
  cursor: number;
  busy: boolean;
  /** Titles from this desk's cache for conflicts whose server item is hidden (item id -> title). */
  titles: Record<string, string>;
}

export const useConflicts = create<ConflictsState>(() => ({ conflicts: [], loaded: false, cursor: 0, busy: false, titles: {} }));

/** The server hides items that are someone else's now; the reviewer still knows them by title. */
async function loadLocalTitles(conflicts: Conflict[]): Promise<void> {
  const known = useConflicts.getState().titles;
  const missing = [...new Set(conflicts.filter((c) => !c.serverItem && !(c.itemId in known)).map((c) => c.itemId))].slice(0, 50);
  const found = await Promise.all(
    missing.map((itemId) =>
      desk()
        .call('item.get', { itemId })
        .then((d) => [itemId, d.item.title] as const)
        .catch(() => null), // no longer cached: the card shows the id
    ),
  );
  const titles = Object.fromEntries(found.filter((f): f is readonly [string, string] => f !== null));
  if (Object.keys(titles).length) useConflicts.setState((s) => ({ titles: { ...s.titles, ...titles } }));
}

export async function loadConflicts(): Promise<void> {
  try {
    const { conflicts } = await desk().call('conflicts.list', {});
    const before = useConflicts.getState();
    useConflicts.setState((s) => ({ conflicts, loaded: true, cursor: Math.min(s.cursor, Math.max(0, conflicts.length - 1)) }));
    await loadLocalTitles(conflicts);
    // A conflict must not arrive silently (issue 14 item 4): say which item and what happened.
    if (before.loaded) {
      const known = new Set(before.conflicts.map((c) => c.id));
      const fresh = conflicts.filter((c) => !known.has(c.id));
      const titles = useConflicts.getState().titles;
      const named = fresh.slice(0, 2).map((c) => `${c.serverItem?.title ?? titles[c.itemId] ?? c.itemId}: ${conflictHeadline(c.code)}`);
      if (named.length) pushToast(`Conflict${fresh.length > 1 ? `s (${fresh.length})` : ''}: ${named.join('; ')}. Press g s for the inbox.`, 'error');
    }
  } catch (e) {
    pushToast(`Could not load conflicts: ${errorMessage(e)}`, 'error');
  }
}

export async function resolveConflict(conflictId: number, action: 'discard' | 'resubmit'): Promise<void> {
  useConflicts.setState({ busy: true });
  try {
    await desk().call('conflicts.resolve', { conflictId, action });
    pushToast(action === 'discard' ? 'Conflict discarded: the server’s item stands' : 'Decision resubmitted', 'success');
  } catch (e) {
    pushToast(`Could not ${action}: ${errorMessage(e)}`, 'error');
  } finally {
    useConflicts.setState({ busy: false });
    await loadConflicts();
  }
}

export function conflictCommand(cmd: 'next' | 'prev' | 'discard' | 'resubmit'): void {
  const { conflicts, cursor, busy } = useConflicts.getState();
  if (cmd === 'next' || cmd === 'prev') {
    const next = Math.min(Math.max(0, conflicts.length - 1), Math.max(0, cursor + (cmd === 'next' ? 1 : -1)));
    useConflicts.setState({ cursor: next });
    return;
  }
  const target = conflicts[cursor];
  if (!target || busy) return;
  if (cmd === 'resubmit' && !canResubmit(target)) {
    pushToast('This decision can only be discarded: the server no longer shows you the item.', 'info');
    return;
  }
  void resolveConflict(target.id, cmd);
}
