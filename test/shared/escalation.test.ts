import { describe, expect, it } from 'vitest';
import { escalateRefusal, escalateRefusalText } from '../../shared/escalation';

describe('when escalate is not a choice (issue 14 item 11)', () => {
  const queue = { ownerId: 'olivia' };
  it('refuses the queue owner, and an item already escalated', () => {
    expect(escalateRefusal(queue, 'leased', 'olivia')).toBe('own_queue');
    expect(escalateRefusal(queue, 'escalated', 'olivia')).toBe('own_queue');
    expect(escalateRefusal(queue, 'escalated', 'alice')).toBe('already_escalated');
  });
  it('lets anyone else escalate an open item, and does not guess without a queue or a user', () => {
    expect(escalateRefusal(queue, 'leased', 'alice')).toBeNull();
    expect(escalateRefusal(null, 'leased', 'olivia')).toBeNull();
    expect(escalateRefusal(queue, 'leased', null)).toBeNull();
  });
  it('says why in the reviewer\'s words', () => {
    expect(escalateRefusalText('own_queue', 'Invoices')).toMatch(/You own Invoices: escalating would send it to you/);
    expect(escalateRefusalText('already_escalated', 'Invoices')).toMatch(/Already escalated/);
  });
});
