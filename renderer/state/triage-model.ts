// The triage view's state and commands as one store created with its desk client (injected, so unit
// tests drive it with a fake desk): the focused item, the look-ahead window that lets a decision or
// j/k paint the next item in the same frame (DESIGN §9), and the notice shown in place when the
// focused item leaves under the reviewer (issue 8 item 1: the item on screen is the item decided).
//
// Rules this file keeps:
// - Every write goes through one serial queue, so the core sees open, decide, undo in key order; a
//   decision of an item whose open has not reached the core yet opens it first (its labor counts).
// - A decision names the version on screen (`shownVersion`); the core refuses it (`item_changed`) if
//   a sync moved the item on, and the desk then shows the item again with the reason in place.
// - An item on screen is never replaced by a different one except by the reviewer's own key: a sync
//   that takes the focused item away shows a notice, and the next key press acts on the notice.
// - Labor runs only while the triage view is shown (DESIGN §6): elsewhere items are read with
//   item.get, never triage.open, and which to use is decided when the call runs, not when queued.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { DecideInput, DeskInput, DeskMethod, DeskOutput, ItemDetail, WindowOutput } from '../../shared/desk-api';
import { DEPARTURE_TEXT, departureOf, ITEM_DEPARTURES, type ItemDeparture } from '../../shared/item-departure';
import { DeskCallError, errorCode, errorMessage } from '../desk/desk-error';
import { onlyLeaseChanged } from '../logic/lease-only-change';
import { createSerial } from './serial';
import { deferredWhereText } from '../../shared/defer-policy';
import type { Queue } from '../../shared/domain';

/** The one thing the store needs of the desk client. */
export interface DeskCaller {
  call<M extends DeskMethod>(method: M, input: DeskInput<M>): Promise<DeskOutput<M>>;
  /** Whether calls made now reach the core in the order made (desk/transport.ts); absent: false. */
  ordered?(): boolean;
}

export interface TriageDeps {
  desk: DeskCaller;
  /** Whether the triage view is shown now (labor may run). */
  inTriage(): boolean;
  /** The signed-in reviewer's id (whose assigned set this is). */
  me(): string | null;
  toast(text: string, tone: 'info' | 'success' | 'error', opts?: { undo?: boolean; whole?: boolean }): void;
  /** Undo ran (or found nothing): toasts must stop offering it. */
  undoOffersGone?(): void;
  /** The queue as the last sync knows it (its policy may have changed since the item was shown). */
  queueOf?(queueId: string): Queue | undefined;
  /** How many items ahead the look-ahead holds (default LOOKAHEAD). */
  lookahead?: number;
  /** Quiet time before the look-ahead is rebuilt after a burst of sync events (default 250 ms). */
  refillDelayMs?: number;
  /**
   * How long a departure notice swallows keys before a key may acknowledge it (default 600 ms): a key
   * already on its way when the notice appeared must not dismiss a notice nobody has read.
   */
  noticeGuardMs?: number;
}

/** The focused item left (or changed) under the reviewer; shown in place until acknowledged. */
export interface Departed {
  itemId: string;
  departure: ItemDeparture;
  text: string;
  /** False during the first moments of the notice: keys then leave it standing. */
  armed: boolean;
}

export interface TriageState {
  current: ItemDetail | null;
  /** True while the first item (or an un-prefetched next one) loads. */
  loading: boolean;
  /** True when the desk has no item to triage. */
  empty: boolean;
  departed: Departed | null;
  /** 0-based place of the focused item in the assigned set (null: not in it, or not known yet). */
  position: number | null;
  /** Items in the assigned set, from the last look-ahead window. */
  total: number | null;
  /**
   * Decisions taken here since the desk started, less those undone. The position counts open items only, so a
   * sync that refills the queue would otherwise show the same "1 of 50" after an approval, as if it had not counted.
   */
  decided: number;
}

type DecisionKind = DecideInput['kind'];
export type DecisionPayload<K extends DecisionKind> = Extract<DecideInput, { kind: K }>['payload'];

const PAST: Record<DecisionKind, string> = {
  approve: 'Approved', reject: 'Rejected', correct: 'Corrected', escalate: 'Escalated', defer: 'Deferred',
  reclassify: 'Reclassified', note: 'Note added',
};
/**
 * Items the look-ahead holds with details beyond the shown one: keys paint from it while the core is busy (the
 * seconds after a first sync of many items, a sync page, a long commit), so it is deep enough to cover a stall of
 * several keys. Refills name the details already held (`known`), so a deep window costs one new detail per key.
 */
const LOOKAHEAD = 8;
const MAX_DETAILS = 64;

/** The departure a refused call names in its details (item_changed, not_found), else `gone`. */
function departureOfError(e: unknown): ItemDeparture {
  const d = e instanceof DeskCallError ? (e.details as { departure?: unknown } | undefined)?.departure : undefined;
  return (ITEM_DEPARTURES as readonly unknown[]).includes(d) ? (d as ItemDeparture) : 'gone';
}

export type TriageModel = ReturnType<typeof createTriage>;

export function createTriage(deps: TriageDeps) {
  const { desk } = deps;
  const depth = deps.lookahead ?? LOOKAHEAD;
  const store: StoreApi<TriageState> = createStore<TriageState>(() => ({
    current: null, loading: false, empty: false, departed: null, position: null, total: null, decided: 0,
  }));
  const serial = createSerial();
  const get = () => store.getState();

  // ---------- look-ahead: the next LOOKAHEAD ids in the core's order with details, and the one before ----------
  const details = new Map<string, ItemDetail>();
  /** Held details a sync may have changed: a refill brings them again (they are not `known` to the core). */
  const stale = new Set<string>();
  /** `of`: the focused item; `behind` undefined = not known yet. */
  const nav = { of: null as string | null, ahead: [] as string[], behind: undefined as string | null | undefined };
  let refilling = false;
  let refillAgain = false;
  let refillTimer: ReturnType<typeof setTimeout> | null = null;

  function remember(d: ItemDetail): void {
    details.delete(d.item.id);
    details.set(d.item.id, d);
    stale.delete(d.item.id);
    if (details.size <= MAX_DETAILS) return;
    const keep = new Set([nav.of, nav.behind, ...nav.ahead]);
    for (const id of details.keys()) {
      if (details.size <= MAX_DETAILS) break;
      if (keep.has(id)) continue;
      details.delete(id);
      stale.delete(id);
    }
  }

  async function fetchDetail(id: string): Promise<ItemDetail> {
    const d = await desk.call('item.get', { itemId: id });
    remember(d);
    return d;
  }

  /** Moves the focus to `id`: along the window (id = ahead[0]) the rest stays valid; `ahead` given replaces it. */
  function recentre(id: string, behind: string | null | undefined, ahead?: string[]): void {
    if (ahead) nav.ahead = ahead.filter((a) => a !== id).slice(0, depth);
    else if (nav.of !== null && nav.ahead[0] === id) nav.ahead = nav.ahead.slice(1);
    else if (nav.of !== id) nav.ahead = [];
    nav.of = id;
    nav.behind = behind;
  }

  /** The held, current details of the window's likely ids: the core leaves them out of its answer. */
  function knownIds(): string[] {
    return [...new Set([...nav.ahead, ...(nav.behind ? [nav.behind] : [])])].filter((id) => details.has(id) && !stale.has(id));
  }

  /** What a window refill asks for around the focus (triage.window, or a decision's thenWindow). */
  function windowAsk(): { ahead: number; behind: number; known: string[] } {
    return { ahead: depth, behind: 1, known: knownIds() };
  }

  /**
   * A window answer around `centre`, swapped in whole. An answer for a focus the reviewer has already left
   * (keys faster than the core's answers) still gives its details, and its ids after the new focus when they
   * reach further than the look-ahead left; false then: ask again for the new focus (position and total).
   */
  function takeWindow(centre: string, w: WindowOutput): boolean {
    for (const d of w.details) remember(d);
    if (nav.of !== centre) {
      const at = nav.of === null ? -1 : w.ahead.indexOf(nav.of);
      const further = at < 0 ? [] : w.ahead.slice(at + 1);
      if (further.length > nav.ahead.length && further.every((id) => details.has(id))) nav.ahead = further;
      return false;
    }
    nav.ahead = w.ahead.slice(0, depth);
    nav.behind = w.behind[0] ?? null;
    store.setState({ position: w.position, total: w.total });
    return true;
  }

  /**
   * One triage.window call per refill (issue 9 item 3), swapped in whole. An answer for a focus the
   * reviewer has already left (keys faster than the core's answers) still gives its details, and its ids
   * after the new focus when they reach further than the look-ahead left; then it is asked again for the
   * new focus (position and total).
   */
  async function refill(): Promise<void> {
    if (refilling) {
      refillAgain = true;
      return;
    }
    refilling = true;
    try {
      do {
        refillAgain = false;
        const centre = nav.of;
        if (!centre) return;
        const w = await desk.call('triage.window', { around: centre, ...windowAsk() });
        if (!takeWindow(centre, w)) refillAgain = true;
      } while (refillAgain);
    } finally {
      refilling = false;
    }
  }

  /** One rebuild per burst of sync events, not one per event. */
  function scheduleRefill(): void {
    if (refillTimer) return;
    refillTimer = setTimeout(() => {
      refillTimer = null;
      void refill().catch(() => undefined);
    }, deps.refillDelayMs ?? 250);
  }

  function forgetAll(): void {
    details.clear();
    stale.clear();
    nav.of = null;
    nav.ahead = [];
    nav.behind = undefined;
  }

  // ---------- the shown item ----------
  /** Bumped on every change of the shown item, so late answers for an old item are dropped. */
  let showSeq = 0;
  /**
   * The item the core was last told is focused (triage.open, a decision's thenOpen): a decision must follow its
   * open. On an ordered transport a decision's thenOpen counts from its send, as the next key's call may follow
   * it before the answer; an answer sets the focus only if no call that moves it was sent after it (focusSends).
   */
  let coreFocus: string | null = null;
  let focusSends = 0;
  function focusMovedTo(id: string | null): void {
    focusSends++;
    coreFocus = id;
  }

  function show(detail: ItemDetail | null, opts: { empty?: boolean } = {}): number {
    showSeq++;
    store.setState({ current: detail, loading: false, empty: detail === null && (opts.empty ?? false), departed: null });
    return showSeq;
  }

  /** Same item, nothing a reviewer would see changed: skip the re-render. */
  function sameView(a: ItemDetail | null, b: ItemDetail): boolean {
    return !!a && a.item.id === b.item.id && a.item.version === b.item.version && a.baseVersion === b.baseVersion && a.localState === b.localState && a.decisions.length === b.decisions.length && a.decisions.at(-1)?.state === b.decisions.at(-1)?.state;
  }

  function refreshShown(d: ItemDetail, seq: number): void {
    if (seq === showSeq && !sameView(get().current, d)) store.setState({ current: d });
  }

  /**
   * The focused item left under the reviewer: keep it on screen with the reason in place of the keys.
   * The next decision or move key acknowledges the notice instead of acting on another item.
   */
  function depart(itemId: string, departure: ItemDeparture, detail?: ItemDetail): void {
    const shown = get().current;
    const d = detail ?? details.get(itemId) ?? (shown?.item.id === itemId ? shown : null);
    details.delete(itemId);
    showSeq++;
    nav.of = itemId;
    nav.ahead = [];
    nav.behind = undefined;
    const guardMs = deps.noticeGuardMs ?? 600;
    const departed: Departed = {
      itemId, departure, armed: guardMs <= 0,
      text: departure === 'changed' ? `${DEPARTURE_TEXT.changed} Review it and decide again.` : DEPARTURE_TEXT[departure],
    };
    store.setState({ current: d, loading: false, empty: false, position: null, departed });
    if (!departed.armed) {
      setTimeout(() => {
        if (get().departed === departed) store.setState({ departed: { ...departed, armed: true } });
      }, guardMs);
    }
  }

  /** Why a detail the desk holds is no longer the reviewer's to decide, or null (an item decided here stays theirs). */
  function leftTheSet(d: ItemDetail): ItemDeparture | null {
    return d.localState === 'none' ? departureOf(d.item, deps.me() ?? d.item.assigneeId ?? '') : null;
  }

  /** A fresh detail of the shown item: still the reviewer's to decide, or gone from their set? */
  function adopt(d: ItemDetail, seq: number): void {
    if (seq !== showSeq) return;
    const left = leftTheSet(d);
    if (left) depart(d.item.id, left, d);
    else refreshShown(d, seq);
  }

  /**
   * Opens the item on the core (it becomes the focused item: its labor runs) when the triage view is
   * shown, else only reads it.
   */
  async function openOnCore(id: string): Promise<ItemDetail> {
    if (!deps.inTriage()) return desk.call('item.get', { itemId: id });
    const sentAs = ++focusSends;
    const d = await desk.call('triage.open', { itemId: id });
    if (sentAs === focusSends) coreFocus = id;
    return d;
  }

  /** Tells the core the item is focused (labor clock), refreshes its detail, refills the look-ahead. */
  function focusOnCore(id: string, seq: number): void {
    void serial(() => openOnCore(id))
      .then((d) => {
        remember(d);
        adopt(d, seq);
        return refill();
      })
      .catch((e) => {
        if (seq !== showSeq) return;
        if (errorCode(e) === 'not_found') depart(id, departureOfError(e));
        else deps.toast(`Could not open the item: ${errorMessage(e)}`, 'error');
      });
  }

  /** Shows an item, from the look-ahead at once when possible, and focuses it on the core. */
  async function openItem(id: string, behind?: string | null, ahead?: string[]): Promise<void> {
    recentre(id, behind, ahead);
    const cached = details.get(id);
    if (cached) {
      focusOnCore(id, show(cached));
      return;
    }
    store.setState({ loading: true, departed: null });
    const seq = ++showSeq;
    try {
      const d = await serial(() => openOnCore(id));
      remember(d);
      if (seq !== showSeq) return;
      show(d);
      // Read while another view was shown, and triage came back meanwhile: focus it now.
      if (deps.inTriage() && coreFocus !== id) focusOnCore(id, showSeq);
      void refill().catch(() => undefined);
    } catch (e) {
      if (seq === showSeq) store.setState({ loading: false });
      deps.toast(`Could not open the item: ${errorMessage(e)}`, 'error');
    }
  }

  /** The first-item load under way: boot starts it before the triage view mounts, and the view asks again. */
  let ensuring: Promise<void> | null = null;

  /**
   * Opens the first item of the assigned set when nothing is shown yet (entering triage). `first`: the set's
   * first item with its detail as boot read it (app.boot; null: nothing assigned then): shown at once, and
   * opened on the core after (as an item from the look-ahead is); undefined asks the core now.
   */
  function ensureItem(first?: ItemDetail | null): Promise<void> {
    if (get().current) return Promise.resolve();
    ensuring ??= loadFirstItem(first).finally(() => {
      ensuring = null;
    });
    return ensuring;
  }

  async function loadFirstItem(first?: ItemDetail | null): Promise<void> {
    store.setState({ loading: true });
    try {
      if (first) remember(first);
      const itemId = first !== undefined ? (first?.item.id ?? null) : (await serial(() => desk.call('triage.next', { fromItemId: null, direction: 'next' }))).itemId;
      if (get().current) return;
      if (itemId) await openItem(itemId);
      else show(null, { empty: true });
    } catch (e) {
      store.setState({ loading: false });
      deps.toast(`Could not load the queue: ${errorMessage(e)}`, 'error');
    }
  }

  /** The item after `id` in the assigned set, the first one when none follows, or the empty state. */
  async function advanceFrom(id: string): Promise<void> {
    try {
      const { itemId } = await desk.call('triage.next', { fromItemId: id, direction: 'next' });
      const next = itemId ?? (await desk.call('triage.next', { fromItemId: null, direction: 'next' })).itemId;
      if (get().current?.item.id !== id) return; // the reviewer went elsewhere meanwhile
      if (next && next !== id) await openItem(next);
      else show(null, { empty: true });
    } catch (e) {
      deps.toast(`Could not load the next item: ${errorMessage(e)}`, 'error');
    }
  }

  /**
   * The reviewer's key after a departure notice: it acts on the notice. A changed item stays (its fresh
   * version is on screen now); an item that left makes way for the next one. A key in the notice's first
   * moments is swallowed (`force`: a click on the notice's own button, which is deliberate).
   */
  function acknowledge(opts: { force?: boolean } = {}): Promise<void> {
    const dep = get().departed;
    if (!dep || (!dep.armed && !opts.force)) return Promise.resolve();
    store.setState({ departed: null });
    if (dep.departure === 'changed') {
      showSeq++;
      focusOnCore(dep.itemId, showSeq);
      return Promise.resolve();
    }
    return advanceFrom(dep.itemId);
  }

  /** j / k: the look-ahead neighbour when known, else ask the core. */
  async function moveItem(direction: 'next' | 'prev'): Promise<void> {
    if (get().departed) return acknowledge();
    const cur = get().current;
    if (!cur) return ensureItem();
    const id = cur.item.id;
    if (nav.of === id) {
      if (direction === 'next' && nav.ahead[0]) return openItem(nav.ahead[0], id);
      if (direction === 'prev' && nav.behind) {
        const ahead = [id, ...nav.ahead].slice(0, depth);
        return openItem(nav.behind, undefined, ahead);
      }
      if (direction === 'prev' && nav.behind === null) return; // the known start of the set
    }
    const { itemId } = await desk.call('triage.next', { fromItemId: id, direction });
    if (itemId && itemId !== id && get().current?.item.id === id) await openItem(itemId, direction === 'next' ? id : undefined);
  }

  /** The desk's version of `shown` when a refusal was only about its lease having been renewed, else null. */
  async function leaseOnlyVersion(e: unknown, shown: ItemDetail): Promise<number | null> {
    if (errorCode(e) !== 'item_changed' || departureOfError(e) !== 'changed') return null;
    const now = await desk.call('item.get', { itemId: shown.item.id }).catch(() => null);
    if (!now || now.localState !== 'none' || now.baseVersion === shown.baseVersion || leftTheSet(now) !== null) return null;
    return onlyLeaseChanged(shown.item, now.item) ? now.baseVersion : null;
  }

  /**
   * Decides the shown item (the version on screen) and shows the next one in the same frame when the
   * look-ahead has it. The guess stays on screen whatever the core names next: it is in the reviewer's
   * set (else its own decision is refused and explained), and swapping it would put a different item
   * under the reviewer's fingers. Refused because the item moved on: that item comes back with why.
   */
  async function decide<K extends DecisionKind>(kind: K, payload: DecisionPayload<K>): Promise<void> {
    if (get().departed) return acknowledge(); // the key acts on the notice, not on an item
    const cur = get().current;
    if (!cur) return;
    const itemId = cur.item.id;
    const shownVersion = cur.baseVersion;
    const advances = kind !== 'note';
    let seq = showSeq;
    let guessedId: string | null = null;
    let guessed: ItemDetail | undefined;
    if (advances) {
      const guess = nav.of === itemId ? nav.ahead[0] : undefined;
      guessed = guess ? details.get(guess) : undefined;
      details.delete(itemId);
      if (guessed) {
        guessedId = guessed.item.id;
        recentre(guessed.item.id, nav.behind);
      }
    }
    // The call leaves first, in this key's own task (an idle queue runs it at once), and the next item renders
    // after it: keypress -> decision durable does not wait for that render (issue 15 gap 2).
    const sent = serial(async (callsSent) => {
      const inTriage = deps.inTriage();
      // Deciding an item whose open the core has not been sent (a guess the core could not open): open it first
      // so its labor counts.
      if (coreFocus !== itemId && inTriage) {
        const openedAs = ++focusSends;
        await desk.call('triage.open', { itemId });
        if (openedAs === focusSends) coreFocus = itemId;
      }
      // The guess on screen is opened by the decision itself, which also answers the look-ahead window around
      // it: one call per key, not a decide, an open and a window.
      const opens = guessedId !== null && inTriage;
      const thenOpen = opens ? { thenOpen: guessedId, thenWindow: windowAsk() } : {};
      const send = (version: number, withOpen: boolean) => desk.call('triage.decide', { itemId, kind, payload, shownVersion: version, ...(withOpen ? thenOpen : {}) } as DecideInput);
      const sentAs = opens ? ++focusSends : focusSends;
      const startedAs = serial.started();
      const first = send(shownVersion, true);
      if (desk.ordered?.()) {
        // The core starts calls in the order sent: the next key's call may leave now, before this answer, and
        // count on the guess being the core's focused item (this decision opens it; a refusal is handled below).
        if (opens) coreFocus = guessedId;
        callsSent();
      }
      try {
        const answer = await first.catch(async (e: unknown) => {
          // Refused because the version moved on: if only the lease did (a re-claim by this reviewer), what
          // they decided on is what the desk holds now, and the decision is sent again for that version. Not when
          // a later key's command has started meanwhile (ordered transport): sent again now, it would reach the
          // core after that key's decision, and the undo of that key would take back this one. The refusal then
          // stands, as any refusal does once the reviewer moved on. (An undo waits for this answer: afterAnswers.)
          const renewed = await leaseOnlyVersion(e, cur);
          if (renewed === null || serial.started() !== startedAs) throw e;
          return send(renewed, sentAs === focusSends);
        });
        // Not opened (the cache no longer holds the guess): the decided item stays the core's focus.
        if (opens && sentAs === focusSends) coreFocus = answer.opened ? answer.opened.item.id : itemId;
        return answer;
      } catch (e) {
        // Refused: nothing was opened, the decided item is still the core's focus.
        if (opens && sentAs === focusSends) coreFocus = itemId;
        throw e;
      }
    });
    if (advances) {
      if (guessed) seq = show(guessed);
      else {
        seq = ++showSeq;
        store.setState({ loading: true });
      }
    }
    try {
      const out = await sent;
      if (out.opened) remember(out.opened);
      // Taken even when the reviewer moved on meanwhile: its details still serve the keys that follow.
      const windowTaken = out.window && guessedId ? takeWindow(guessedId, out.window) : false;
      // A defer says where the item went (issue 14 item 3): back to its queue, not to this reviewer for a while.
      const queue = deps.queueOf?.(cur.item.queueId) ?? cur.queue;
      const where = kind === 'defer' ? `, ${deferredWhereText(queue?.name ?? cur.item.queueId, out.deferCooldownMinutes)}` : '';
      deps.toast(`${PAST[kind]}: ${cur.item.title}${where}`, 'success', { undo: advances, whole: kind === 'defer' });
      if (advances) store.setState({ decided: get().decided + 1 });
      if (!advances) {
        if (seq === showSeq) refreshShown(await fetchDetail(itemId), seq);
        return;
      }
      if (seq !== showSeq) return; // the reviewer moved on meanwhile
      if (guessedId && out.opened?.item.id === guessedId) {
        adopt(out.opened, seq);
        if (!windowTaken) void refill().catch(() => undefined);
      } else if (guessedId) focusOnCore(guessedId, seq); // the core could not open it: triage.open says why
      else if (out.nextItemId === null) show(null, { empty: true });
      else await openItem(out.nextItemId, itemId);
    } catch (e) {
      const code = errorCode(e);
      const moved = code === 'item_changed' || code === 'not_found';
      const departure = moved ? departureOfError(e) : null;
      deps.toast(`${PAST[kind]} not done: ${departure && departure !== 'gone' ? DEPARTURE_TEXT[departure] : errorMessage(e)}`, 'error');
      if (seq !== showSeq) return; // the reviewer already went on (their next key decided the next item)
      if (moved) {
        if (code === 'item_changed' && departure === 'changed') {
          const fresh = await fetchDetail(itemId).catch(() => undefined);
          depart(itemId, 'changed', fresh);
        } else depart(itemId, departure ?? 'gone', cur);
        void refill().catch(() => undefined);
      } else if (code === 'conflict') await advanceFrom(itemId); // decided here already: nothing to show again
      else await openItem(itemId); // nothing was decided: bring it back
    }
  }

  /** The triage view was left (another view, the sign-in screen): no item is focused, labor stops. */
  function leaveTriage(): void {
    void serial(async () => {
      focusMovedTo(null);
      await desk.call('triage.close', {});
    }).catch(() => undefined); // signed out meanwhile: the core has nothing focused anyway
  }

  /** The triage view is shown again: the item on screen becomes the core's focused item again. */
  function enterTriage(): void {
    const { current, loading } = get();
    // While an item loads, its open focuses it (openItem checks the view when its answer lands).
    if (current && !loading) focusOnCore(current.item.id, showSeq);
  }

  /** A new core process (the old one died): it has no focused item and no look-ahead of ours. */
  function afterCoreRestart(): void {
    focusMovedTo(null);
    onQueueChanged('reset');
    if (deps.inTriage()) enterTriage();
  }

  async function undoLast(): Promise<void> {
    try {
      // After the answers of the keys before it: a decision refused and sent again is still the one to take back.
      const out = await serial(() => desk.call('triage.undo', {}), { afterAnswers: true });
      deps.undoOffersGone?.();
      if (!out.undone) {
        deps.toast('Nothing to undo: a synced defer cannot be reverted, and notes are not decisions', 'info');
        return;
      }
      const how = out.via === 'revert' ? ' (a revert was sent to the server)' : '';
      deps.toast(`Undid ${out.undone.kind}${how}`, 'info');
      if (out.undone.kind !== 'note') store.setState({ decided: Math.max(0, get().decided - 1) });
      details.delete(out.undone.itemId);
      nav.of = null;
      await openItem(out.undone.itemId);
    } catch (e) {
      deps.toast(`Undo failed: ${errorMessage(e)}`, 'error');
    }
  }

  /**
   * Server or sync changes: drop changed details, check the shown item is still the reviewer's (else
   * say so in place), and rebuild the look-ahead in the background so a key press meanwhile still
   * paints at once.
   */
  function onQueueChanged(reason: string, itemIds?: string[]): void {
    const cur = get().current;
    if (reason === 'signout') {
      focusMovedTo(null);
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
      // A changed neighbour keeps its old detail until the refill brings the new one: the fast path
      // stays open, and a decision on a stale copy is refused by version, not misapplied.
      for (const id of itemIds ?? []) {
        if (id !== cur?.item.id && !nav.ahead.includes(id) && nav.behind !== id) details.delete(id);
        else stale.add(id);
      }
    }
    if (cur) {
      const id = cur.item.id;
      const seq = showSeq;
      if (!itemIds || itemIds.includes(id)) {
        fetchDetail(id)
          .then((d) => adopt(d, seq))
          .catch((e) => {
            if (errorCode(e) === 'not_found' && seq === showSeq) depart(id, departureOfError(e));
          });
      }
      if (nav.of === null) {
        recentre(id, undefined);
        void refill().catch(() => undefined);
      } else scheduleRefill();
    } else if (get().empty) {
      store.setState({ empty: false });
      void ensureItem();
    }
  }

  return {
    store,
    openItem, ensureItem, moveItem, decide, undoLast, acknowledge,
    leaveTriage, enterTriage, afterCoreRestart, onQueueChanged,
    /** For tests: the look-ahead as it stands. */
    lookahead: () => ({ of: nav.of, ahead: [...nav.ahead], behind: nav.behind, cached: [...details.keys()] }),
    /** For tests: waits until queued commands have run. */
    settled: () => serial.settled(),
  };
}
