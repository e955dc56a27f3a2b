// The one desk client of this window, set once at boot (main.tsx) and used by the stores.
import type { Desk } from '../desk/client';

let current: Desk | null = null;

export function setDesk(d: Desk): void {
  current = d;
}

export function desk(): Desk {
  if (!current) throw new Error('desk client used before boot');
  return current;
}
