import { describe, expect, it } from 'vitest';
import { createDrafts, draftHasWork } from '../../renderer/state/drafts';

describe('drafts per item (issue 14 item 2)', () => {
  it('keep a note and a correction per item until cleared', () => {
    const d = createDrafts();
    d.put('i1', 'note', 'check the PO');
    d.put('i1', 'correct', { texts: { total: '12.50' }, comment: '' });
    d.put('i2', 'note', 'other item');
    expect(d.get('i1', 'note')).toBe('check the PO');
    expect(d.get('i1', 'correct')).toEqual({ texts: { total: '12.50' }, comment: '' });
    expect(d.kinds('i1')).toEqual(['note', 'correct']);
    d.clear('i1', 'note');
    expect(d.get('i1', 'note')).toBeUndefined();
    expect(d.kinds('i1')).toEqual(['correct']);
    expect(d.get('i2', 'note')).toBe('other item');
  });

  it('drop a draft that holds nothing (blank note, no changed field and no comment)', () => {
    const d = createDrafts();
    d.put('i1', 'note', 'x');
    d.put('i1', 'note', '   ');
    d.put('i1', 'correct', { texts: {}, comment: ' ' });
    expect(d.store.getState().byItem).toEqual({});
    expect(draftHasWork('correct', { texts: {}, comment: 'why' })).toBe(true);
    expect(draftHasWork('note', undefined)).toBe(false);
  });

  it('keep a comment per reason of each picker, and drop the reason draft when every comment is blank', () => {
    const d = createDrafts();
    d.putReason('i1', 'reject:other', 'vendor is wrong');
    d.putReason('i1', 'escalate:other', 'ask the owner');
    expect(d.getReason('i1', 'reject:other')).toBe('vendor is wrong');
    expect(d.getReason('i2', 'reject:other')).toBeUndefined();
    d.putReason('i1', 'reject:other', '  ');
    expect(d.getReason('i1', 'reject:other')).toBeUndefined();
    expect(d.kinds('i1')).toEqual(['reason']);
    d.putReason('i1', 'escalate:other', '');
    expect(d.store.getState().byItem).toEqual({});
  });

  it('stay bounded: the least recently written item goes first', () => {
    const d = createDrafts(3);
    for (const id of ['a', 'b', 'c']) d.put(id, 'note', id);
    d.put('a', 'note', 'a again');
    d.put('d', 'note', 'd');
    expect(Object.keys(d.store.getState().byItem)).toEqual(['c', 'a', 'd']);
  });
});
