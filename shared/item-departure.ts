// Why an item the reviewer was looking at is no longer theirs to decide (issue 8 item 1: the item on
// screen is the item decided). The core names it when it refuses a decision (`item_changed`), the
// renderer names it when a sync takes the focused item away; both read it from here.
//
// Zod-free on purpose: the renderer imports these values at run time and must not pull zod into its
// bundle (the schema in desk-api.ts is built from ITEM_DEPARTURES).

import { holdsAssignment } from './item-effects';

export const ITEM_DEPARTURES = ['reassigned', 'resolved_elsewhere', 'withdrawn', 'lease_expired', 'changed', 'gone'] as const;
export type ItemDeparture = (typeof ITEM_DEPARTURES)[number];

/** The fields of an item that say whose it is; structurally the shared Item. */
interface Ownership {
  status: string;
  assigneeId: string | null;
}

/**
 * Why `item` (the desk's current copy) is not in `me`'s assigned set, or null when it still is.
 * `null` item: the desk no longer holds it at all (the removal reason, when known, is better).
 */
export function departureOf(item: Ownership | null, me: string): ItemDeparture | null {
  if (!item) return 'gone';
  if (item.status === 'resolved') return 'resolved_elsewhere';
  if (item.status === 'withdrawn') return 'withdrawn';
  if (item.assigneeId !== null && item.assigneeId !== me) return 'reassigned';
  if (item.status === 'open' || item.assigneeId === null) return 'lease_expired';
  if (holdsAssignment(item.status)) return null;
  return 'changed';
}

/** A pull removal's reason as a departure (`decided`/`escalated`/`deferred` on another desk: gone from here). */
export function departureFromRemoval(reason: string): ItemDeparture {
  if (reason === 'reassigned' || reason === 'resolved_elsewhere' || reason === 'withdrawn' || reason === 'lease_expired') return reason;
  return 'gone';
}

/** What the desk says in place of the decision keys when the shown item left. */
export const DEPARTURE_TEXT: Record<ItemDeparture, string> = {
  reassigned: 'This item was reassigned to someone else.',
  resolved_elsewhere: 'This item was resolved elsewhere.',
  withdrawn: 'This item was withdrawn by its source.',
  lease_expired: 'Your lease on this item expired; it went back to the queue.',
  changed: 'This item changed while you were reading it.',
  gone: 'This item is no longer in your assigned set.',
};

/** Details of a desk `item_changed` refusal (validated by `ItemChangedDetails` in desk-api.ts). */
export interface ItemChangedDetails {
  itemId: string;
  departure: ItemDeparture;
  /** The version the desk holds now; null when it no longer holds the item. */
  currentVersion: number | null;
}
