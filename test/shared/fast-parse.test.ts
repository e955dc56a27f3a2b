// The fast path for Item.safeParse (shared/fast-parse.ts) against zod itself, with fast-check: on any
// value it accepts nothing zod rejects and outputs exactly zod's output (same JSON text, key order
// included); it accepts every item already in zod's output form (what the server sends), so the pull path
// really takes it; and whatever it leaves to zod is zod's answer, error message included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileSafeParse, fastPathOnly } from '../../shared/fast-parse';
import { disagreement } from '../helpers/fast-parse-oracle';
import { EXCEPTION_CLASSES, ITEM_STATUSES, Item, OUTCOME_KINDS } from '../../shared/domain';

const SEED = 15_001;

/**
 * Item-shaped values from the schema's edges. `edgy`: every field may also be one step off (a length one over
 * its limit, a bad date, a number out of range, a wrong enum value); otherwise every field is valid (the
 * limits themselves included), so the valid side is well covered too.
 */
function itemArb(edgy: boolean) {
  // Plain integers choose (fc.oneof and fc.option lean to their first choice inside a record, so edges would hardly show).
  const either = <T>(...arbs: fc.Arbitrary<T>[]) => fc.integer({ min: 0, max: arbs.length - 1 }).chain((i) => arbs[i]);
  const orNull = <T>(arb: fc.Arbitrary<T>) => either<T | null>(arb, fc.constant(null));
  const pick = <T>(valid: fc.Arbitrary<T>, off: fc.Arbitrary<T>) => (edgy ? either(valid, off) : valid);
  const text = (min: number, max: number) => pick(
    either(fc.string({ minLength: min, maxLength: Math.min(max, 20) }), fc.constant('x'.repeat(min)), fc.constant('é'.repeat(max))),
    fc.constantFrom(...[min - 1, max + 1].filter((n) => n >= 0).map((n) => 'x'.repeat(n))),
  );
  const id = text(1, 128);
  const isoDate = pick(
    either(
      fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2300-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()),
      fc.constantFrom('2024-02-29T12:00:00Z', '2000-02-29T00:00:00.5+01:00', '2026-11-30T22:13:00.123456789Z', '2026-11-30T22:13:00-05:30'),
    ),
    either(
      fc.constantFrom('2023-02-29T12:00:00Z', '1900-02-29T00:00:00Z', '2026-11-30T22:13:00+24:00', '2026-11-30T24:00:00Z', '2026-11-30T22:13Z',
        '2026-11-30 22:13:00Z', '2026-11-30T22:13:00', '2026-13-01T00:00:00Z', '2026-04-31T00:00:00Z', '2026-11-30T22:13:00.Z', '2026-11-30T22:13:00z', ''),
      fc.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?(Z|[+-]\d\d:\d\d)?$/),
    ),
  );
  const json = fc.dictionary(pick(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', '0', '10')), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });
  const optional = <T>(arb: fc.Arbitrary<T>) => either<T | undefined>(arb, fc.constant(undefined));
  /** Drops the keys whose value is undefined (absent, as in JSON), except sometimes when edgy (present and undefined). */
  const record = <T extends Record<string, fc.Arbitrary<unknown>>>(fields: T) => fc.tuple(fc.record(fields), edgy ? fc.boolean() : fc.constant(false))
    .map(([r, keepUndefined]) => (keepUndefined ? r : Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined))));
  const sized = <T>(arb: fc.Arbitrary<T>, limit: number) => pick(
    fc.integer({ min: 0, max: 19 }).chain((i) => (i === 0 ? fc.array(arb, { minLength: limit, maxLength: limit }) : fc.array(arb, { maxLength: 3 }))),
    fc.array(arb, { minLength: limit + 1, maxLength: limit + 1 }),
  );
  const reason = record({
    code: text(1, 100), message: text(1, 2000),
    severity: optional(pick(fc.constantFrom('info', 'warning', 'error'), fc.constant('fatal'))), field: optional(text(0, 200)),
  });
  const note = record({ by: id, at: isoDate, text: text(1, 4000) });
  const outcome = record({
    kind: pick(fc.constantFrom(...OUTCOME_KINDS), fc.constant('maybe')), at: isoDate, by: id,
    reasonCode: optional(fc.string({ maxLength: 10 })), correctedOutput: optional(json), comment: optional(fc.string({ maxLength: 10 })),
  });
  const confidence = pick(either<number | null>(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1, -0, null)),
    fc.constantFrom(-Number.MIN_VALUE, 1 + Number.EPSILON, Number.NaN, Infinity, '0.5'));
  const integer = (min: number) => pick(either(fc.integer({ min, max: min + 1000 }), fc.constantFrom(min, Number.MAX_SAFE_INTEGER)),
    fc.constantFrom(min - 1, 1.5, 2 ** 53, -(2 ** 53)));
  return record({
    id, source: text(1, 200), externalId: text(1, 200), queueId: id, workflow: fc.string({ maxLength: 10 }), stage: fc.string({ maxLength: 10 }),
    exceptionClass: pick(fc.constantFrom(...EXCEPTION_CLASSES), fc.constant('extraction')), title: text(1, 500), summary: optional(text(0, 4000)), confidence,
    reasons: sized(reason, 100), input: json, output: json, status: pick(fc.constantFrom(...ITEM_STATUSES), fc.constant('lost')), assigneeId: orNull(id),
    assignmentEpoch: integer(0), leaseExpiresAt: orNull(isoDate), version: integer(1),
    createdAt: isoDate, enqueuedAt: isoDate, slaDueAt: isoDate, outcome: orNull(outcome),
    notes: sized(note, 1000),
    escalation: orNull(record({ by: id, at: isoDate, reasonCode: fc.string({ maxLength: 8 }), comment: optional(fc.string({ maxLength: 8 })) })),
  });
}

const ITEM_KEYS = Object.keys(Item.shape);
/**
 * Valid items; valid items with one field one step off (taken from an edgy item: may be off or not); and
 * either with a key added (one zod does not know, or a wrong type) or taken away.
 */
const itemLike = fc.tuple(
  itemArb(false),
  // Plain booleans and integers decide (fc.option and fc.oneof lean to their first choice inside a record).
  fc.boolean(), itemArb(true), fc.constantFrom(...ITEM_KEYS),
  fc.integer({ min: 0, max: 3 }), fc.constantFrom('extra', 'id', 'title', 'reasons', 'input', 'confidence', 'notes', 'outcome', '__proto__'), fc.jsonValue({ maxDepth: 2 }), fc.boolean(),
).map(([item, takeOff, edgy, offKey, change, key, value, remove]) => {
  const copy: Record<string, unknown> = { ...item };
  if (takeOff) {
    if (offKey in edgy) copy[offKey] = edgy[offKey];
    else delete copy[offKey];
  }
  if (change > 0) return copy;
  if (remove) delete copy[key];
  else Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
});
/** Whole values that are not items at all. */
const anything = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom(null, undefined, [], {}, 'item', 42, new Date(0), Object.create(null) as object));

describe('the fast path of Item.safeParse (issue 15 gap 1)', () => {
  const fast = fastPathOnly(Item);
  const safeParseItem = compileSafeParse(Item);

  it('compiles from the Item schema (a zod change it does not understand fails here, not silently slower)', () => {
    expect(safeParseItem.fastPathCompiled).toBe(true);
  });

  it('accepts nothing zod rejects, and outputs exactly what zod outputs (key order included)', () => {
    fc.assert(fc.property(fc.oneof(itemLike, anything), (value) => {
      expect(disagreement(fast, Item, value)).toBeUndefined();
    }), { seed: SEED, numRuns: 600 });
  });

  it('accepts every value already in zod\'s output form, so items as the server sends them take it', () => {
    let valid = 0;
    fc.assert(fc.property(itemLike, (value) => {
      const r = Item.safeParse(value);
      if (!r.success) return;
      // Put in zod's output form (defaults filled, unknown keys gone, zod's key order), through JSON as a pull does.
      const wire = JSON.parse(JSON.stringify(r.data)) as unknown;
      valid++;
      const taken = fast(wire);
      expect(taken).toBeDefined();
      expect(JSON.stringify(taken!.output)).toBe(JSON.stringify(r.data));
    }), { seed: SEED, numRuns: 400 });
    expect(valid).toBeGreaterThan(150);
  });

  it('answers exactly as zod on every value, errors and their messages included', () => {
    fc.assert(fc.property(fc.oneof(itemLike, anything), (value) => {
      const mine = safeParseItem(value);
      const zods = Item.safeParse(value);
      expect(mine.success).toBe(zods.success);
      if (mine.success && zods.success) expect(JSON.stringify(mine.data)).toBe(JSON.stringify(zods.data));
      else expect(mine.error?.issues).toEqual(zods.error?.issues);
    }), { seed: SEED, numRuns: 400 });
  });

  it('fills a missing default as zod does, and leaves an unknown key (which zod strips) to zod', () => {
    const item = JSON.parse(JSON.stringify(fc.sample(itemLike.filter((v) => Item.safeParse(v).success).map((v) => Item.parse(v)), { seed: SEED, numRuns: 1 })[0])) as Item;
    const withReason = { ...item, reasons: [{ code: 'x', message: 'y' }] };
    expect(fast(withReason)?.output.reasons[0].severity).toBe('warning');
    expect(JSON.stringify(fast(withReason)?.output)).toBe(JSON.stringify(Item.parse(withReason)));
    const extra = { ...item, secret: 1 };
    expect(fast(extra)).toBeUndefined();
    expect(safeParseItem(extra).data).not.toHaveProperty('secret');
    expect(fast(item)?.output).toEqual(item);
  });

  it('has teeth: the same check finds a fast path compiled from a schema one limit looser than zod\'s', () => {
    const looser = fastPathOnly(Item.extend({ title: z.string().min(1).max(501) }));
    // Items whose title is taken from an edgy item (one step off half the time), the rest valid.
    const titleEdges = fc.tuple(itemArb(false), itemArb(true)).map(([item, edgy]) => ({ ...item, title: edgy.title }));
    const found = fc.check(fc.property(titleEdges, (value) => disagreement(looser, Item, value) === undefined), { seed: SEED, numRuns: 500, endOnFailure: true });
    expect(found.failed).toBe(true);
  });

  it('refuses to compile what it does not understand (then zod checks everything)', () => {
    // A refinement it runs itself (test/shared/fast-parse-central.test.ts); one that runs only `when` something holds it leaves to zod.
    const refined = z.object({ n: z.number() }).refine((o) => o.n > 1, { when: () => true });
    expect(compileSafeParse(refined).fastPathCompiled).toBe(false);
    expect(compileSafeParse(refined)({ n: 0 }).success).toBe(false);
    expect(compileSafeParse(z.object({ n: z.number().transform((n) => n * 2) })).fastPathCompiled).toBe(false);
    expect(compileSafeParse(z.object({ u: z.union([z.string(), z.number()]) })).fastPathCompiled).toBe(false);
    expect(compileSafeParse(z.object({ e: z.email() })).fastPathCompiled).toBe(false);
  });
});
