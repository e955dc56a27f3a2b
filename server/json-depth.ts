// Request bodies are JSON trees the server later re-serialises (JSON.stringify is recursive): a body nested
// thousands of levels deep would overflow the stack there and answer 500. Refuse it up front as bad input.
import { MAX_BODY_JSON_DEPTH } from '../shared/limits';

export const MAX_JSON_DEPTH = MAX_BODY_JSON_DEPTH;

/** True when `value` nests objects/arrays deeper than `max`. Iterative, so it cannot overflow itself. */
export function exceedsJsonDepth(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push({ v: child, depth: depth + 1 });
  }
  return false;
}
