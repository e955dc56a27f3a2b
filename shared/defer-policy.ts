// What defer does (issue 14 item 3): the item goes back to its queue for someone else, and does not come
// back to the reviewer who deferred it before a cooldown has passed (if nobody else took it by then, it
// comes back). The server's claim keeps the cooldown; the desk says where the item went. Zod-free.

/** Minutes a deferred item stays away from the reviewer who deferred it (the default queue policy). */
export const DEFER_COOLDOWN_MINUTES = 30;
/** Bounds of a queue's own cooldown: 0 (a deferred item may come straight back) to a day. */
export const DEFER_COOLDOWN_MIN_MINUTES = 0;
export const DEFER_COOLDOWN_MAX_MINUTES = 1440;

/** Where a deferred item went, in the reviewer's words. */
export function deferredWhereText(queueName: string, cooldownMinutes = DEFER_COOLDOWN_MINUTES): string {
  return `back to ${queueName} for someone else; not yours again for ${cooldownMinutes} min`;
}
