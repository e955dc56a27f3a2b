// Field-level difference between the AI output and the reviewer's corrected output.
import { isPlainObject, type JsonPath } from './json-paths';

export type FieldChange =
  | { kind: 'changed'; path: JsonPath; before: unknown; after: unknown }
  | { kind: 'added'; path: JsonPath; after: unknown }
  | { kind: 'removed'; path: JsonPath; before: unknown };

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Changes from `before` to `after`, down to scalars; arrays compare by index. */
export function diffOutput(before: unknown, after: unknown, path: JsonPath = []): FieldChange[] {
  if (jsonEqual(before, after)) return [];
  if (isPlainObject(before) && isPlainObject(after)) {
    const out: FieldChange[] = [];
    for (const k of Object.keys(before)) {
      if (!Object.prototype.hasOwnProperty.call(after, k)) out.push({ kind: 'removed', path: [...path, k], before: before[k] });
      else out.push(...diffOutput(before[k], after[k], [...path, k]));
    }
    for (const k of Object.keys(after)) {
      if (!Object.prototype.hasOwnProperty.call(before, k)) out.push({ kind: 'added', path: [...path, k], after: after[k] });
    }
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: FieldChange[] = [];
    const n = Math.max(before.length, after.length);
    for (let i = 0; i < n; i++) {
      if (i >= after.length) out.push({ kind: 'removed', path: [...path, i], before: before[i] });
      else if (i >= before.length) out.push({ kind: 'added', path: [...path, i], after: after[i] });
      else out.push(...diffOutput(before[i], after[i], [...path, i]));
    }
    return out;
  }
  return [{ kind: 'changed', path, before, after }];
}
