// Paths into plain JSON values, for the field-level correct editor and its diff.

export type JsonPath = readonly (string | number)[];

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "lines[2].amount" style label of a path. */
export function pathLabel(path: JsonPath): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out || '(root)';
}

export interface Leaf {
  path: JsonPath;
  value: unknown;
}

/** Every scalar (and empty container) in a JSON value, depth first, in key order. */
export function flattenLeaves(value: unknown, path: JsonPath = []): Leaf[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [{ path, value }];
    return value.flatMap((v, i) => flattenLeaves(v, [...path, i]));
  }
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return [{ path, value }];
    return keys.flatMap((k) => flattenLeaves(value[k], [...path, k]));
  }
  return [{ path, value }];
}

/** A copy of `root` with `value` at `path` (containers on the way are copied, never mutated). */
export function setAtPath<T>(root: T, path: JsonPath, value: unknown): T {
  if (path.length === 0) return value as T;
  const [head, ...rest] = path;
  if (Array.isArray(root)) {
    const copy = root.slice();
    copy[head as number] = setAtPath(copy[head as number], rest, value);
    return copy as T;
  }
  const obj: Record<string, unknown> = isPlainObject(root) ? root : {};
  return { ...obj, [head]: setAtPath(obj[head as string], rest, value) } as T;
}

/**
 * Reads what the reviewer typed for a leaf, keeping the original's type where the text allows it
 * (a number stays a number, `true`/`false` a boolean, an empty field on a null stays null).
 */
export function parseLeafInput(text: string, original: unknown): { ok: true; value: unknown } | { ok: false; error: string } {
  const t = text.trim();
  if (typeof original === 'number') {
    if (t === '') return { ok: true, value: null };
    const n = Number(t.replace(/,/g, ''));
    return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, error: 'expects a number' };
  }
  if (typeof original === 'boolean') {
    if (t === 'true' || t === 'false') return { ok: true, value: t === 'true' };
    return { ok: false, error: 'expects true or false' };
  }
  if (original === null) {
    if (t === '' || t === 'null') return { ok: true, value: null };
    const n = Number(t);
    return { ok: true, value: /^-?\d+(\.\d+)?$/.test(t) && Number.isFinite(n) ? n : text };
  }
  if (Array.isArray(original) || isPlainObject(original)) {
    try {
      return { ok: true, value: JSON.parse(t) };
    } catch {
      return { ok: false, error: 'expects JSON' };
    }
  }
  return { ok: true, value: text };
}

/** The text an editor field starts with. */
export function leafText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A field name as people read it: `dobMatch` → "Dob match", `vendor_name` → "Vendor name". */
function readableKey(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words ? words[0].toUpperCase() + words.slice(1) : key;
}

/** A readable label of a path (issue 14 item 1): `matches[0].dobMatch` → "Matches 1 › Dob match". */
export function readablePathLabel(path: JsonPath): string {
  const parts: string[] = [];
  for (const p of path) {
    if (typeof p === 'number') {
      if (parts.length) parts[parts.length - 1] += ` ${p + 1}`;
      else parts.push(`Item ${p + 1}`);
    } else parts.push(readableKey(p));
  }
  return parts.join(' › ') || 'Value';
}

/** The input a leaf is edited with: its JSON type where it has one, a date picker for a plain date. */
export type LeafInputKind = 'number' | 'boolean' | 'date' | 'text' | 'long-text';

export function leafInputKind(value: unknown): LeafInputKind {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return 'date';
  return leafText(value).length > 60 ? 'long-text' : 'text';
}
