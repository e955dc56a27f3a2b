// When escalate is not a choice (issue 14 item 11). Escalating sends an item to its queue's owner: the
// owner escalating their own item would send it to themself, and an escalated item is already with the
// owner. The desk does not offer the key then (and says why when it is pressed), the core refuses it,
// and the server answers `invalid_transition`: one rule, three places that ask it. Zod-free.

export type EscalateRefusal = 'own_queue' | 'already_escalated';

/** Why `userId` may not escalate an item of `queue` in `status`; null when they may. */
export function escalateRefusal(queue: { ownerId: string } | null | undefined, status: string, userId: string | null): EscalateRefusal | null {
  if (queue && userId !== null && queue.ownerId === userId) return 'own_queue';
  if (status === 'escalated') return 'already_escalated';
  return null;
}

/** The refusal in the reviewer's words. */
export function escalateRefusalText(refusal: EscalateRefusal, queueName: string): string {
  return refusal === 'own_queue'
    ? `You own ${queueName}: escalating would send it to you. Decide it yourself.`
    : `Already escalated to the owner of ${queueName}.`;
}
