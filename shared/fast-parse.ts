// A fast path for zod on hot paths (issue 15 gap 1: every pulled item was checked with Item.safeParse on
// the core's thread). The check is compiled FROM the zod schema's own definition (lengths, bounds, enum
// values, the datetime pattern zod itself tests), so zod stays the single source of the rule. It only
// ever answers "valid, and here is exactly what zod would output" or "not sure": anything it does not
// accept (an unknown key zod would strip, a default zod would fill in, any invalid value) goes to zod,
// whose answer and error message stand. test/shared/fast-parse.test.ts proves with fast-check that the
// fast path accepts nothing zod rejects and outputs byte-for-byte what zod outputs.
import { z } from 'zod';

/** The value zod would output, or NOT_SURE when zod must decide. */
type Check = (value: unknown) => unknown;
const NOT_SURE: unique symbol = Symbol('not sure');

interface Def {
  type: string;
  checks?: CheckInstance[];
  [key: string]: unknown;
}
/** A check as zod holds it; a refinement's `check` runs it on a payload, adding issues when it fails. */
interface CheckInstance { _zod: { def: CheckDef; check: (payload: { value: unknown; issues: unknown[] }) => unknown } }
interface CheckDef {
  check: string;
  minimum?: number;
  maximum?: number;
  value?: number;
  inclusive?: boolean;
  format?: string;
  pattern?: RegExp;
  [key: string]: unknown;
}

const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** Thrown while compiling a schema part the fast path does not understand: then zod checks everything. */
class Unsupported extends Error {}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The schema's check, then its refinements (`.refine`, `.superRefine`: checks of kind 'custom') run as zod runs
 * them, on the value zod would output: any issue one adds is zod's to report. The type's own checks (lengths,
 * bounds, patterns) are compiled by the type.
 */
function compile(schema: unknown): Check {
  const def = defOf(schema);
  const refinements = (def.checks ?? []).filter((c) => c._zod.def.check === 'custom');
  const check = compileType(refinements.length === 0 ? def : { ...def, checks: def.checks!.filter((c) => c._zod.def.check !== 'custom') });
  if (refinements.length === 0) return check;
  for (const r of refinements) {
    // A refinement that runs only `when` something holds, or that zod may abort on: not worth mirroring.
    if (r._zod.def.when !== undefined || r._zod.def.abort === true) throw new Unsupported('a conditional refinement');
  }
  return (v) => {
    const out = check(v);
    if (out === NOT_SURE) return NOT_SURE;
    for (const r of refinements) {
      const payload = { value: out, issues: [] as unknown[] };
      // An async refinement (a promise) is zod's to refuse in a synchronous parse.
      if (r._zod.check(payload) instanceof Promise || payload.issues.length > 0) return NOT_SURE;
    }
    return out;
  };
}

function compileType(def: Def): Check {
  switch (def.type) {
    case 'string': return compileString(def);
    case 'number': return compileNumber(def);
    case 'boolean': return noChecks(def, (v) => (typeof v === 'boolean' ? v : NOT_SURE));
    case 'unknown': return noChecks(def, (v) => v);
    case 'enum': {
      const entries = Object.values(def.entries as Record<string, unknown>);
      if (!entries.every((e) => typeof e === 'string')) throw new Unsupported('enum with non-string values');
      const allowed = new Set(entries as string[]);
      return noChecks(def, (v) => (typeof v === 'string' && allowed.has(v) ? v : NOT_SURE));
    }
    case 'nullable': {
      const inner = compile(def.innerType);
      return noChecks(def, (v) => (v === null ? null : inner(v)));
    }
    // An optional value is checked where its key is present (see compileObject); undefined goes to zod.
    case 'optional': return noChecks(def, compile(def.innerType));
    // A missing value zod fills in with the default (unchecked, as zod does); see compileObject.
    case 'default': return noChecks(def, compile(def.innerType));
    case 'literal': {
      const values = def.values as unknown[];
      if (!values.every((e) => typeof e === 'string')) throw new Unsupported('a literal that is not a string');
      return noChecks(def, (v) => (typeof v === 'string' && values.includes(v) ? v : NOT_SURE));
    }
    // The output of `in` goes through `out` (a value zod would transform on the way has no compiled part).
    case 'pipe': {
      const first = compile(def.in);
      const then = compile(def.out);
      return noChecks(def, (v) => {
        const mid = first(v);
        return mid === NOT_SURE ? NOT_SURE : then(mid);
      });
    }
    case 'union': return compileDiscriminatedUnion(def);
    case 'array': return compileArray(def);
    case 'object': return compileObject(def);
    case 'record': return compileRecord(def);
    default: throw new Unsupported(`zod type '${def.type}'`);
  }
}

function noChecks(def: Def, check: Check): Check {
  if (def.checks?.length) throw new Unsupported(`checks on '${def.type}'`);
  return check;
}

function lengthBounds(def: Def): { min: number; max: number; pattern: RegExp | null } {
  let min = 0;
  let max = Infinity;
  let pattern: RegExp | null = null;
  for (const c of def.checks ?? []) {
    const cd = c._zod.def;
    if (cd.when !== undefined && cd.check !== 'min_length' && cd.check !== 'max_length') throw new Unsupported('a conditional check');
    if (cd.check === 'min_length') min = Math.max(min, cd.minimum!);
    else if (cd.check === 'max_length') max = Math.min(max, cd.maximum!);
    else if (cd.check === 'string_format' && cd.format === 'regex' && pattern === null && cd.pattern instanceof RegExp && !cd.pattern.global && !cd.pattern.sticky) pattern = cd.pattern;
    else throw new Unsupported(`check '${cd.check}'`);
  }
  return { min, max, pattern };
}

function compileString(def: Def): Check {
  // A string format (z.iso.datetime(), …) is a string schema whose own def is the check: zod tests its pattern.
  let format: RegExp | null = null;
  if (def.check !== undefined) {
    if (def.check !== 'string_format' || !(def.pattern instanceof RegExp) || def.format !== 'datetime' || def.pattern.global || def.pattern.sticky) {
      throw new Unsupported(`string format '${String(def.format)}'`);
    }
    format = def.pattern;
  }
  const { min, max, pattern } = lengthBounds(def);
  return (v) => {
    if (typeof v !== 'string' || v.length < min || v.length > max) return NOT_SURE;
    if (format !== null && !format.test(v)) return NOT_SURE;
    if (pattern !== null && !pattern.test(v)) return NOT_SURE;
    return v;
  };
}

function compileNumber(def: Def): Check {
  let lo = -Infinity;
  let loInclusive = true;
  let hi = Infinity;
  let hiInclusive = true;
  let integer = false;
  for (const c of def.checks ?? []) {
    const cd = c._zod.def;
    if (cd.check === 'greater_than' && typeof cd.value === 'number' && cd.when === undefined) [lo, loInclusive] = [cd.value, cd.inclusive === true];
    else if (cd.check === 'less_than' && typeof cd.value === 'number' && cd.when === undefined) [hi, hiInclusive] = [cd.value, cd.inclusive === true];
    else if (cd.check === 'number_format' && cd.format === 'safeint') integer = true;
    else throw new Unsupported(`number check '${cd.check}'`);
  }
  return (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return NOT_SURE;
    if (integer && !Number.isSafeInteger(v)) return NOT_SURE;
    if (loInclusive ? v < lo : v <= lo) return NOT_SURE;
    if (hiInclusive ? v > hi : v >= hi) return NOT_SURE;
    return v;
  };
}

function compileArray(def: Def): Check {
  const { min, max, pattern } = lengthBounds(def);
  if (pattern !== null) throw new Unsupported('a pattern on an array');
  const element = compile(def.element);
  return (v) => {
    if (!Array.isArray(v) || v.length < min || v.length > max) return NOT_SURE;
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const e = element(v[i]);
      if (e === NOT_SURE) return NOT_SURE;
      out[i] = e;
    }
    return out;
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function compileObject(def: Def): Check {
  if (def.catchall !== undefined) throw new Unsupported('an object with a catchall');
  if (def.checks?.length) throw new Unsupported('checks on an object');
  const shape = def.shape as Record<string, unknown>;
  const keys = Object.keys(shape);
  const known = new Set(keys);
  const fields = keys.map((key) => {
    const fieldDef = defOf(shape[key]);
    // A default's getter hands out a fresh copy each time, as zod reads it.
    const defaultOf = fieldDef.type === 'default' ? () => fieldDef.defaultValue : null;
    return { key, optional: fieldDef.type === 'optional', defaultOf, check: compile(shape[key]) };
  });
  return (v) => {
    if (!isPlainObject(v)) return NOT_SURE;
    // A key zod does not know would be stripped from its output: zod decides.
    for (const key in v) if (!known.has(key)) return NOT_SURE;
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const value = v[f.key];
      if (value === undefined) {
        // An absent optional key stays absent, as in zod's output; a missing defaulted one gets its default;
        // anything else undefined is zod's to answer.
        if (f.optional && !hasOwn.call(v, f.key)) continue;
        if (f.defaultOf !== null) { out[f.key] = f.defaultOf(); continue; }
        return NOT_SURE;
      }
      const checked = f.check(value);
      if (checked === NOT_SURE) return NOT_SURE;
      out[f.key] = checked;
    }
    return out;
  };
}

/** z.discriminatedUnion over objects whose discriminator is a string literal: the option the value names. */
function compileDiscriminatedUnion(def: Def): Check {
  const discriminator = def.discriminator;
  if (typeof discriminator !== 'string' || def.unionFallback === true) throw new Unsupported('a union without a discriminator');
  if (def.checks?.length) throw new Unsupported('checks on a union');
  const options = new Map<string, Check>();
  for (const option of def.options as unknown[]) {
    const optionDef = defOf(option);
    const tag = optionDef.type === 'object' ? defOf((optionDef.shape as Record<string, unknown>)[discriminator]) : null;
    if (tag?.type !== 'literal') throw new Unsupported('a discriminated union option without a literal tag');
    const check = compile(option);
    for (const value of tag.values as unknown[]) {
      if (typeof value !== 'string') throw new Unsupported('a discriminator that is not a string');
      options.set(value, check);
    }
  }
  return (v) => {
    if (!isPlainObject(v)) return NOT_SURE;
    const tag = v[discriminator];
    const option = typeof tag === 'string' ? options.get(tag) : undefined;
    return option === undefined ? NOT_SURE : option(v);
  };
}

function compileRecord(def: Def): Check {
  const key = defOf(def.keyType);
  if (key.type !== 'string' || key.checks?.length || key.check !== undefined) throw new Unsupported('a record key that is not a plain string');
  const value = compile(def.valueType);
  if (defOf(def.valueType).type !== 'unknown') throw new Unsupported('a record value other than unknown');
  if (def.checks?.length) throw new Unsupported('checks on a record');
  return (v) => {
    if (!isPlainObject(v)) return NOT_SURE;
    // zod copies a record key by key; a key '__proto__' would not copy as itself: zod decides.
    if (hasOwn.call(v, '__proto__')) return NOT_SURE;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k] = value(v[k]);
    return out;
  };
}

export type FastSafeParse<T> = (value: unknown) => z.ZodSafeParseResult<T>;

/**
 * `schema.safeParse`, answered without zod when the compiled check accepts the value; zod answers everything
 * else (so an error, and its message, are zod's). A schema with a part the compiler does not understand gets
 * plain `schema.safeParse` (`fastPathCompiled` tells which, for the test that this never happens silently).
 */
export function compileSafeParse<S extends z.ZodType>(schema: S): FastSafeParse<z.output<S>> & { fastPathCompiled: boolean } {
  let check: Check | null = null;
  try {
    check = compile(schema);
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
  }
  const fast = check;
  const parse = (value: unknown): z.ZodSafeParseResult<z.output<S>> => {
    if (fast !== null) {
      const out = fast(value);
      if (out !== NOT_SURE) return { success: true, data: out as z.output<S> };
    }
    return schema.safeParse(value);
  };
  return Object.assign(parse, { fastPathCompiled: fast !== null });
}

/** Only for tests: what the fast path alone answers (undefined = zod decides). */
export function fastPathOnly<S extends z.ZodType>(schema: S): (value: unknown) => { output: z.output<S> } | undefined {
  const check = compile(schema);
  return (value) => {
    const out = check(value);
    return out === NOT_SURE ? undefined : { output: out as z.output<S> };
  };
}
