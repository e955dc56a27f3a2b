// What an unsettled local decision does to the item the desk shows, before the server has answered.
// The server's copy is kept apart (items.server_json); the visible item is that copy with every
// unsettled mutation of the item folded over it, so undo and late server answers just recompute.
import type { Item, MutationKind, Queue } from '../../shared/domain';

export interface LocalMutation {
  kind: MutationKind;
  payload: Record<string, unknown>;
  at: string;
}

export function applyLocal(item: Item, m: LocalMutation, userId: string, queue: Queue | null): Item {
  const p = m.payload as { comment?: string; reasonCode?: string; correctedOutput?: Record<string, unknown>; text?: string; exceptionClass?: Item['exceptionClass'] };
  switch (m.kind) {
    case 'approve':
    case 'reject':
    case 'correct':
      return {
        ...item,
        status: 'resolved',
        outcome: {
          kind: m.kind, at: m.at, by: userId,
          ...(p.reasonCode !== undefined ? { reasonCode: p.reasonCode } : {}),
          ...(p.correctedOutput !== undefined ? { correctedOutput: p.correctedOutput } : {}),
          ...(p.comment !== undefined ? { comment: p.comment } : {}),
        },
      };
    case 'escalate':
      return {
        ...item,
        status: 'escalated',
        assigneeId: queue?.ownerId ?? item.assigneeId,
        escalation: { by: userId, at: m.at, reasonCode: p.reasonCode ?? '', ...(p.comment !== undefined ? { comment: p.comment } : {}) },
      };
    case 'defer':
      return { ...item, status: 'open', assigneeId: null, leaseExpiresAt: null };
    case 'reclassify':
      return { ...item, exceptionClass: p.exceptionClass ?? item.exceptionClass };
    case 'note':
      return { ...item, notes: [...item.notes, { by: userId, at: m.at, text: p.text ?? '' }] };
    case 'revert':
      return { ...item, status: 'leased', assigneeId: userId, outcome: null };
  }
}

/** Kinds after which this reviewer is done with the item (it leaves the triage set). */
export const HANDING_OFF_KINDS: readonly MutationKind[] = ['approve', 'reject', 'correct', 'escalate', 'defer'];
