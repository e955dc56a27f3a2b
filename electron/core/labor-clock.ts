// The labor clock (DESIGN §6): active review time per item from a monotonic clock.
// A segment runs while the item is focused in triage, the window is focused and visible, the screen is
// not locked, the machine not suspended, and there was input within the idle threshold. Idleness ends
// the segment at the LAST INPUT, not when it is noticed; a segment never exceeds the cap; the open
// segment is checkpointed so a crash loses at most one checkpoint interval.
import type { Labor } from '../../shared/domain';
import type { LaborSignal } from '../../shared/desk-api';
import type { Clock } from './clock';

export interface LaborStore {
  startSegment(itemId: string, startedAt: string): number;
  checkpoint(segmentId: number, activeMs: number): void;
  closeSegment(segmentId: number, activeMs: number): void;
  /** First open of the item since its last decision (kept if already recorded). */
  recordVisit(itemId: string, openedAt: string): void;
  /** Attach the item's closed, unconsumed segments to a mutation and forget the visit. */
  consume(itemId: string, mutationId: number): { activeMs: number; segments: number; openedAt: string | null };
  /** Undo of an unsent decision: its segments belong to the item again. */
  release(mutationId: number, itemId: string, openedAt: string): void;
  /** Active ms of the item's unconsumed segments, excluding the one with `openSegmentId`. */
  unconsumedMs(itemId: string, openSegmentId: number | null): number;
  /** After a crash: segments left open keep their last checkpoint and close. */
  closeAbandoned(): number;
}

export interface LaborClockOptions {
  clock: Clock;
  store: LaborStore;
  idleThresholdMs: (itemId: string) => number;
  capMs?: number;
  checkpointMs?: number;
}

interface OpenSegment {
  id: number;
  itemId: string;
  startMs: number;
}

export const DEFAULT_CAP_MS = 30 * 60_000;
export const DEFAULT_CHECKPOINT_MS = 3_000;

export class LaborClock {
  private focusedItem: string | null = null;
  private windowFocused = true;
  private locked = false;
  private suspended = false;
  private hidden = false;
  private lastInputMs = Number.NEGATIVE_INFINITY;
  /** After a cap, only fresh input starts a new segment. */
  private waitForInput = false;
  private seg: OpenSegment | null = null;
  private readonly capMs: number;
  readonly checkpointMs: number;

  constructor(private readonly opts: LaborClockOptions) {
    this.capMs = opts.capMs ?? DEFAULT_CAP_MS;
    this.checkpointMs = opts.checkpointMs ?? DEFAULT_CHECKPOINT_MS;
    opts.store.closeAbandoned();
  }

  get focusedItemId(): string | null {
    return this.focusedItem;
  }
  get running(): boolean {
    return this.seg !== null;
  }

  /** triage.open: the item becomes the focused one; opening is input. Switching items splits. */
  open(itemId: string): void {
    const t = this.opts.clock.monotonicMs();
    this.advance(t);
    if (this.seg && this.seg.itemId !== itemId) this.endSegment(t);
    this.focusedItem = itemId;
    this.opts.store.recordVisit(itemId, this.opts.clock.now().toISOString());
    this.input(t);
  }

  /** The triage view closed (another view shown) or the item left the cache. */
  unfocus(): void {
    const t = this.opts.clock.monotonicMs();
    this.advance(t);
    if (this.seg) this.endSegment(t);
    this.focusedItem = null;
  }

  signal(signal: LaborSignal['signal']): void {
    const t = this.opts.clock.monotonicMs();
    this.advance(t);
    switch (signal) {
      case 'input': this.input(t); return;
      case 'blur': this.windowFocused = false; break;
      case 'focus': this.windowFocused = true; break;
      case 'lock': this.locked = true; break;
      case 'unlock': this.locked = false; break;
      case 'suspend': this.suspended = true; break;
      case 'resume': this.suspended = false; break;
      case 'hidden': this.hidden = true; break;
      case 'visible': this.hidden = false; break;
    }
    if (!this.canRun() && this.seg) this.endSegment(t);
    this.maybeStart(t);
  }

  /** Timer: notice idleness and caps, checkpoint the open segment. */
  tick(): void {
    const t = this.opts.clock.monotonicMs();
    this.advance(t);
    if (this.seg) this.opts.store.checkpoint(this.seg.id, this.clampActive(t - this.seg.startMs));
  }

  /**
   * A decision on `itemId` at `decidedAt`: close its segment, hand over its labor, and (as the decision
   * was a keypress) let note-taking on the still-focused item start a new segment at once.
   */
  takeForDecision(itemId: string, mutationId: number, decidedAt: Date, rework: boolean): Labor {
    const t = this.opts.clock.monotonicMs();
    this.advance(t);
    if (this.seg && this.seg.itemId === itemId) this.endSegment(t);
    const taken = this.opts.store.consume(itemId, mutationId);
    const decided = decidedAt.toISOString();
    const openedAt = taken.openedAt ?? decided;
    const wallMs = Math.max(taken.activeMs, decidedAt.getTime() - Date.parse(openedAt));
    if (this.focusedItem === itemId) {
      this.opts.store.recordVisit(itemId, decided);
      this.input(t);
    }
    return { activeMs: taken.activeMs, idleMs: Math.max(0, wallMs - taken.activeMs), wallMs, segments: taken.segments, openedAt, decidedAt: decided, rework };
  }

  /** Undo of an unsent decision: the labor goes back to the item. */
  giveBack(itemId: string, mutationId: number, openedAt: string): void {
    this.opts.store.release(mutationId, itemId, openedAt);
  }

  activeMsFor(itemId: string): number {
    const t = this.opts.clock.monotonicMs();
    this.advance(t);
    const live = this.seg && this.seg.itemId === itemId ? this.clampActive(t - this.seg.startMs) : 0;
    return this.opts.store.unconsumedMs(itemId, this.seg?.itemId === itemId ? this.seg.id : null) + live;
  }

  /** Shutdown: close the open segment now. */
  close(): void {
    const t = this.opts.clock.monotonicMs();
    this.advance(t);
    if (this.seg) this.endSegment(t);
  }

  private input(t: number): void {
    this.lastInputMs = t;
    this.waitForInput = false;
    this.maybeStart(t);
  }

  private canRun(): boolean {
    return this.focusedItem !== null && this.windowFocused && !this.locked && !this.suspended && !this.hidden;
  }

  private maybeStart(t: number): void {
    if (this.seg || !this.canRun() || this.waitForInput) return;
    if (t - this.lastInputMs > this.opts.idleThresholdMs(this.focusedItem!)) return;
    const itemId = this.focusedItem!;
    this.seg = { id: this.opts.store.startSegment(itemId, this.opts.clock.now().toISOString()), itemId, startMs: t };
  }

  /** Ends the open segment retroactively when idleness or the cap came before `t`. */
  private advance(t: number): void {
    if (!this.seg) return;
    const idleAt = this.lastInputMs + this.opts.idleThresholdMs(this.seg.itemId);
    const capAt = this.seg.startMs + this.capMs;
    if (t > idleAt || t >= capAt) {
      const idleEnd = Math.max(this.lastInputMs, this.seg.startMs);
      const end = t > idleAt ? Math.min(idleEnd, capAt) : capAt;
      if (end === capAt && !(t > idleAt && idleEnd < capAt)) this.waitForInput = true;
      this.endSegment(end);
    }
  }

  private endSegment(endMs: number): void {
    const seg = this.seg!;
    this.seg = null;
    this.opts.store.closeSegment(seg.id, this.clampActive(endMs - seg.startMs));
  }

  private clampActive(ms: number): number {
    return Math.max(0, Math.min(this.capMs, Math.round(ms)));
  }
}
