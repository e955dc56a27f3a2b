// The triage view's state: the focused item, and the neighbours prefetched so that a decision or
// j/k paints the next item at once (DESIGN §9: "after a decision the next item opens at once").
import { create } from 'zustand';
import type { DecideInput, ItemDetail } from '../../shared/desk-api';
import { errorCode, errorMessage } from '../desk/desk-error';
import { pushToast, useApp } from './app-store';
import { desk } from './desk';
import { details, fetchDetail, fillAhead, forgetAll, nav, recentre, remember, scheduleRebuild } from './lookahead';
import { serial } from './serial';

interface TriageState {
  current: ItemDetail | null;
  /** True while the first item (or an un-prefetched next one) loads. */
  loading: boolean;
  /** True when the desk has no item to triage. */
  empty: boolean;
}

export const useTriage = create<TriageState>(() => ({ current: null, loading: false, empty: false }));

/** Bumped on every change of the shown item, so late answers for an old item are dropped. */
let showSeq = 0;
/** The item the core was last told is focused (triage.open): a decision must follow its open. */
let coreFocus: string | null = null;

type DecisionKind = DecideInput['kind'];
const PAST: Record<DecisionKind | 'revert', string> = {
  approve: 'Approved', reject: 'Rejected', correct: 'Corrected', escalate: 'Escalated', defer: 'Deferred',
  reclassify: 'Reclassified', note: 'Note added', revert: 'Reverted',
};

/** Labor runs only while the triage view is shown (DESIGN §6), so only then may the core focus an item. */
const inTriage = () => useApp.getState().view === 'triage';

/**
 * Opens the item on the core (it becomes the focused item: its labor runs) when the triage view is shown,
 * else only reads it. Decided when the call runs, in key order, not when it was queued: an open queued
 * before the reviewer left triage must not focus the item after triage.close.
 */
async function openOnCore(id: string): Promise<ItemDetail> {
  if (!inTriage()) return desk().call('item.get', { itemId: id });
  const d = await desk().call('triage.open', { itemId: id });
  coreFocus = id;
  return d;
}

function show(detail: ItemDetail | null, opts: { empty?: boolean } = {}): number {
  showSeq++;
  useTriage.setState({ current: detail, loading: false, empty: detail === null && (opts.empty ?? false) });
  return showSeq;
}

/** Same item, nothing a reviewer would see changed: skip the re-render. */
function sameView(a: ItemDetail | null, b: ItemDetail): boolean {
  return !!a && a.item.id === b.item.id && a.item.version === b.item.version && a.localState === b.localState && a.decisions.length === b.decisions.length && a.decisions.at(-1)?.state === b.decisions.at(-1)?.state;
}

function refreshShown(d: ItemDetail, seq: number): void {
  if (seq === showSeq && !sameView(useTriage.getState().current, d)) useTriage.setState({ current: d });
}

/** Tells the core the item is focused (labor clock), refreshes its detail, fills the lookahead. */
function focusOnCore(id: string, seq: number): void {
  void serial(() => openOnCore(id))
    .then((d) => {
      remember(d);
      refreshShown(d, seq);
      return fillAhead();
    })
    .catch((e) => {
      if (seq === showSeq) pushToast(`Could not open the item: ${errorMessage(e)}`, 'error');
    });
}

/** Shows an item, from cache at once when possible, and focuses it on the core. */
export async function openItem(id: string, behind?: string | null, ahead?: string[]): Promise<void> {
  recentre(id, behind, ahead);
  const cached = details.get(id);
  if (cached) {
    focusOnCore(id, show(cached));
    return;
  }
  useTriage.setState({ loading: true });
  const seq = ++showSeq;
  try {
    const d = await serial(() => openOnCore(id));
    remember(d);
    if (seq !== showSeq) return;
    show(d);
    // Read while another view was shown, and triage came back meanwhile: focus it now.
    if (inTriage() && coreFocus !== id) focusOnCore(id, showSeq);
    void fillAhead().catch(() => undefined);
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
  if (nav.of === id) {
    if (direction === 'next' && nav.ahead[0]) return openItem(nav.ahead[0], id);
    if (direction === 'prev' && nav.behind) {
      const ahead = [id, ...nav.ahead].slice(0, 3);
      await openItem(nav.behind, undefined);
      nav.ahead = ahead;
      return;
    }
    if (direction === 'prev' && nav.behind === null) return; // the known start of the set
  }
  const { itemId } = await desk().call('triage.next', { fromItemId: id, direction });
  if (itemId && itemId !== id && useTriage.getState().current?.item.id === id) await openItem(itemId, direction === 'next' ? id : undefined);
}

/** The shown item is gone from the assigned set: open the one after it (or the empty state). */
async function skipFrom(id: string): Promise<void> {
  try {
    const { itemId } = await desk().call('triage.next', { fromItemId: id, direction: 'next' });
    const first = itemId ?? (await desk().call('triage.next', { fromItemId: null, direction: 'next' })).itemId;
    const shown = useTriage.getState().current;
    if (shown && shown.item.id !== id) {
      // Already past it (a guessed next item is on screen): just make sure the core focuses that one.
      focusOnCore(shown.item.id, showSeq);
      return;
    }
    if (first && first !== id) await openItem(first);
    else show(null, { empty: true });
  } catch (e) {
    pushToast(`Could not load the next item: ${errorMessage(e)}`, 'error');
  }
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
  let guessedId: string | null = null;
  if (advances) {
    const guess = nav.of === itemId ? nav.ahead[0] : undefined;
    const guessed = guess ? details.get(guess) : undefined;
    details.delete(itemId);
    if (guessed) {
      guessedId = guessed.item.id;
      recentre(guessed.item.id, nav.behind);
      seq = show(guessed);
    } else {
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
      if (seq === showSeq) refreshShown(await fetchDetail(itemId), seq);
      return;
    }
    if (seq !== showSeq) return; // the reviewer moved on meanwhile
    const shown = useTriage.getState().current?.item.id ?? null;
    if (out.nextItemId === null) show(null, { empty: true });
    else if (out.nextItemId !== shown) {
      // The core knows better (a sync slipped an item in before our guess, or the set wrapped).
      // Most likely our guess and its lookahead still follow the core's item: keep them as its lookahead.
      await openItem(out.nextItemId, nav.behind, guessedId ? [guessedId, ...nav.ahead] : undefined);
    }
    else focusOnCore(out.nextItemId, seq);
  } catch (e) {
    pushToast(`${PAST[kind]} failed: ${errorMessage(e)}`, 'error');
    if (seq !== showSeq) return; // the reviewer already went elsewhere
    // Nothing was decided. If the item left the assigned set (reassigned, resolved elsewhere), move
    // on from it; otherwise bring it back.
    if (errorCode(e) === 'conflict' || errorCode(e) === 'not_found') await skipFrom(itemId);
    else await openItem(itemId);
  }
}

/** The triage view was left (another view, the sign-in screen): no item is focused, labor stops. */
export function leaveTriage(): void {
  void serial(async () => {
    coreFocus = null;
    await desk().call('triage.close', {});
  }).catch(() => undefined); // signed out meanwhile: the core has nothing focused anyway
}

/** The triage view is shown again: the item on screen becomes the core's focused item again. */
export function enterTriage(): void {
  const { current, loading } = useTriage.getState();
  // While an item loads, its open focuses it (openItem checks the view when its answer lands).
  if (current && !loading) focusOnCore(current.item.id, showSeq);
}

/** A new core process (the old one died): it has no focused item and no cached neighbours of ours. */
export function afterCoreRestart(): void {
  coreFocus = null;
  onQueueChanged('reset');
  if (inTriage()) enterTriage();
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
    nav.of = null;
    await openItem(out.undone.itemId);
  } catch (e) {
    pushToast(`Undo failed: ${errorMessage(e)}`, 'error');
  }
}

/**
 * Server or sync changes: drop changed details and refresh the shown one. The lookahead is rebuilt in
 * the background and swapped in whole, so a keypress meanwhile still paints at once.
 */
export function onQueueChanged(reason: string, itemIds?: string[]): void {
  const cur = useTriage.getState().current;
  if (reason === 'signout') {
    coreFocus = null;
    forgetAll();
    show(null);
    return;
  }
  if (reason === 'decision' || reason === 'undo') {
    for (const id of itemIds ?? []) if (id !== cur?.item.id) details.delete(id);
    return;
  }
  if (reason === 'reset') forgetAll();
  else {
    for (const id of itemIds ?? []) {
      if (id === cur?.item.id) continue;
      // A changed neighbour keeps its old detail until the new one lands: the fast path stays open,
      // and the item is refreshed again by triage.open when it is shown.
      if (nav.ahead.includes(id) || nav.behind === id) fetchDetail(id).catch(() => details.delete(id));
      else details.delete(id);
    }
  }
  if (cur) {
    const id = cur.item.id;
    const seq = showSeq;
    if (!itemIds || itemIds.includes(id)) {
      fetchDetail(id)
        .then((d) => {
          if (d.item.status === 'open' || d.item.status === 'leased' || d.item.status === 'escalated' || d.localState !== 'none') refreshShown(d, seq);
          else if (seq === showSeq) void skipFrom(id); // resolved elsewhere or withdrawn
        })
        .catch((e) => {
          if (errorCode(e) === 'not_found' && seq === showSeq) void skipFrom(id);
        });
    }
    if (nav.of === null) {
      recentre(id, undefined);
      void fillAhead().catch(() => undefined);
    } else scheduleRebuild();
  } else if (useTriage.getState().empty) {
    useTriage.setState({ empty: false });
    void ensureItem();
  }
}
