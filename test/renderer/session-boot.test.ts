// Boot against a desk whose answers are held: boot shows triage at once, and what the reviewer does
// while the signed-in data (queues, sync status) is still on its way must survive those answers.
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionInfo, Settings, SyncStatus } from '../../shared/desk-api';
import type { Desk } from '../../renderer/desk/client';
import { setView, useApp } from '../../renderer/state/app-store';
import { setDesk } from '../../renderer/state/desk';
import { boot } from '../../renderer/state/session';

const SESSION: SessionInfo = {
  signedIn: true, serverUrl: 'http://127.0.0.1:1', user: { id: 'olivia', name: 'Olivia', roles: ['owner'] },
  clientId: 'c1', demo: true, demoAvailable: true,
};
const SETTINGS: Settings = { claimTargetSize: 50, leaseMinutes: 30, theme: 'system', keymap: {}, idleThresholdSec: 60 };
const status = (pending: number): SyncStatus => ({
  state: 'online', pending, conflicts: 0, assigned: 3, lastSyncAt: null, lastError: null, progress: null, nextRetryAt: null,
});

/** Answers every call at once, except the methods in `held`, which wait for `release(method)`. */
function heldDesk(held: string[]) {
  const gates = new Map<string, () => void>();
  const listeners = new Map<string, ((p: unknown) => void)[]>();
  const answers: Record<string, unknown> = {
    'app.boot': { session: SESSION, settings: SETTINGS, first: null },
    'session.get': SESSION, 'settings.get': SETTINGS, 'triage.next': { itemId: null },
    'queue.list': { queues: [] }, 'sync.status': status(0), 'conflicts.list': { conflicts: [] },
  };
  const desk = {
    transport: 'http',
    async call(method: string) {
      if (held.includes(method)) await new Promise<void>((r) => gates.set(method, r));
      if (!(method in answers)) throw new Error(`unexpected ${method}`);
      return answers[method];
    },
    on(event: string, l: (p: unknown) => void) {
      listeners.set(event, [...(listeners.get(event) ?? []), l]);
      return () => undefined;
    },
    onShell: () => () => undefined,
  } as unknown as Desk;
  return {
    desk,
    waitingFor: (m: string) => gates.has(m),
    release: (m: string) => gates.get(m)!(),
    emit: (event: string, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload)),
  };
}

const turn = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => useApp.setState({ view: 'signin', session: null, sync: null }));

describe('boot', () => {
  it('keeps a view the reviewer chose while the queues and sync status were still loading', async () => {
    const d = heldDesk(['queue.list']);
    setDesk(d.desk);
    const booted = boot();
    while (!d.waitingFor('queue.list')) await turn();
    expect(useApp.getState().view).toBe('triage');
    setView('tax');
    d.release('queue.list');
    await booted;
    expect(useApp.getState().view).toBe('tax');
  });

  it('a sync status pushed while its first read was on its way is not overwritten by that older read', async () => {
    const d = heldDesk(['sync.status']);
    setDesk(d.desk);
    const booted = boot();
    while (!d.waitingFor('sync.status')) await turn();
    d.emit('sync.status', status(1));
    d.release('sync.status');
    await booted;
    expect(useApp.getState().sync?.pending).toBe(1);
  });

  it('an unchanged sync status pushed again leaves the store as it was (no redraw); a changed one replaces it', async () => {
    const d = heldDesk([]);
    setDesk(d.desk);
    await boot();
    d.emit('sync.status', { ...status(1), progress: { phase: 'pull', done: 5, total: 10 } });
    const first = useApp.getState().sync;
    d.emit('sync.status', { ...status(1), progress: { phase: 'pull', done: 5, total: 10 } });
    expect(useApp.getState().sync).toBe(first);
    d.emit('sync.status', { ...status(1), progress: { phase: 'pull', done: 6, total: 10 } });
    expect(useApp.getState().sync?.progress?.done).toBe(6);
    d.emit('sync.status', { ...status(1), progress: { phase: 'pull', done: 6, total: 10 }, quarantined: 2 });
    expect(useApp.getState().sync?.quarantined).toBe(2);
  });
});
