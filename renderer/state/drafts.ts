// Typed work is never thrown away by a key (issue 14 item 2): each item keeps a draft of its half-typed
// note, correction and reason comment ("Other (explain in a comment)") until it is saved or the reviewer discards it. Esc (or a press outside) closes
// the editor and keeps the draft; opening the same editor on the same item restores it. Drafts live in
// this window's memory, bounded (the oldest are dropped first), never sent anywhere.
import { createStore, type StoreApi } from 'zustand/vanilla';

/** A correction in progress: only the fields the reviewer changed (path label -> text), and the comment. */
export interface CorrectDraft {
  texts: Record<string, string>;
  comment: string;
}

export interface ItemDrafts {
  note?: string;
  correct?: CorrectDraft;
  /** Comments typed for a picked reason, by `<picker>:<reason code>` (reject and escalate "Other", …). */
  reason?: Record<string, string>;
}

export type DraftKind = keyof ItemDrafts;

export interface DraftsState {
  /** Item id -> its drafts; insertion order is recency (the oldest first). */
  byItem: Record<string, ItemDrafts>;
}

export const DRAFTS_KEPT = 200;

/** Whether a draft holds anything worth keeping (blank text is nothing). */
export function draftHasWork(kind: DraftKind, value: ItemDrafts[DraftKind] | undefined): boolean {
  if (value === undefined) return false;
  if (kind === 'note') return typeof value === 'string' && value.trim() !== '';
  if (kind === 'reason') return Object.values(value as Record<string, string>).some((t) => t.trim() !== '');
  const d = value as CorrectDraft;
  return Object.keys(d.texts).length > 0 || d.comment.trim() !== '';
}

export type Drafts = ReturnType<typeof createDrafts>;

export function createDrafts(limit = DRAFTS_KEPT) {
  const store: StoreApi<DraftsState> = createStore<DraftsState>(() => ({ byItem: {} }));

  function get<K extends DraftKind>(itemId: string, kind: K): ItemDrafts[K] | undefined {
    return store.getState().byItem[itemId]?.[kind];
  }

  /** Keeps (or, when it holds nothing, drops) the item's draft of this kind; the item becomes the newest. */
  function put<K extends DraftKind>(itemId: string, kind: K, value: ItemDrafts[K] | undefined): void {
    store.setState((s) => {
      const { [itemId]: mine = {}, ...others } = s.byItem;
      const next: ItemDrafts = { ...mine };
      if (draftHasWork(kind, value)) next[kind] = value;
      else delete next[kind];
      const byItem: Record<string, ItemDrafts> = others;
      if (Object.keys(next).length > 0) byItem[itemId] = next;
      const ids = Object.keys(byItem);
      for (const old of ids.slice(0, Math.max(0, ids.length - limit))) delete byItem[old];
      return { byItem };
    });
  }

  function clear(itemId: string, kind: DraftKind): void {
    if (get(itemId, kind) !== undefined) put(itemId, kind, undefined);
  }

  /** The comment typed for one reason of one picker on this item (drafts of other reasons stay as they are). */
  function getReason(itemId: string, key: string): string | undefined {
    return get(itemId, 'reason')?.[key];
  }
  function putReason(itemId: string, key: string, text: string): void {
    const { [key]: _old, ...others } = get(itemId, 'reason') ?? {};
    put(itemId, 'reason', text.trim() ? { ...others, [key]: text } : others);
  }

  /** The kinds of draft an item holds (for the "draft kept" marks). */
  function kinds(itemId: string): DraftKind[] {
    const d = store.getState().byItem[itemId];
    return d ? (Object.keys(d) as DraftKind[]) : [];
  }

  return { store, get, put, clear, kinds, getReason, putReason };
}

/** This window's drafts. */
export const drafts = createDrafts();
