// The boot order's two moments, as the first-paint hold tests watch them on a real core: the first sync cycle
// starting, and the renderer painting its first item (triage.next, triage.open, then app.startupMark).
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { Core } from '../../electron/core/index';
import type { SyncStatus } from '../../shared/desk-api';
import { FIRST_ITEM_PAINTED } from '../../shared/desk-names';
import { ok } from '../core/core-fixture';

/** Resolves when the core's first sync cycle starts, pushing 'sync started' to `log`. Attach before it can start. */
export function firstSyncStarted(core: Core, log: string[]): Promise<void> {
  return new Promise<void>((resolve) => {
    const off = core.onEvent((name, payload) => {
      if (name !== 'sync.status' || (payload as SyncStatus).state !== 'syncing') return;
      off();
      log.push('sync started');
      resolve();
    });
  });
}

/** Opens the first item as the renderer does and marks it painted, pushing 'first item painted' to `log`. */
export async function paintFirstItem(core: Core, log: string[]): Promise<void> {
  const first = (await ok(core, 'triage.next', { fromItemId: null, direction: 'next' })).itemId;
  expect(first).not.toBeNull();
  await ok(core, 'triage.open', { itemId: first! });
  // A timer set after the sync's kick(0) fires after it: without the hold the cycle has started by now.
  await sleep(20);
  log.push('first item painted');
  await ok(core, 'app.startupMark', { name: FIRST_ITEM_PAINTED });
}
