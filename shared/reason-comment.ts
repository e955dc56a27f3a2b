// "Other (explain in a comment)" means what it says: a reject, escalate or reclassify reason that asks
// for an explanation is refused without one (issue 14 item 6). The picker asks for the comment; the
// core refuses a decision without it. Zod-free: the renderer imports it.

/** Whether choosing this reason requires a comment. */
export function reasonNeedsComment(reason: { code: string; label?: string }): boolean {
  return reason.code === 'other' || /explain in a comment/i.test(reason.label ?? '');
}
