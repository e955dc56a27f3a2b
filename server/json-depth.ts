// Request bodies are JSON trees the server later re-serialises (JSON.stringify is recursive): a body nested
// thousands of levels deep would overflow the stack there and answer 500. Refuse it up front as bad input.
import { MAX_BODY_JSON_DEPTH } from '../shared/limits';

export const MAX_JSON_DEPTH = MAX_BODY_JSON_DEPTH;

/**
 * True when `value` nests objects/arrays deeper than `max`. Iterative, so it cannot overflow itself; on two
 * parallel stacks, and only containers go on them (every request body passes here: an object per node was
 * most of its cost).
 */
export function exceedsJsonDepth(value: unknown, max = MAX_JSON_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return false;
  const values: object[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const v = values.pop()!;
    const depth = depths.pop()!;
    if (depth >= max) return true;
    if (Array.isArray(v)) {
      for (const child of v as unknown[]) if (child !== null && typeof child === 'object') { values.push(child); depths.push(depth + 1); }
      continue;
    }
    for (const k in v) {
      if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
      const child = (v as Record<string, unknown>)[k];
      if (child !== null && typeof child === 'object') { values.push(child); depths.push(depth + 1); }
    }
  }
  return false;
}
