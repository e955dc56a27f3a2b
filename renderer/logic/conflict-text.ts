// What a conflict means, in words, from its stable result code (shared/central-api.ts). The server's own
// message is shown beside it; these say what happened and what the reviewer can still do.
import type { Conflict } from '../../shared/desk-api';

const HEADLINES: Record<Conflict['code'], string> = {
  ok: 'The server applied this decision.',
  reassigned: 'A supervisor gave this item to someone else before your decision arrived.',
  resolved_elsewhere: 'The item was already decided (by someone else, or from another desk).',
  lease_expired: 'Your lease ran out before your decision arrived; the item went back to its queue.',
  stale_epoch: 'The lease you decided under had already ended.',
  withdrawn: 'The producer withdrew the item.',
  unknown_item: 'The server has no such item.',
  not_assigned: 'The item was not leased to you when you decided it.',
  unknown_reason_code: 'The reason code is not one of the queue’s reason codes.',
  invalid_transition: 'This decision does not apply to the item in its current state.',
  nothing_to_revert: 'There was nothing left to revert.',
  client_diverged: 'This desk and the server disagree about your earlier decisions on the item.',
  limit_exceeded: 'The item already holds as much as the server accepts (for example, its most notes).',
  payload_hash_mismatch: 'The server could not verify this decision’s content (its hash did not match).',
  malformed: 'The server refused this decision as malformed, so it was set aside for later decisions to sync; it never reached the server.',
};

const MOVED_AWAY = new Set<Conflict['code']>(['reassigned', 'stale_epoch', 'not_assigned', 'resolved_elsewhere']);

export function conflictHeadline(code: Conflict['code']): string {
  return HEADLINES[code] ?? 'The server did not apply this decision.';
}

/**
 * The server column when the server sent no item: it hides items that are no longer yours, so say why it
 * is empty and that only discarding is left (the core refuses to resubmit without the server's item).
 */
export function hiddenServerItemText(code: Conflict['code']): string {
  if (code === 'unknown_item') return 'The server has no item with this id, so there is nothing to show or to resubmit against.';
  if (code === 'withdrawn') return 'The producer withdrew the item and the server no longer shows it to you.';
  if (code === 'lease_expired') {
    return 'Your lease ran out before this decision reached the server, and the item went back to its queue, so the server no longer shows it to you. If it is leased to you again, the desk resubmits this decision by itself, with its labor; otherwise discard it.';
  }
  if (MOVED_AWAY.has(code)) {
    return 'The item now belongs to someone else, so the server no longer shows it to you. Your decision cannot be applied; discard it to clear the inbox.';
  }
  return 'The server no longer shows this item to you. Your decision cannot be applied; discard it to clear the inbox.';
}

/** Resubmitting needs the server's current item (its version and lease) to decide against. */
export function canResubmit(conflict: Pick<Conflict, 'serverItem'>): boolean {
  return conflict.serverItem !== null;
}
