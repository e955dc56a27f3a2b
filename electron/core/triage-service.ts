// Deciding, undoing and moving through the assigned set. A decision is ONE transaction (DESIGN §7):
// the outbox row, the visible item, and the closed labor segment are on disk before the UI moves on.
import type { z } from 'zod';
import type { DecideInput, DecideOutput, ItemDetail, UndoOutput, WindowOutput } from '../../shared/desk-api';
import { reasonNeedsComment } from '../../shared/reason-comment';
import { escalateRefusal, escalateRefusalText } from '../../shared/escalation';
import { reasonCodesFor } from '../../shared/reclassify-reasons';
import { DEPARTURE_TEXT, departureOf, type ItemChangedDetails, type ItemDeparture } from '../../shared/item-departure';
import { isOutcomeKind, type Item, type MutationKind } from '../../shared/domain';
import { commitRelaxed, type Db } from './cache-db';
import type { Clock } from './clock';
import type { EventBus } from './event-bus';
import type { ItemsRepo } from './items-repo';
import type { LaborClock } from './labor-clock';
import type { OutboxRepo } from './outbox-repo';
import { PUSH_AFTER_DECISION_MS, type SyncEngine } from './sync-engine';
import { DeskFailure } from './desk-failure';
import { HANDING_OFF_KINDS } from '../../shared/item-effects';
import { checkPayload } from './mutation-guard';
import { DEFER_COOLDOWN_MINUTES } from '../../shared/defer-policy';
import { traced } from './work-trace';

type Decide = z.output<typeof DecideInput>;
/** The cache's row of an item as ItemsRepo.get answers it (null: not in the cache). */
type HeldItem = ReturnType<ItemsRepo['get']>;


/** What triage uses, and nothing more (createHandlers wires it from the core's parts). */
export interface TriageDeps {
  db: Db;
  items: ItemsRepo;
  outbox: OutboxRepo;
  labor: LaborClock;
  clock: Clock;
  events: EventBus;
  /** After a write: push soon, and tell the renderer the new pending count. */
  sync: Pick<SyncEngine, 'kick' | 'emitStatus' | 'emitStatusSoon'>;
  /** Who decides: the signed-in user, or the cache's last user while offline; null when nobody is. */
  userId: () => string | null;
}

export class TriageService {
  constructor(private readonly c: TriageDeps) {}

  /** `got`: the item's rows when the caller has just read them (open, a decision's thenOpen): not read twice. */
  detail(itemId: string, got: HeldItem = this.c.items.get(itemId)): ItemDetail {
    if (!got) throw this.notHeld(itemId);
    return {
      item: got.item,
      queue: this.c.items.queue(got.item.queueId),
      localState: got.localState,
      decisions: this.c.outbox.decisionsFor(itemId),
      laborActiveMs: this.c.labor.activeMsFor(itemId),
      baseVersion: got.serverItem.version,
    };
  }

  open(itemId: string): ItemDetail {
    const got = this.c.items.get(itemId);
    if (!got) throw this.notHeld(itemId);
    // One commit for the segment split and the visit: this is on the keypress-to-next-item path, and the
    // renderer's next decision waits behind it, so it skips the fsync (the decision's commit makes it durable).
    commitRelaxed(this.c.db, () => this.c.db.transaction(() => this.c.labor.open(itemId))());
    return this.detail(itemId, got);
  }

  decide(input: Decide): DecideOutput {
    const me = this.requireUser();
    const { out, opened } = traced('decide.transaction', () => this.c.db.transaction(() => traced('decide.body', () => {
      // One read of the item serves both checks and the write (a decision is on the keypress path).
      const got = this.c.items.get(input.itemId);
      this.requireShown(me, input, got);
      const mutationId = this.record(me, input.itemId, input.kind, input.payload as Record<string, unknown>, got);
      const handsOff = HANDING_OFF_KINDS.includes(input.kind);
      const nextItemId = handsOff ? this.c.items.neighbour(input.itemId, 'next', true) : input.itemId;
      // A defer answers the cooldown that applies (the queue's, else the default): the one rule, said once, here.
      const cooldown = input.kind === 'defer' && got ? (this.c.items.queue(got.item.queueId)?.deferCooldownMinutes ?? DEFER_COOLDOWN_MINUTES) : undefined;
      // Last, once nothing can refuse the decision: its rollback would leave the labor clock focused on an
      // item whose segment row was never written.
      const opened = this.openAfterDecision(input.thenOpen);
      const out: DecideOutput = { mutationId, itemId: input.itemId, kind: input.kind, nextItemId, ...(cooldown === undefined ? {} : { deferCooldownMinutes: cooldown }) };
      return { out, opened };
    }))());
    traced('decide.after', () => this.afterWrite('decision', [input.itemId]));
    if (opened === undefined) return out;
    const w = input.thenWindow;
    return { ...out, opened: this.detail(opened.id, opened.got), ...(w ? { window: traced('decide.window', () => this.window(opened.id, w.ahead, w.behind, w.known)) } : {}) };
  }

  /**
   * The item the renderer shows after a decision, opened in the decision's transaction (triage.open's work,
   * on the same commit): its id and rows, or undefined when none was asked or the cache does not hold it
   * (the renderer then opens it itself with triage.open, which says why it cannot).
   */
  private openAfterDecision(itemId: string | undefined): { id: string; got: NonNullable<HeldItem> } | undefined {
    if (itemId === undefined) return undefined;
    const got = this.c.items.get(itemId);
    if (!got) return undefined;
    this.c.labor.open(itemId);
    return { id: itemId, got };
  }

  bulkApprove(itemIds: string[]): { decided: { itemId: string; mutationId: number }[]; skipped: { itemId: string; reason: string }[] } {
    const me = this.requireUser();
    const decided: { itemId: string; mutationId: number }[] = [];
    const skipped: { itemId: string; reason: string }[] = [];
    this.c.db.transaction(() => {
      for (const itemId of new Set(itemIds)) {
        try {
          decided.push({ itemId, mutationId: this.record(me, itemId, 'approve', {}) });
        } catch (e) {
          if (!(e instanceof DeskFailure)) throw e;
          skipped.push({ itemId, reason: e.message });
        }
      }
    })();
    if (decided.length) this.afterWrite('decision', decided.map((d) => d.itemId));
    return { decided, skipped };
  }

  /**
   * Undo the reviewer's last standing decision: still unsent, it leaves the outbox (its labor goes back to
   * the item); already sent, an outcome is taken back with a `revert` mutation. A revert that is itself
   * still unsent is simply removed (so z twice is a no-op).
   */
  undo(): UndoOutput {
    const me = this.requireUser();
    const res = this.c.db.transaction((): UndoOutput => {
      const last = this.c.outbox.last();
      if (!last) return { undone: null, via: 'none' };
      const undone = { itemId: last.item_id, kind: last.kind, mutationId: last.mutation_id };
      if (last.state === 'pending') {
        this.c.outbox.delete(last.mutation_id);
        const labor = last.labor_json ? (JSON.parse(last.labor_json) as { openedAt: string }) : null;
        if (labor) this.c.labor.giveBack(last.item_id, last.mutation_id, labor.openedAt);
        this.c.items.recompute(last.item_id);
        return { undone, via: 'outbox' };
      }
      // The server can take back an outcome or an escalation (DESIGN §2 revert); defers and notes stand.
      if (!isOutcomeKind(last.kind) && last.kind !== 'escalate') return { undone: null, via: 'none' };
      const server = this.c.items.get(last.item_id)?.serverItem;
      if (!server) return { undone: null, via: 'none' };
      // A revert names the lease the decision was made under (already final: the decision was sent).
      this.c.outbox.insert({
        kind: 'revert', itemId: last.item_id, baseVersion: server.version, assignmentEpoch: last.assignment_epoch,
        at: this.c.clock.now().toISOString(), labor: null, payload: {}, userId: me, needsRebase: false,
      });
      this.c.items.recompute(last.item_id);
      return { undone, via: 'revert' };
    })();
    if (res.undone) this.afterWrite('undo', [res.undone.itemId]);
    return res;
  }

  /**
   * The item on screen is the item decided (issue 8 item 1): a decision that names the version it was
   * shown is refused when the desk's copy moved on since (a sync reassigned, resolved, withdrew or
   * changed it) or the item left the assigned set. Nothing is written; the details say why.
   */
  private requireShown(me: string, input: Decide, got: HeldItem | null): void {
    if (input.shownVersion === undefined) return;
    const refuse = (departure: ItemDeparture, currentVersion: number | null): never => {
      const details: ItemChangedDetails = { itemId: input.itemId, departure, currentVersion };
      throw new DeskFailure('item_changed', `${DEPARTURE_TEXT[departure]} Nothing was decided (item ${input.itemId}).`, details);
    };
    if (!got) return refuse(this.c.items.departure(input.itemId) ?? 'gone', null);
    // Compared with the server's copy: this desk's own unsettled decisions (a note just added) are part of
    // what the reviewer saw, not a change under them. An item decided here fails record()'s own check.
    const { version } = got.serverItem;
    const left = got.localState === 'pending' ? null : departureOf(got.item, me);
    if (left) return refuse(left, version);
    if (version !== input.shownVersion) return refuse('changed', version);
  }

  /** The look-ahead window for the renderer: ids around the focused item and the details it does not hold yet, in one call. */
  window(around: string | null, ahead: number, behind: number, known: readonly string[] = []): WindowOutput {
    const w = this.c.items.window(around, ahead, behind);
    const held = new Set(known);
    const details: ItemDetail[] = [];
    for (const id of [...w.ahead, ...w.behind]) if (!held.has(id)) details.push(this.detail(id));
    return { ...w, details };
  }

  next(fromItemId: string | null, direction: 'next' | 'prev'): string | null {
    return this.c.items.neighbour(fromItemId, direction, false);
  }

  /** Resubmit a conflicted decision against the server's current item (the reviewer or owner chose to). */
  resubmit(conflictId: number): void {
    const me = this.requireUser();
    this.c.db.transaction(() => {
      const cf = this.c.outbox.conflict(conflictId);
      if (!cf) throw new DeskFailure('not_found', `no open conflict ${conflictId}`);
      const server: Item | null = this.c.items.get(cf.itemId)?.serverItem ?? cf.serverItem;
      if (!server) throw new DeskFailure('conflict', 'the server no longer shows this item to you; it can only be discarded');
      if (!this.c.items.get(cf.itemId)) this.c.items.putServerCopy(server);
      this.c.outbox.insert({
        kind: cf.kind, itemId: cf.itemId, baseVersion: server.version, assignmentEpoch: server.assignmentEpoch,
        at: this.c.clock.now().toISOString(), labor: cf.laborJson ? JSON.parse(cf.laborJson) : null, payload: cf.payload,
        userId: me, needsRebase: this.c.outbox.hasUnsettledEpochChange(cf.itemId),
      });
      this.c.outbox.resolveConflict(conflictId, this.c.clock.now().toISOString(), 'resubmit');
      this.c.items.recompute(cf.itemId);
    })();
    this.afterWrite('conflict', []);
  }

  discard(conflictId: number): void {
    let itemId = '';
    this.c.db.transaction(() => {
      const cf = this.c.outbox.conflict(conflictId);
      if (!cf) throw new DeskFailure('not_found', `no open conflict ${conflictId}`);
      itemId = cf.itemId;
      this.c.outbox.resolveConflict(conflictId, this.c.clock.now().toISOString(), 'discard');
      this.c.items.recompute(cf.itemId);
    })();
    this.c.events.emit('queue.changed', { reason: 'conflict', itemIds: [itemId] });
    this.c.sync.emitStatus();
  }

  /** Validates and writes one mutation with its labor; throws DeskFailure when it cannot apply. */
  private record(me: string, itemId: string, kind: MutationKind, payload: Record<string, unknown>, held?: HeldItem | null): number {
    const got = held === undefined ? this.c.items.get(itemId) : held;
    if (!got) throw new DeskFailure('not_found', `item ${itemId} is not in this desk's cache`);
    if (kind !== 'note' && !this.c.items.isInTriage(got.item)) {
      throw new DeskFailure('conflict', `item ${itemId} is not open in your assigned set (it is ${got.item.status}${got.localState === 'pending' ? ', decided here' : ''}); undo first or pick another item`);
    }
    // Before any labor is taken: a payload the server would refuse must never reach the outbox.
    checkPayload(kind, payload);
    if (kind === 'escalate') {
      const queue = this.c.items.queue(got.item.queueId);
      const refusal = escalateRefusal(queue, got.item.status, me);
      if (refusal) throw new DeskFailure('bad_input', escalateRefusalText(refusal, queue?.name ?? got.item.queueId));
    }
    const reasonCode = payload.reasonCode;
    if (typeof reasonCode === 'string') {
      const queue = this.c.items.queue(got.item.queueId);
      // A reclassify has reasons of its own (shared/reclassify-reasons.ts); the rest use the queue's.
      const allowed = queue || kind === 'reclassify' ? reasonCodesFor(kind, queue?.reasonCodes ?? []) : null;
      if (allowed && !allowed.some((r) => r.code === reasonCode)) {
        const whose = kind === 'reclassify' ? 'a reason to reclassify' : `one of queue ${queue?.name}'s`;
        throw new DeskFailure('bad_input', `reason code '${reasonCode}' is not ${whose}: ${allowed.map((r) => r.code).join(', ')}`);
      }
      const reason: { code: string; label?: string } = allowed?.find((r) => r.code === reasonCode) ?? { code: reasonCode };
      if (reasonNeedsComment(reason) && !(typeof payload.comment === 'string' && payload.comment.trim())) {
        throw new DeskFailure('bad_input', `reason '${reason.label ?? reasonCode}' needs a comment saying what is wrong`);
      }
    }
    const previous = this.c.outbox.lastOnItem(itemId);
    const rework = previous?.kind === 'revert';
    const mutationId = this.c.outbox.nextId();
    const now = this.c.clock.now();
    const labor = this.c.labor.takeForDecision(itemId, mutationId, now, rework);
    const id = this.c.outbox.insert({
      kind, itemId, baseVersion: got.serverItem.version, assignmentEpoch: got.serverItem.assignmentEpoch,
      at: now.toISOString(), labor, payload, userId: me, needsRebase: this.c.outbox.hasUnsettledEpochChange(itemId),
    }, mutationId);
    // The server copy read above is still current: nothing in this transaction changed it.
    this.c.items.recompute(itemId, got);
    return id;
  }

  /** not_found, saying why when a pull removed the item (details: ItemChangedDetails). */
  private notHeld(itemId: string): DeskFailure {
    const details: ItemChangedDetails = { itemId, departure: this.c.items.departure(itemId) ?? 'gone', currentVersion: null };
    return new DeskFailure('not_found', `item ${itemId} is not in this desk's cache`, details);
  }

  private afterWrite(reason: 'decision' | 'undo' | 'conflict', itemIds: string[]): void {
    this.c.events.emit('queue.changed', { reason, itemIds });
    this.c.sync.emitStatusSoon();
    this.c.sync.kick(PUSH_AFTER_DECISION_MS);
  }

  private requireUser(): string {
    const id = this.c.userId();
    if (!id) throw new DeskFailure('not_signed_in', 'sign in before deciding items');
    return id;
  }
}
