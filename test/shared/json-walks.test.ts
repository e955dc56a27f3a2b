// The JSON walks on the ingest and push hot paths, rewritten for speed (issue 15 gap 5), against the plain
// definitions they replaced, with fast-check: canonicalJson (the payload hash's input: one byte off and every
// desk's pushes are refused), freeJsonProblem (one walk instead of three: same verdict, same message) and
// exceedsJsonDepth (every request body: same answer at every limit).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../shared/central-api';
import { MAX_BODY_JSON_DEPTH, MAX_JSON_VALUE_DEPTH, forbiddenJsonKey, freeJsonProblem, jsonBytes, jsonDepth } from '../../shared/limits';
import { exceedsJsonDepth } from '../../server/json-depth';

const SEED = 15_005;

/** canonicalJson as it was written first: entries filtered, sorted with `<`, mapped and joined. */
function canonicalJsonReference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJsonReference).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJsonReference(v)}`).join(',')}}`;
}

/** freeJsonProblem as it was written first: depth, then the forbidden key, then the bytes, three walks. */
function freeJsonProblemReference(value: unknown, maxBytes: number): string | null {
  const depth = jsonDepth(value);
  if (depth > MAX_JSON_VALUE_DEPTH) return `nests ${depth > MAX_BODY_JSON_DEPTH ? `more than ${MAX_BODY_JSON_DEPTH}` : depth} levels deep; at most ${MAX_JSON_VALUE_DEPTH} are accepted`;
  const key = forbiddenJsonKey(value);
  if (key) return `holds the key '${key}', which the server refuses`;
  const bytes = jsonBytes(value);
  if (bytes > maxBytes) return `is ${bytes} bytes as JSON; at most ${maxBytes} are accepted`;
  return null;
}

/** Nesting depth by plain recursion (the values here stay shallow enough for the stack). */
const depthOf = (v: unknown): number => (v === null || typeof v !== 'object' ? 0
  : 1 + Math.max(0, ...(Array.isArray(v) ? v : Object.values(v)).map(depthOf)));

/** `value` wrapped in `levels` arrays or objects (alternating by `seed`). */
function nest(value: unknown, levels: number, seed: number): unknown {
  let v = value;
  for (let i = 0; i < levels; i++) v = (seed + i) % 3 === 0 ? [v] : { [`k${i % 4}`]: v, pad: i };
  return v;
}

// JSON as parsed (own `__proto__` keys included: JSON.parse makes them own properties), nested to any depth.
const keyArb = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'a', 'B', 'é', '\u{1F600}'));
const { json } = fc.letrec((tie) => ({
  json: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.constant(null), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.string({ maxLength: 8 })),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.array(fc.tuple(keyArb, tie('json')), { maxLength: 4 }).map((pairs) => JSON.parse(`{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`) as unknown)),
}));
const deepJson = fc.tuple(json, fc.integer({ min: 0, max: 80 }), fc.nat()).map(([v, levels, seed]) => nest(v, levels, seed));

describe('the JSON walks of the hot paths agree with their plain definitions', () => {
  it('canonicalJson: the same text, undefined members and key order included', () => {
    const withUndefined = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, json, fc.constant(undefined), fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(keyArb, tie('v'), { maxKeys: 4 })),
    })).v;
    fc.assert(fc.property(withUndefined, (v) => { expect(canonicalJson(v)).toBe(canonicalJsonReference(v)); }), { seed: SEED, numRuns: 2000 });
    // The orders that differ between "sort by code unit" and locale or code point order.
    const tricky = { b: 1, a: 2, B: 3, 'é': 4, 'e': 5, '\u{1F600}': 6, '\uFFFF': 7, '': 8, '10': 9, '9': 10 };
    expect(canonicalJson(tricky)).toBe(canonicalJsonReference(tricky));
  });

  it('freeJsonProblem: the same verdict and message, at every depth and with forbidden keys anywhere', () => {
    fc.assert(fc.property(deepJson, fc.integer({ min: 0, max: 400 }), (v, maxBytes) => {
      expect(freeJsonProblem(v, maxBytes)).toBe(freeJsonProblemReference(v, maxBytes));
    }), { seed: SEED, numRuns: 2000 });
    // Both forbidden keys in one value: the one named is the one the plain walk met first.
    const both = JSON.parse('{"a":{"constructor":{"prototype":{}}},"b":[{"__proto__":1}]}') as unknown;
    expect(freeJsonProblem(both, 1000)).toBe(freeJsonProblemReference(both, 1000));
    expect(freeJsonProblem(both, 1000)).toMatch(/holds the key/);
  });

  it('exceedsJsonDepth: true exactly when the value nests deeper than the limit', () => {
    fc.assert(fc.property(deepJson, fc.integer({ min: 0, max: 70 }), (v, max) => {
      expect(exceedsJsonDepth(v, max)).toBe(depthOf(v) > max);
    }), { seed: SEED, numRuns: 2000 });
    // Far deeper than any stack: answered, not overflowed.
    expect(exceedsJsonDepth(nest(1, 200_000, 0))).toBe(true);
    expect(exceedsJsonDepth(nest(1, 64, 1))).toBe(false);
    expect(exceedsJsonDepth(nest(1, 65, 1))).toBe(true);
  });
});
