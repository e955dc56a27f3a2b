// What a fault test asked the core to decide, and what it knows came back. Every decision carries a unique
// tag (in its comment, or as a note's text) so it can be found again on the server whatever mutation id the
// core gave it, even when the core was killed before it answered.
import type { DeskInput } from '../../shared/desk-api';
import type { MutationKind } from '../../shared/domain';

export interface DecisionAttempt {
  tag: string;
  itemId: string;
  kind: MutationKind;
  /** The core answered ok: the decision is committed locally (DESIGN §7: on disk before the UI moves on). */
  acked: boolean;
  mutationId: number | null;
  /** Which life of the core made it (bumped on every restart). */
  life: number;
  /**
   * Taken back with triage.undo: `outbox` (deleted before it was sent; its id is free again), `revert`
   * (a revert mutation follows it), or `unknown` (the core died during the undo call).
   */
  undone?: 'outbox' | 'revert' | 'unknown';
}

export class FaultLedger {
  readonly attempts: DecisionAttempt[] = [];
  clientId: string | null = null;
  private seq = 0;

  constructor(readonly runTag: string) {}

  /** A tagged decide input for `itemId`; `reasonCode` is needed for reject / escalate. */
  decision(itemId: string, kind: 'approve' | 'reject' | 'correct' | 'escalate' | 'defer' | 'note', reasonCode: string, life: number): {
    input: DeskInput<'triage.decide'>;
    attempt: DecisionAttempt;
  } {
    this.seq += 1;
    const tag = `${this.runTag}#${this.seq}`;
    const attempt: DecisionAttempt = { tag, itemId, kind, acked: false, mutationId: null, life };
    this.attempts.push(attempt);
    const input = ((): DeskInput<'triage.decide'> => {
      switch (kind) {
        case 'approve': return { itemId, kind, payload: { comment: tag } };
        case 'reject': return { itemId, kind, payload: { reasonCode, comment: tag } };
        case 'correct': return { itemId, kind, payload: { correctedOutput: { fixedBy: tag, total: 1 }, comment: tag } };
        case 'escalate': return { itemId, kind, payload: { reasonCode, comment: tag } };
        case 'defer': return { itemId, kind, payload: { comment: tag } };
        case 'note': return { itemId, kind, payload: { text: tag } };
      }
    })();
    return { input, attempt };
  }

  /** A revert the core queued for an undo (it has no tag: its payload is empty). */
  revert(itemId: string, life: number): void {
    this.attempts.push({ tag: `${this.runTag}#revert-${itemId}`, itemId, kind: 'revert', acked: false, mutationId: null, life });
  }

  /** Acknowledged decisions that still stand as committed (not taken back from the outbox). */
  acked(): DecisionAttempt[] {
    return this.attempts.filter((a) => a.acked && a.undone !== 'outbox' && a.undone !== 'unknown');
  }

  touchedItemIds(): string[] {
    return [...new Set(this.attempts.map((a) => a.itemId))];
  }
}
