// The oracle the fast-path property tests share: zod decides, and a compiled fast path may only agree with it.
import type { z } from 'zod';

/** Undefined when the fast path agrees with zod's `schema` on `value` (or declines it), else why not. */
export function disagreement(fast: (v: unknown) => { output: unknown } | undefined, schema: z.ZodType, value: unknown): string | undefined {
  const f = fast(value);
  if (f === undefined) return undefined;
  const r = schema.safeParse(value);
  if (!r.success) return `fast path accepted what zod rejects: ${r.error.issues[0]?.message}`;
  if (JSON.stringify(f.output) !== JSON.stringify(r.data)) return `fast path output ${JSON.stringify(f.output)} differs from zod's ${JSON.stringify(r.data)}`;
  return undefined;
}
