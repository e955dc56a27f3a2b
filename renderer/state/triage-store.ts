// The triage view's state: the focused item, and the neighbours prefetched so that a decision or
// j/k paints the next item at once (DESIGN §9: "after a decision the next item opens at once").
import { create } from 'zustand';
import type { DecideInput, ItemDetail } from '../../shared/desk-api';
import { errorMessage } from '../desk/desk-error';
import { pushToast } from './app-store';
import { desk } from './desk';
import { serial } from './serial';

interface TriageState {
  current: ItemDetail | null;
  /** True while the first item (or an un-prefetched next one) loads. */
  loading: boolean;
  /** True when the desk has no item to triage. */
  empty: boolean;
}

export const useTriage = create<TriageState>(() => ({ current: null, loading: false, empty: false }));

const details = new Map<string, ItemDetail>();
const neighbours = { next: null as string | null, prev: null as string | null, of: null as string | null };
/** Bumped on every change of the shown item, so late answers for an old item are dropped. */
let showSeq = 0;
/** The item the core was last told is focused (triage.open): a decision must follow its open. */
let coreFocus: string | null = null;

type DecisionKind = DecideInput['kind'];
const PAST: Record<DecisionKind | 'revert', string> = {
  approve: 'Approved', reject: 'Rejected', correct: 'Corrected', escalate: 'Escalated', defer: 'Deferred',
  reclassify: 'Reclassified', note: 'Note added', revert: 'Reverted',
};

function show(detail: ItemDetail | null, opts: { empty?: boolean } = {}): number {
  showSeq++;
  useTriage.setState({ current: detail, loading: false, empty: detail === null && (opts.empty ?? false) });
  return showSeq;
}

async function fetchDetail(id: string): Promise<ItemDetail> {
  const d = await desk().call('item.get', { itemId: id });
  details.set(id, d);
  return d;
}

/** Looks up the neighbours of `id` and caches their details, off the critical path. */
function prefetchAround(id: string): void {
  void serial(async () => {
    const [next, prev] = await Promise.all([
      desk().call('triage.next', { fromItemId: id, direction: 'next' }),
      desk().call('triage.next', { fromItemId: id, direction: 'prev' }),
    ]);
    neighbours.of = id;
    neighbours.next = next.itemId === id ? null : next.itemId;
    neighbours.prev = prev.itemId === id ? null : prev.itemId;
    await Promise.all(
      [neighbours.next, neighbours.prev].filter((x): x is string => !!x && !details.has(x)).map((x) => fetchDetail(x)),
    );
  }).catch(() => undefined); // a failed prefetch only costs speed
}

/** Tells the core the item is focused (labor clock) and refreshes its detail. */
function focusOnCore(id: string, seq: number): void {
  void serial(() => desk().call('triage.open', { itemId: id }))
    .then((d) => {
      coreFocus = id;
      details.set(id, d);
      if (seq === showSeq) useTriage.setState({ current: d });
      prefetchAround(id);
    })
    .catch((e) => {
      if (seq === showSeq) pushToast(`Could not open the item: ${errorMessage(e)}`, 'error');
    });
}

/** Shows an item, from cache at once when possible, and focuses it on the core. */
export async function openItem(id: string): Promise<void> {
  const cached = details.get(id);
  if (cached) {
    focusOnCore(id, show(cached));
    return;
  }
  useTriage.setState({ loading: true });
  const seq = ++showSeq;
  try {
    const d = await serial(() => desk().call('triage.open', { itemId: id }));
    coreFocus = id;
    details.set(id, d);
    if (seq !== showSeq) return;
    show(d);
    prefetchAround(id);
  } catch (e) {
    if (seq === showSeq) useTriage.setState({ loading: false });
    pushToast(`Could not open the item: ${errorMessage(e)}`, 'error');
  }
}

/** Opens the first item of the assigned set when nothing is shown yet (entering triage). */
export async function ensureItem(): Promise<void> {
  const { current } = useTriage.getState();
  if (current) return;
  useTriage.setState({ loading: true });
  try {
    const { itemId } = await serial(() => desk().call('triage.next', { fromItemId: null, direction: 'next' }));
    if (useTriage.getState().current) return;
    if (itemId) await openItem(itemId);
    else show(null, { empty: true });
  } catch (e) {
    useTriage.setState({ loading: false });
    pushToast(`Could not load the queue: ${errorMessage(e)}`, 'error');
  }
}

/** j / k: the prefetched neighbour when known, else ask the core. */
export async function moveItem(direction: 'next' | 'prev'): Promise<void> {
  const cur = useTriage.getState().current;
  if (!cur) return ensureItem();
  const id = cur.item.id;
  const known = neighbours.of === id ? neighbours[direction] : undefined;
  if (known) return openItem(known);
  if (known === null) return; // the known end of the set
  const { itemId } = await serial(() => desk().call('triage.next', { fromItemId: id, direction }));
  if (itemId && itemId !== id && useTriage.getState().current?.item.id === id) await openItem(itemId);
}

type DecisionPayload<K extends DecisionKind> = Extract<DecideInput, { kind: K }>['payload'];

/**
 * Decides the shown item and shows the next one in the same frame when it was prefetched; the core
 * answers with the authoritative next item, which replaces the guess if they differ.
 */
export async function decide<K extends DecisionKind>(kind: K, payload: DecisionPayload<K>): Promise<void> {
  const cur = useTriage.getState().current;
  if (!cur) return;
  const itemId = cur.item.id;
  const advances = kind !== 'note';
  let seq = showSeq;
  if (advances) {
    const guess = neighbours.of === itemId ? neighbours.next : undefined;
    const guessed = guess ? details.get(guess) : undefined;
    details.delete(itemId);
    if (guessed) seq = show(guessed);
    else {
      seq = ++showSeq;
      useTriage.setState({ loading: true });
    }
  }
  try {
    const out = await serial(async () => {
      // Deciding faster than the previous answer came back: open the item first so its labor counts.
      if (coreFocus !== itemId) {
        await desk().call('triage.open', { itemId });
        coreFocus = itemId;
      }
      return desk().call('triage.decide', { itemId, kind, payload } as DecideInput);
    });
    pushToast(`${PAST[kind]}: ${cur.item.title}`, 'success', { undo: kind !== 'note' });
    if (!advances) {
      if (seq === showSeq) {
        const d = await fetchDetail(itemId);
        if (seq === showSeq) useTriage.setState({ current: d });
      }
      return;
    }
    if (seq !== showSeq) return; // the reviewer moved on meanwhile
    const shown = useTriage.getState().current?.item.id ?? null;
    if (out.nextItemId === null) show(null, { empty: true });
    else if (out.nextItemId !== shown) await openItem(out.nextItemId);
    else focusOnCore(out.nextItemId, seq);
  } catch (e) {
    pushToast(`${PAST[kind]} failed: ${errorMessage(e)}`, 'error');
    // Nothing was decided: bring the item back unless the reviewer already went elsewhere.
    if (seq === showSeq) await openItem(itemId);
  }
}

export async function undoLast(): Promise<void> {
  try {
    const out = await serial(() => desk().call('triage.undo', {}));
    if (!out.undone) {
      pushToast('Nothing to undo: synced defers and notes cannot be reverted', 'info');
      return;
    }
    const how = out.via === 'revert' ? ' (a revert was sent to the server)' : '';
    pushToast(`Undid ${out.undone.kind}${how}`, 'info');
    details.delete(out.undone.itemId);
    neighbours.of = null;
    await openItem(out.undone.itemId);
  } catch (e) {
    pushToast(`Undo failed: ${errorMessage(e)}`, 'error');
  }
}

/** Server or sync changes: drop stale details; refresh the shown one if it changed. */
export function onQueueChanged(reason: string, itemIds?: string[]): void {
  if (reason === 'decision' || reason === 'undo') {
    for (const id of itemIds ?? []) if (id !== useTriage.getState().current?.item.id) details.delete(id);
    return;
  }
  const cur = useTriage.getState().current;
  if (!itemIds || reason === 'reset' || reason === 'signout') details.clear();
  else for (const id of itemIds) details.delete(id);
  neighbours.of = null;
  if (reason === 'signout') {
    show(null);
    return;
  }
  if (cur && (!itemIds || itemIds.includes(cur.item.id))) {
    const seq = showSeq;
    fetchDetail(cur.item.id)
      .then((d) => {
        if (seq === showSeq) useTriage.setState({ current: d });
      })
      .catch(() => undefined);
  }
  if (cur) prefetchAround(cur.item.id);
  else if (useTriage.getState().empty) {
    useTriage.setState({ empty: false });
    void ensureItem();
  }
}
