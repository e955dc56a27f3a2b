// An in-memory desk for renderer store tests: an assigned set in order, item versions, an outbox,
// and the core's refusal rules that the stores rely on (a decision names the version it was shown).
// Any call can be held (`hold`) so a test puts a sync exactly between a key press and its answer.
import type { DeskInput, DeskMethod, DeskOutput, ItemDetail } from '../../shared/desk-api';
import type { Item } from '../../shared/domain';
import { departureOf, type ItemChangedDetails, type ItemDeparture } from '../../shared/item-departure';
import { DeskCallError } from '../../renderer/desk/desk-error';
import { DEFER_COOLDOWN_MINUTES } from '../../shared/defer-policy';
import type { DeskCaller } from '../../renderer/state/triage-model';

export const ME = 'alice';

export function fakeItem(id: string, over: Partial<Item> = {}): Item {
  const t = '2026-11-28T08:00:00.000Z';
  return {
    id, source: 'erp', externalId: id, queueId: 'q1', workflow: 'wf', stage: 's', exceptionClass: 'confidence', title: `Item ${id}`,
    confidence: 0.5, reasons: [], input: {}, output: {}, status: 'leased', assigneeId: ME, assignmentEpoch: 1, leaseExpiresAt: null,
    version: 1, createdAt: t, enqueuedAt: t, slaDueAt: t, outcome: null, notes: [], escalation: null, ...over,
  } as Item;
}

interface Held {
  method: string;
  release: () => void;
}

export class FakeDesk implements DeskCaller {
  /** The assigned set, in triage order. */
  order: string[];
  items = new Map<string, Item>();
  /** Why removed items left (what the core remembers from pulls). */
  departures = new Map<string, ItemDeparture>();
  decided: { itemId: string; kind: string; shownVersion?: number }[] = [];
  calls: { method: string; input: unknown }[] = [];
  focused: string | null = null;
  /** Whether the store may send a call before the previous answer (an ordered transport); held calls answer in order. */
  orderedCalls = false;
  ordered(): boolean {
    return this.orderedCalls;
  }
  private holds = new Map<string, { count: number; queue: Held[] }>();
  private waiting: ((h: Held) => void)[] = [];

  constructor(ids: string[]) {
    this.order = [...ids];
    for (const id of ids) this.items.set(id, fakeItem(id));
  }

  /** The next `count` calls of `method` wait until released (see `held`). */
  hold(method: DeskMethod, count = 1): void {
    this.holds.set(method, { count, queue: [] });
  }
  /** Resolves with the next held call once it arrives. */
  held(): Promise<Held> {
    for (const h of this.holds.values()) {
      const first = h.queue.shift();
      if (first) return Promise.resolve(first);
    }
    return new Promise((r) => this.waiting.push(r));
  }

  // ---------- what a sync does on the core's side ----------
  reassign(id: string, to = 'bob'): void {
    const it = this.items.get(id)!;
    this.items.delete(id);
    this.order = this.order.filter((x) => x !== id);
    this.departures.set(id, 'reassigned');
    void it;
    void to;
  }
  change(id: string, over: Partial<Item> = {}): void {
    const it = this.items.get(id)!;
    this.items.set(id, { ...it, ...over, version: it.version + 1 });
  }
  insertAfter(afterId: string | null, id: string): void {
    this.items.set(id, fakeItem(id));
    const at = afterId ? this.order.indexOf(afterId) + 1 : 0;
    this.order.splice(at, 0, id);
  }

  private detail(id: string): ItemDetail {
    const item = this.items.get(id);
    if (!item) {
      const details: ItemChangedDetails = { itemId: id, departure: this.departures.get(id) ?? 'gone', currentVersion: null };
      throw new DeskCallError('item.get', { code: 'not_found', message: `item ${id} is not in this desk's cache`, details });
    }
    const pending = this.decided.some((d) => d.itemId === id && d.kind !== 'note');
    return { item, queue: null, localState: pending ? 'pending' : 'none', decisions: [], laborActiveMs: 0, baseVersion: item.version };
  }

  private inSet(): string[] {
    return this.order.filter((id) => !this.decided.some((d) => d.itemId === id && d.kind !== 'note'));
  }

  private neighbour(from: string | null, dir: 'next' | 'prev', wrap: boolean): string | null {
    const set = this.inSet();
    if (from === null || !this.order.includes(from)) return (dir === 'next' ? set[0] : set.at(-1)) ?? null;
    const pos = this.order.indexOf(from);
    const after = dir === 'next' ? this.order.slice(pos + 1).filter((id) => set.includes(id)) : this.order.slice(0, pos).filter((id) => set.includes(id)).reverse();
    if (after[0]) return after[0];
    if (!wrap) return null;
    const other = set[0] ?? null;
    return other === from ? null : other;
  }

  async call<M extends DeskMethod>(method: M, input: DeskInput<M>): Promise<DeskOutput<M>> {
    this.calls.push({ method, input });
    const h = this.holds.get(method);
    if (h && h.count > 0) {
      h.count--;
      await new Promise<void>((release) => {
        const held = { method, release };
        const w = this.waiting.shift();
        if (w) w(held);
        else h.queue.push(held);
      });
    }
    return this.answer(method, input) as DeskOutput<M>;
  }

  private answer(method: string, input: unknown): unknown {
    const i = input as Record<string, unknown>;
    switch (method) {
      case 'item.get':
        return this.detail(i.itemId as string);
      case 'triage.open': {
        const d = this.detail(i.itemId as string);
        this.focused = i.itemId as string;
        return d;
      }
      case 'triage.close':
        this.focused = null;
        return { ok: true };
      case 'triage.next':
        return { itemId: this.neighbour((i.fromItemId as string | null) ?? null, (i.direction as 'next' | 'prev') ?? 'next', false) };
      case 'triage.window': {
        const around = i.around as string | null;
        const set = this.inSet();
        const pos = around ? this.order.indexOf(around) : -1;
        const ahead = (pos < 0 ? set : this.order.slice(pos + 1).filter((id) => set.includes(id))).filter((id) => id !== around).slice(0, i.ahead as number);
        const behind = pos < 0 ? [] : this.order.slice(0, pos).filter((id) => set.includes(id)).reverse().slice(0, i.behind as number);
        const known = new Set((i.known as string[] | undefined) ?? []);
        return { ahead, behind, details: [...ahead, ...behind].filter((id) => !known.has(id)).map((id) => this.detail(id)), position: around && set.includes(around) ? set.indexOf(around) : null, total: set.length };
      }
      case 'triage.decide': {
        const itemId = i.itemId as string;
        const item = this.items.get(itemId);
        const shownVersion = i.shownVersion as number | undefined;
        if (shownVersion !== undefined) {
          const departure = item ? departureOf(item, ME) ?? (item.version !== shownVersion ? 'changed' : null) : this.departures.get(itemId) ?? 'gone';
          if (departure) {
            const details: ItemChangedDetails = { itemId, departure, currentVersion: item?.version ?? null };
            throw new DeskCallError(method, { code: 'item_changed', message: `refused: ${departure}`, details });
          }
        }
        if (!item) throw new DeskCallError(method, { code: 'not_found', message: 'gone' });
        const kind = i.kind as string;
        if (kind !== 'note' && !this.inSet().includes(itemId)) throw new DeskCallError(method, { code: 'conflict', message: 'decided here' });
        this.decided.push({ itemId, kind, shownVersion });
        // Like the core: `thenOpen` is opened (focused) with the decision when the cache holds it.
        const thenOpen = i.thenOpen as string | undefined;
        const opened = thenOpen !== undefined && this.items.has(thenOpen) ? this.detail(thenOpen) : undefined;
        if (opened) this.focused = thenOpen!;
        const thenWindow = i.thenWindow as Record<string, unknown> | undefined;
        const window = opened && thenWindow ? this.answer('triage.window', { around: thenOpen, ...thenWindow }) : undefined;
        return {
          mutationId: this.decided.length, itemId, kind, nextItemId: kind === 'note' ? itemId : this.neighbour(itemId, 'next', true),
          ...(kind === 'defer' ? { deferCooldownMinutes: DEFER_COOLDOWN_MINUTES } : {}),
          ...(opened ? { opened } : {}),
          ...(window ? { window } : {}),
        };
      }
      case 'triage.undo': {
        // Like the core: the last decision, passing over notes (they stay).
        const idx = this.decided.findLastIndex((d) => d.kind !== 'note');
        if (idx < 0) return { undone: null, via: 'none' };
        const [last] = this.decided.splice(idx, 1);
        return { undone: { itemId: last.itemId, kind: last.kind, mutationId: this.decided.length + 1 }, via: 'outbox' };
      }
      default:
        throw new DeskCallError(method, { code: 'unknown_method', message: method });
    }
  }

  decideCalls(): { itemId: string; shownVersion?: number }[] {
    return this.calls.filter((c) => c.method === 'triage.decide').map((c) => c.input as { itemId: string; shownVersion?: number });
  }
}
