// The guided rollback as a small state machine, pure (test/renderer/rollback-flow.test.ts): filter →
// preview (count and sample) → confirm with a reason → progress → result. `back` is what Esc does at each
// step: one step back, or out of the flow from the filter and the result. While the rollback runs, Esc
// closes the flow and the server goes on (an applied rollback cannot be half-undone from here; its
// progress stays readable with ops.rollbackProgress).
import type { RollbackFilter, RollbackPreview, RollbackProgress } from '../../../shared/ops-api';

export interface FilterDraft {
  queueIds: string[];
  outcomes: ('approve' | 'reject' | 'correct')[];
  reviewerIds: string;
  reasonCodes: string;
  /** `datetime-local` values (local time, minutes). */
  from: string;
  to: string;
  metadataPath: string;
  metadataEquals: string;
}

export type FlowState =
  | { step: 'closed' }
  | { step: 'filter'; draft: FilterDraft; error: string | null }
  | { step: 'preview'; draft: FilterDraft; filter: RollbackFilter; preview: RollbackPreview }
  | { step: 'confirm'; draft: FilterDraft; filter: RollbackFilter; preview: RollbackPreview; reason: string; rollbackId: string; error: string | null }
  | { step: 'progress'; filter: RollbackFilter; rollbackId: string; progress: RollbackProgress | null; error: string | null }
  | { step: 'result'; progress: RollbackProgress };

const pad = (n: number) => String(n).padStart(2, '0');
/** A Date as a `datetime-local` value in local time. */
export function toLocalInput(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function emptyDraft(now: Date): FilterDraft {
  return {
    queueIds: [], outcomes: [], reviewerIds: '', reasonCodes: '',
    // The inputs hold whole minutes: "to" is the next minute, so outcomes of this very minute are included.
    from: toLocalInput(new Date(now.getTime() - 7 * 86_400_000)), to: toLocalInput(new Date(now.getTime() + 60_000)), metadataPath: '', metadataEquals: '',
  };
}

/** A draft from a filter (an alert's proposed filter). */
export function draftFromFilter(f: RollbackFilter): FilterDraft {
  return {
    queueIds: f.queueIds ?? [], outcomes: f.outcomes ?? [], reviewerIds: (f.reviewerIds ?? []).join(', '), reasonCodes: (f.reasonCodes ?? []).join(', '),
    from: toLocalInput(new Date(f.from)), to: toLocalInput(new Date(f.to)),
    metadataPath: f.metadata?.path ?? '', metadataEquals: f.metadata === undefined ? '' : String(f.metadata.equals),
  };
}

const list = (text: string) => text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);

/** The filter the API gets, or the first thing wrong with the draft in words. */
export function filterFromDraft(d: FilterDraft): { filter: RollbackFilter } | { error: string } {
  const from = new Date(d.from);
  const to = new Date(d.to);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return { error: 'Give the time window: from and to.' };
  if (from >= to) return { error: '"To" must be after "from".' };
  if ((d.metadataPath === '') !== (d.metadataEquals === '')) return { error: 'A metadata condition needs both a key and a value.' };
  const reviewerIds = list(d.reviewerIds);
  const reasonCodes = list(d.reasonCodes);
  const filter: RollbackFilter = {
    from: from.toISOString(), to: to.toISOString(),
    ...(d.queueIds.length ? { queueIds: d.queueIds } : {}),
    ...(d.outcomes.length ? { outcomes: d.outcomes } : {}),
    ...(reviewerIds.length ? { reviewerIds } : {}),
    ...(reasonCodes.length ? { reasonCodes } : {}),
    ...(d.metadataPath ? { metadata: { path: d.metadataPath, equals: d.metadataEquals } } : {}),
  };
  return { filter };
}

/** What Esc does at each step. */
export function back(s: FlowState): FlowState {
  switch (s.step) {
    case 'closed':
    case 'filter':
    case 'result':
    case 'progress':
      return { step: 'closed' };
    case 'preview':
      return { step: 'filter', draft: s.draft, error: null };
    case 'confirm':
      return { step: 'preview', draft: s.draft, filter: s.filter, preview: s.preview };
  }
}

export const isDone = (p: RollbackProgress) => p.status === 'completed';
