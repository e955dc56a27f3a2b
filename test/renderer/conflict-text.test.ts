import { describe, expect, it } from 'vitest';
import { MUTATION_RESULT_CODES } from '../../shared/central-api';
import { canResubmit, conflictHeadline, hiddenServerItemText } from '../../renderer/logic/conflict-text';

describe('conflict texts', () => {
  it('every result code has its own headline', () => {
    const lines = MUTATION_RESULT_CODES.map(conflictHeadline);
    expect(new Set(lines).size).toBe(MUTATION_RESULT_CODES.length);
    expect(lines.every((l) => l.length > 10)).toBe(true);
  });
  it('explains a hidden server item by why it is hidden, and offers only discard', () => {
    expect(hiddenServerItemText('reassigned')).toMatch(/belongs to someone else.*discard/);
    // A lease that ran out is not someone else's item: say what happened and what the desk will do.
    expect(hiddenServerItemText('lease_expired')).toMatch(/lease ran out.*resubmits this decision by itself/);
    expect(hiddenServerItemText('lease_expired')).not.toMatch(/someone else/);
    expect(hiddenServerItemText('unknown_item')).toMatch(/no item with this id/);
    expect(hiddenServerItemText('withdrawn')).toMatch(/withdrew/);
    expect(canResubmit({ serverItem: null })).toBe(false);
  });
});
