import { describe, expect, it } from 'vitest';
import { diffOutput, jsonEqual } from '../../renderer/logic/output-diff';
import { flattenLeaves, leafText, parseLeafInput, pathLabel, setAtPath } from '../../renderer/logic/json-paths';

describe('diffOutput', () => {
  const before = { vendor: 'ACME', total: 120.5, lines: [{ sku: 'A1', qty: 2 }, { sku: 'B2', qty: 1 }], meta: { currency: 'EUR' } };

  it('is empty for equal outputs', () => {
    expect(diffOutput(before, structuredClone(before))).toEqual([]);
  });
  it('reports changed scalars with their nested paths', () => {
    const after = setAtPath(setAtPath(before, ['lines', 1, 'qty'], 3), ['total'], 130);
    const d = diffOutput(before, after);
    expect(d).toEqual([
      { kind: 'changed', path: ['total'], before: 120.5, after: 130 },
      { kind: 'changed', path: ['lines', 1, 'qty'], before: 1, after: 3 },
    ]);
    expect(d.map((c) => pathLabel(c.path))).toEqual(['total', 'lines[1].qty']);
  });
  it('reports added and removed fields and array items', () => {
    const after = { vendor: 'ACME', total: 120.5, lines: [{ sku: 'A1', qty: 2 }], meta: { currency: 'EUR', po: 'PO-1' } };
    expect(diffOutput(before, after)).toEqual([
      { kind: 'removed', path: ['lines', 1], before: { sku: 'B2', qty: 1 } },
      { kind: 'added', path: ['meta', 'po'], after: 'PO-1' },
    ]);
  });
  it('treats a type change as a change', () => {
    expect(diffOutput({ a: 1 }, { a: '1' })).toEqual([{ kind: 'changed', path: ['a'], before: 1, after: '1' }]);
    expect(jsonEqual({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toBe(true);
  });
});

describe('json paths', () => {
  it('flattens to leaves and sets without mutating', () => {
    const v = { a: { b: [1, 2] }, c: 'x', e: {} };
    expect(flattenLeaves(v).map((l) => pathLabel(l.path))).toEqual(['a.b[0]', 'a.b[1]', 'c', 'e']);
    const next = setAtPath(v, ['a', 'b', 1], 5);
    expect(next.a.b).toEqual([1, 5]);
    expect(v.a.b).toEqual([1, 2]);
  });
  it('parses typed input by the original type', () => {
    expect(parseLeafInput('1,200.50', 3)).toEqual({ ok: true, value: 1200.5 });
    expect(parseLeafInput('abc', 3)).toEqual({ ok: false, error: 'expects a number' });
    expect(parseLeafInput('false', true)).toEqual({ ok: true, value: false });
    expect(parseLeafInput('', null)).toEqual({ ok: true, value: null });
    expect(parseLeafInput('42', null)).toEqual({ ok: true, value: 42 });
    expect(parseLeafInput('hello', 'old')).toEqual({ ok: true, value: 'hello' });
    expect(parseLeafInput('[1]', [])).toEqual({ ok: true, value: [1] });
    expect(leafText(null)).toBe('');
    expect(leafText(12)).toBe('12');
  });
});
