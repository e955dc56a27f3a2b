import { describe, expect, it } from 'vitest';
import { leafInputKind, readablePathLabel } from '../../renderer/logic/json-paths';

describe('correct editor fields (issue 14 item 1)', () => {
  it('label a path as people read it', () => {
    expect(readablePathLabel(['matches', 0, 'dobMatch'])).toBe('Matches 1 › Dob match');
    expect(readablePathLabel(['vendor_name'])).toBe('Vendor name');
    expect(readablePathLabel(['lineItems', 1, 'unitPrice'])).toBe('Line items 2 › Unit price');
    expect(readablePathLabel([0])).toBe('Item 1');
    expect(readablePathLabel([])).toBe('Value');
  });
  it('pick the input by the value\'s type', () => {
    expect(leafInputKind(12.5)).toBe('number');
    expect(leafInputKind(false)).toBe('boolean');
    expect(leafInputKind('2026-11-21')).toBe('date');
    expect(leafInputKind('2026-11-21T10:00:00Z')).toBe('text');
    expect(leafInputKind('x'.repeat(61))).toBe('long-text');
    expect(leafInputKind(null)).toBe('text');
  });
});
