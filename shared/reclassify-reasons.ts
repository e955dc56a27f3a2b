// Why an item changes class (issue 14 item 10): reclassification has reasons of its own, not the queue's
// reject reasons ("False positive" says nothing about the class). Defined once here: the desk's picker
// offers them, the core and the server accept no other code for a reclassify. Zod-free: the renderer
// imports it. `other` asks for a comment (shared/reason-comment.ts).

export interface ReclassifyReason {
  code: string;
  label: string;
}

export const RECLASSIFY_REASONS: readonly ReclassifyReason[] = [
  { code: 'raised_under_wrong_class', label: 'Raised under the wrong class' },
  { code: 'root_cause_elsewhere', label: 'The real cause is of another kind' },
  { code: 'main_issue_elsewhere', label: 'Several issues: the main one is of another kind' },
  { code: 'rule_or_policy_applies', label: 'A business rule or policy decides it, not the data' },
  { code: 'other', label: 'Other (explain in a comment)' },
];

export function reclassifyReason(code: string): ReclassifyReason | undefined {
  return RECLASSIFY_REASONS.find((r) => r.code === code);
}

/** The reason codes a mutation of this kind may carry: a reclassify's own, else the queue's. */
export function reasonCodesFor(kind: string, queueReasonCodes: readonly ReclassifyReason[]): readonly ReclassifyReason[] {
  return kind === 'reclassify' ? RECLASSIFY_REASONS : queueReasonCodes;
}
