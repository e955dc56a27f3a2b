// The central API's exact write limits, in one place. The server refuses (or caps) anything past them at
// write time, so a stored item always passes the Item schema it is served with; the desk checks a mutation
// against the same numbers before it enters the outbox, so the server never refuses it as malformed.
// Plain data and pure functions only: the renderer, the core and the server all import this file.

// ---------- request bodies ----------

/** Fastify's default body limit, for every route without its own. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** POST /v1/sync/push (reviewer, owner). */
export const PUSH_BODY_LIMIT = 8 * 1024 * 1024;
/** POST /v1/exceptions (producer). */
export const INGEST_BODY_LIMIT = 16 * 1024 * 1024;
/** A whole request body nested deeper than this many levels is refused (400) before any handler runs. */
export const MAX_BODY_JSON_DEPTH = 64;

// ---------- free-form JSON inside a body (item input / output, a correction) ----------

/**
 * How deep a free-form JSON value may nest: `{}` is 1, `{"a":[1]}` is 2. Well below MAX_BODY_JSON_DEPTH, so
 * the per-field rule (which the desk can check) always trips before the whole-body rule.
 */
export const MAX_JSON_VALUE_DEPTH = 32;
/** An item's `input` or `output` at ingest, as UTF-8 JSON text. */
export const MAX_ITEM_JSON_BYTES = 256 * 1024;
/** A correction's `correctedOutput`, as UTF-8 JSON text. */
export const MAX_CORRECTION_BYTES = 256 * 1024;

// ---------- what an item may hold (the read schema's bounds, enforced at write time) ----------

/** Notes on one item (Item.notes). A note past it is answered `rejected` / `limit_exceeded`. */
export const MAX_ITEM_NOTES = 1000;
/** One note's text, and one decision's comment. */
export const MAX_NOTE_CHARS = 4000;
export const MAX_COMMENT_CHARS = 4000;
/** All note texts of one item together, as UTF-8 JSON strings: bounds the size of an item on every pull. */
export const MAX_ITEM_NOTES_BYTES = 256 * 1024;
/**
 * Mutations one push may settle on one item. The server stops the batch before the next one and answers
 * what it settled (`lastMutationId` says where to resume): nothing is refused, one push just cannot grow
 * one item without bound.
 */
export const MAX_ITEM_MUTATIONS_PER_PUSH = 20;

/**
 * A pull page ends before the items it carries pass this many bytes (at least one item a page), whatever its
 * `limit`: well under the desk's largest accepted response (64 MiB), so items grown to their limits can never
 * make a page the desk refuses.
 */
export const MAX_PULL_PAGE_BYTES = 16 * 1024 * 1024;

// ---------- ingest keys ----------

/**
 * `source` and `externalId` identify an exception for idempotent ingest: no control characters (U+0000 to
 * U+001F, U+007F), so two different pairs can never look alike in logs, keys or files.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const INGEST_KEY_PATTERN = /^[^\u0000-\u001f\u007f]+$/;

// ---------- labor ----------

/** A decision's wall-clock span (openedAt to decidedAt) longer than this is not labor but a clock fault. */
export const MAX_LABOR_WALL_MS = 30 * 24 * 60 * 60_000;
/** Active review segments behind one decision. */
export const MAX_LABOR_SEGMENTS = 100_000;

// ---------- claims and leases ----------

export const MAX_CLAIM_COUNT = 1000;
export const MAX_LEASE_MINUTES = 7 * 24 * 60;
/**
 * Items one reviewer may hold leased at once (claims and assignments together). A claim past it gets only
 * what fits (possibly nothing); an assignment past it is refused (409).
 */
export const MAX_LEASED_PER_USER = 2000;

// ---------- tokens ----------

/** Default lifetime of a token the CLI issues; `--expires-days 0` issues one that never expires. */
export const DEFAULT_TOKEN_DAYS = 90;

// ---------- checks both sides run ----------

/** The key the server's parser refuses, named as forbiddenJsonKey names it, if member `k` holding `child` is one. */
function forbiddenKeyAt(k: string, child: unknown): string | null {
  if (k === '__proto__') return '__proto__';
  if (k === 'constructor' && child !== null && typeof child === 'object' && Object.prototype.hasOwnProperty.call(child, 'prototype')) return 'constructor.prototype';
  return null;
}

/**
 * Keys a JSON body may not hold anywhere: the server's JSON parser refuses them (prototype poisoning),
 * `__proto__` always, `constructor` when its value is an object with a `prototype` key.
 */
export function forbiddenJsonKey(value: unknown): string | null {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) { for (const child of v as unknown[]) stack.push(child); continue; }
    // JSON.parse makes `__proto__` an own key, so Object.entries lists it.
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      const key = forbiddenKeyAt(k, child);
      if (key) return key;
      stack.push(child);
    }
  }
  return null;
}

/** Nesting depth of a JSON value: a scalar is 0, `{}` and `[]` are 1. Iterative, so it cannot overflow. */
export function jsonDepth(value: unknown): number {
  let max = 0;
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const here = depth + 1;
    if (here > max) max = here;
    // Stop descending far past any limit: the answer is already "too deep".
    if (here > MAX_BODY_JSON_DEPTH) return here;
    for (const child of Array.isArray(v) ? (v as unknown[]) : Object.values(v as Record<string, unknown>)) stack.push({ v: child, depth: here });
  }
  return max;
}

/** Bytes of `value` as UTF-8 JSON text (what the server stores and serves). */
export function jsonBytes(value: unknown): number {
  return utf8Bytes(JSON.stringify(value) ?? 'null');
}

export function utf8Bytes(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

/**
 * Why a free-form JSON value (item input / output, a correction) cannot be stored, or null when it can:
 * too deep, too big, or holding a key the server's parser refuses.
 */
export function freeJsonProblem(value: unknown, maxBytes: number): string | null {
  const { depth, key } = depthAndForbiddenKey(value);
  if (depth > MAX_JSON_VALUE_DEPTH) return `nests ${depth > MAX_BODY_JSON_DEPTH ? `more than ${MAX_BODY_JSON_DEPTH}` : depth} levels deep; at most ${MAX_JSON_VALUE_DEPTH} are accepted`;
  if (key) return `holds the key '${key}', which the server refuses`;
  const bytes = jsonBytes(value);
  if (bytes > maxBytes) return `is ${bytes} bytes as JSON; at most ${maxBytes} are accepted`;
  return null;
}

/**
 * jsonDepth and forbiddenJsonKey in one walk (ingest checks every item's input and output with both): the same
 * depth, and the key forbiddenJsonKey would name (the first met in the same visiting order), on parallel stacks
 * rather than an object per node. Stops descending past MAX_BODY_JSON_DEPTH, as jsonDepth does.
 */
function depthAndForbiddenKey(value: unknown): { depth: number; key: string | null } {
  let max = 0;
  let key: string | null = null;
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const here = depth + 1;
    if (here > max) max = here;
    if (here > MAX_BODY_JSON_DEPTH) return { depth: here, key };
    if (Array.isArray(v)) {
      for (const child of v as unknown[]) { values.push(child); depths.push(here); }
      continue;
    }
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      if (key === null) key = forbiddenKeyAt(k, child);
      values.push(child);
      depths.push(here);
    }
  }
  return { depth: max, key };
}
