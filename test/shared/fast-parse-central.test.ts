// The fast path of the server's two hot bodies, IngestRequest and PushRequest (shared/fast-parse.ts; the
// routes set bodyFastPath), against zod itself, with fast-check: on generated good and bad bodies it accepts
// nothing zod rejects and outputs exactly zod's output (key order and filled-in defaults included); it accepts
// the bodies producers and desks send, so the routes really take it; and whatever it leaves to zod is zod's
// answer, error messages included. These bodies use what the Item schema does not: refinements (the free JSON
// bounds, labor sanity, increasing mutation ids, an override's required fields), a pipe, literals, a
// discriminated union and defaults.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { IngestItem, IngestRequest, Mutation, PushRequest } from '../../shared/central-api';
import { EXCEPTION_CLASSES, JsonObject, OUTCOME_KINDS } from '../../shared/domain';
import { compileSafeParse, fastPathOnly } from '../../shared/fast-parse';
import { disagreement } from '../helpers/fast-parse-oracle';
import { MAX_ITEM_JSON_BYTES, MAX_LABOR_WALL_MS } from '../../shared/limits';

const SEED = 15_005;

// Plain integers choose (fc.oneof and fc.option lean to their first choice inside a record, so edges would hardly show).
const either = <T>(...arbs: fc.Arbitrary<T>[]) => fc.integer({ min: 0, max: arbs.length - 1 }).chain((i) => arbs[i]);
/** `edgy`: half the time the value one step off (a length over its limit, a bad date, a wrong enum value…). */
const make = (edgy: boolean) => {
  const pick = <T>(valid: fc.Arbitrary<T>, off: fc.Arbitrary<T>) => (edgy ? either(valid, off) : valid);
  const text = (min: number, max: number) => pick(
    either(fc.string({ minLength: min, maxLength: Math.min(max, 20) }), fc.constant('x'.repeat(min)), fc.constant('é'.repeat(max))),
    fc.constantFrom(...[min - 1, max + 1].filter((n) => n >= 0).map((n) => 'x'.repeat(n))),
  );
  const ingestKey = pick(text(1, 200), fc.constantFrom('a\u0000b', '\u007f', 'tab\there', ''));
  const id = text(1, 128);
  const isoDate = pick(
    fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2300-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom('2023-02-29T12:00:00Z', '2026-11-30T24:00:00Z', '2026-11-30 22:13:00Z', '2026-11-30T22:13:00', ''),
  );
  const optional = <T>(arb: fc.Arbitrary<T>) => either<T | undefined>(arb, fc.constant(undefined));
  /** Drops the keys whose value is undefined (absent, as in JSON), except sometimes when edgy (present and undefined). */
  const record = <T extends Record<string, fc.Arbitrary<unknown>>>(fields: T) => fc.tuple(fc.record(fields), edgy ? fc.boolean() : fc.constant(false))
    .map(([r, keepUndefined]) => (keepUndefined ? r : Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined))));
  const integer = (min: number) => pick(either(fc.integer({ min, max: min + 1000 }), fc.constant(min)), fc.constantFrom(min - 1, 1.5, 2 ** 53, Number.NaN));
  // Free JSON: ordinary objects; past its edges: too deep, too big (in bytes, not characters), a refused key, not an object.
  const nested = (levels: number): Record<string, unknown> => (levels <= 1 ? { leaf: true } : { a: nested(levels - 1) });
  const ordinary = fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__'), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });
  const freeJson = pick(
    // At the edges (32 levels, the byte limit) now and then only: they are slow to check.
    either<unknown>(ordinary, ordinary, ordinary, ordinary, ordinary, ordinary, fc.constant(nested(32)),
      fc.constant({ s: 'x'.repeat(MAX_ITEM_JSON_BYTES - 8) }), fc.constant({ constructor: { prototypeish: 1 } })),
    fc.constantFrom<unknown>(nested(33), { s: 'é'.repeat(MAX_ITEM_JSON_BYTES / 2) }, JSON.parse('{"__proto__":{"x":1}}'),
      { constructor: { prototype: {} } }, [], 'text', null),
  );
  const ingestItem = record({
    source: ingestKey, externalId: ingestKey, queueId: id, title: text(1, 500), summary: optional(text(0, 4000)),
    confidence: optional(pick(either<number | null>(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(null)), fc.constantFrom(-0.1, 1.5, Number.NaN, '0.5'))),
    reasons: optional(pick(fc.array(record({
      code: text(1, 100), message: text(1, 2000),
      severity: optional(pick(fc.constantFrom('info', 'warning', 'error'), fc.constant('fatal'))), field: optional(text(0, 200)),
    }), { maxLength: 3 }), fc.constant(Array.from({ length: 101 }, () => ({ code: 'c', message: 'm' }))))),
    input: freeJson, output: freeJson,
  });
  const labor = fc.tuple(fc.integer({ min: 0, max: 10 ** 6 }), fc.integer({ min: 0, max: 10 ** 6 }), fc.integer({ min: 0, max: 100 }),
    fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }), optional(fc.boolean()))
    .chain(([active, idle, segments, opened, rework]) => {
      const wallMs = active + idle;
      const valid = { activeMs: active, idleMs: idle, wallMs, segments, openedAt: opened.toISOString(), decidedAt: new Date(opened.getTime() + wallMs).toISOString(), rework };
      return record(Object.fromEntries(Object.entries(valid).map(([k, v]) => [k, fc.constant(v)])) as Record<string, fc.Arbitrary<unknown>>)
        .chain((l) => pick(fc.constant(l), fc.constantFrom(
          { ...l, activeMs: wallMs + 1 }, { ...l, idleMs: wallMs + 1 }, { ...l, wallMs: MAX_LABOR_WALL_MS + 1 }, { ...l, segments: 100_001 },
          { ...l, decidedAt: new Date(opened.getTime() - 1).toISOString() }, { ...l, rework: 'yes' },
        )));
    });
  const comment = optional(text(0, 4000));
  const reasonCode = text(1, 64);
  const correctedOutput = freeJson;
  const payloads: Record<string, fc.Arbitrary<unknown>> = {
    approve: record({ comment }),
    reject: record({ reasonCode, comment }),
    correct: record({ correctedOutput, comment }),
    escalate: record({ reasonCode, comment }),
    defer: record({ comment }),
    reclassify: record({ exceptionClass: pick(fc.constantFrom(...EXCEPTION_CLASSES), fc.constant('extraction')), reasonCode, comment }),
    note: record({ text: text(1, 4000) }),
    revert: record({ comment }),
    // An override to reject needs a reasonCode, to correct a correctedOutput (the refinements): both ways here.
    override: record({ outcome: pick(fc.constantFrom(...OUTCOME_KINDS), fc.constant('maybe')), reasonCode: optional(reasonCode),
      correctedOutput: optional(correctedOutput), reason: text(1, 4000) }),
  };
  const kind = fc.constantFrom(...Object.keys(payloads));
  const mutation = fc.tuple(kind, edgy ? fc.boolean() : fc.constant(false), kind).chain(([k, crossed, other]) => record({
    mutationId: integer(1), itemId: id, baseVersion: integer(0), assignmentEpoch: integer(0), at: isoDate, labor: optional(labor),
    payloadHash: pick(fc.stringMatching(/^[0-9a-f]{64}$/), fc.constantFrom('A'.repeat(64), 'a'.repeat(63), '')),
    kind: pick(fc.constant(k), fc.constantFrom('approved', 'APPROVE', 42)),
    // Edgy: now and then another kind's payload under this kind.
    payload: crossed ? payloads[other] : payloads[k],
  }));
  /** Numbered in increasing order (a valid batch), or, when edgy, sometimes as generated (repeats, decreases). */
  const mutations = fc.tuple(fc.array(mutation, { minLength: edgy ? 0 : 1, maxLength: 4 }), edgy ? fc.boolean() : fc.constant(true))
    .map(([ms, renumber]) => (renumber ? ms.map((m, i) => (typeof m.mutationId === 'number' && Number.isSafeInteger(m.mutationId) ? { ...m, mutationId: 1 + i * 3 } : m)) : ms));
  return {
    freeJson, labor, mutation,
    ingest: record({ items: pick(fc.array(ingestItem, { minLength: 1, maxLength: 3 }), fc.constant<Record<string, unknown>[]>([])) }),
    push: record({ clientId: text(8, 128), leanResults: optional(pick<unknown>(fc.boolean(), fc.constant('true'))), mutations }),
  };
};
const valid = make(false);
const edgy = make(true);

/** A body with a key added (one zod does not know, or a known one of the wrong type) or taken away, at the top or in an element. */
function tampered(body: fc.Arbitrary<Record<string, unknown>>, listKey: string) {
  return fc.tuple(body, fc.constantFrom('extra', 'items', 'mutations', 'clientId', 'source', 'kind', 'payload', 'labor', 'input', '__proto__'),
    fc.jsonValue({ maxDepth: 2 }), fc.boolean(), fc.boolean())
    .map(([b, key, value, remove, inElement]) => {
      const list = b[listKey];
      const target: Record<string, unknown> = inElement && Array.isArray(list) && list.length > 0 ? { ...(list[0] as object) } : { ...b };
      if (remove) delete target[key];
      else Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
      if (target === b || !(inElement && Array.isArray(list) && list.length > 0)) return target;
      return { ...b, [listKey]: [target, ...(list as unknown[]).slice(1)] };
    });
}
const anything = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom(null, undefined, [], {}, 'body', 42, new Date(0), Object.create(null) as object));

const cases = [
  { name: 'IngestRequest', schema: IngestRequest as z.ZodType, valid: valid.ingest, edgy: edgy.ingest, listKey: 'items' },
  { name: 'PushRequest', schema: PushRequest as z.ZodType, valid: valid.push, edgy: edgy.push, listKey: 'mutations' },
];

describe.each(cases)('the fast path of $name (issue 15 gap 5)', ({ schema, valid: good, edgy: bad, listKey }) => {
  const fast = fastPathOnly(schema);
  const safeParse = compileSafeParse(schema);
  const any = fc.oneof(good, bad, tampered(good, listKey), anything);

  it('compiles from the schema (a zod change it does not understand fails here, not silently slower)', () => {
    expect(safeParse.fastPathCompiled).toBe(true);
  });

  it('accepts nothing zod rejects, and outputs exactly what zod outputs (key order and defaults included)', () => {
    fc.assert(fc.property(any, (value) => {
      expect(disagreement(fast, schema, value)).toBeUndefined();
    }), { seed: SEED, numRuns: 150 });
  });

  it('takes every valid body with no key zod would strip, as sent (JSON) and in zod\'s output form', () => {
    let taken = 0;
    fc.assert(fc.property(fc.oneof(good, bad), (value) => {
      if (!schema.safeParse(value).success) return;
      const wire = JSON.parse(JSON.stringify(value)) as unknown;
      expect(fast(wire)).toBeDefined();
      expect(fast(JSON.parse(JSON.stringify(schema.parse(wire))))).toBeDefined();
      taken++;
    }), { seed: SEED, numRuns: 120 });
    expect(taken).toBeGreaterThan(35);
  });

  it('answers exactly as zod on every value, errors and their messages included', () => {
    fc.assert(fc.property(any, (value) => {
      const mine = safeParse(value);
      const zods = schema.safeParse(value);
      expect(mine.success).toBe(zods.success);
      if (mine.success && zods.success) expect(JSON.stringify(mine.data)).toBe(JSON.stringify(zods.data));
      else expect(mine.error?.issues).toEqual(zods.error?.issues);
    }), { seed: SEED, numRuns: 120 });
  });
});

describe('the body fast paths have teeth', () => {
  /** Does the same property find a fast path compiled from `looser` (one rule of `schema` dropped)? */
  const finds = (looser: z.ZodType, schema: z.ZodType, values: fc.Arbitrary<unknown>) =>
    fc.check(fc.property(values, (value) => disagreement(fastPathOnly(looser), schema, value) === undefined), { seed: SEED, numRuns: 300, endOnFailure: true }).failed;

  it('finds an ingest fast path without the free-JSON bounds (a refinement inside a pipe)', () => {
    const looser = z.object({ items: z.array(IngestItem.extend({ input: JsonObject, output: JsonObject })).min(1).max(1000) });
    // Valid bodies whose first item's input is taken from an edgy item (one step off half the time).
    const inputEdges = fc.tuple(valid.ingest, edgy.freeJson).map(([b, input]) => ({ items: [{ ...(b.items as object[])[0], input }] }));
    expect(finds(looser, IngestRequest, inputEdges)).toBe(true);
  });

  it('finds a push fast path without the increasing-ids rule (a refinement on the array) or labor sanity (on an object)', () => {
    const withoutOrder = PushRequest.extend({ mutations: z.array(Mutation).min(1).max(500) });
    const idEdges = fc.tuple(valid.push, fc.integer({ min: 0, max: 2 })).map(([b, step]) => {
      const ms = b.mutations as { mutationId: number }[];
      return { ...b, mutations: [...ms, { ...ms[ms.length - 1], mutationId: ms[ms.length - 1].mutationId + 1 - step }] };
    });
    expect(finds(withoutOrder, PushRequest, idEdges)).toBe(true);
    const laborEdges = fc.tuple(valid.push, edgy.labor).map(([b, labor]) => ({ ...b, mutations: [{ ...(b.mutations as object[])[0], labor }] }));
    const anyLabor = z.discriminatedUnion('kind', Mutation.options.map((o) => o.extend({
      labor: z.object({ activeMs: z.number().int().min(0), idleMs: z.number().int().min(0), wallMs: z.number().int().min(0), segments: z.number().int().min(0),
        openedAt: z.iso.datetime({ offset: true }), decidedAt: z.iso.datetime({ offset: true }), rework: z.boolean().default(false) }).optional(),
    })) as unknown as [typeof Mutation.options[0]]);
    const withoutLaborSanity = PushRequest.extend({ mutations: z.array(anyLabor).min(1).max(500) });
    expect(finds(withoutLaborSanity, PushRequest, laborEdges)).toBe(true);
  });

  it('fills a missing default as zod does, a fresh copy each time', () => {
    const item = { source: 's', externalId: 'e', queueId: 'q', title: 't', input: {}, output: {} };
    expect(fastPathOnly(IngestRequest)({ items: [item] })).toBeDefined();
    const a = compileSafeParse(IngestRequest)({ items: [item, item] });
    expect(a.data).toEqual(IngestRequest.parse({ items: [item, item] }));
    expect(a.data!.items[0].reasons).not.toBe(a.data!.items[1].reasons);
  });
});
