// The core pushes its sync status after every push, pull page and claim, often unchanged (pending 0,
// online). Putting an equal status in the store again would redraw the status bar in the frame that
// paints the next item, for nothing. Compared key by key (one level into `progress`), so a field added
// to SyncStatus later is compared too.
import type { SyncStatus } from '../../shared/desk-api';

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

function sameFlat(a: Plain, b: Plain): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}

export function sameSyncStatus(a: SyncStatus | null, b: SyncStatus): boolean {
  if (!a) return false;
  const x = a as unknown as Plain;
  const y = b as unknown as Plain;
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  for (const k of keys) {
    if (x[k] === y[k]) continue;
    if (isPlain(x[k]) && isPlain(y[k]) && sameFlat(x[k], y[k])) continue;
    return false;
  }
  return true;
}
