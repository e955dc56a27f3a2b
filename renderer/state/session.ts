// Boot and session: load the session, settings, queues and sync status; wire the push events.
import type { SessionInfo } from '../../shared/desk-api';
import { errorMessage } from '../desk/desk-error';
import { applySettings, pushToast, useApp } from './app-store';
import { loadConflicts } from './conflicts-store';
import { desk } from './desk';
import { scheduleRefresh } from './queue-store';
import { onQueueChanged, useTriage } from './triage-store';

async function loadSignedInData(): Promise<void> {
  const d = desk();
  const [settings, queues, sync] = await Promise.all([
    d.call('settings.get', {}),
    d.call('queue.list', {}),
    d.call('sync.status', {}),
  ]);
  applySettings(settings);
  useApp.setState({ queues: queues.queues, sync });
}

export async function adoptSession(session: SessionInfo): Promise<void> {
  const wasSignedIn = useApp.getState().session?.signedIn ?? false;
  useApp.setState({ session });
  if (!session.signedIn) {
    useApp.setState({ view: 'signin', overlay: null });
    useTriage.setState({ current: null, empty: false, departed: null });
    return;
  }
  await loadSignedInData();
  // Known from the start, so a conflict that arrives later is told apart and announced (conflicts-store).
  if (!wasSignedIn) void loadConflicts();
  if (!wasSignedIn) useApp.setState({ view: 'triage' });
}

/** Reads the session again and everything that hangs off it (after the core process restarted). */
export async function reloadSession(): Promise<void> {
  await adoptSession(await desk().call('session.get', {}));
}

export async function boot(): Promise<void> {
  const d = desk();
  d.on('sync.status', (status) => {
    const prev = useApp.getState().sync;
    useApp.setState({ sync: status });
    if (prev && prev.conflicts !== status.conflicts) void loadConflicts();
  });
  d.on('queue.changed', (e) => {
    onQueueChanged(e.reason, e.itemIds);
    if (useApp.getState().view === 'queue') scheduleRefresh();
    if (e.reason === 'pull' || e.reason === 'claim' || e.reason === 'reset') {
      d.call('queue.list', {})
        .then((r) => useApp.setState({ queues: r.queues }))
        .catch(() => undefined);
    }
  });
  d.on('session.changed', (s) => {
    void adoptSession(s).catch((e) => pushToast(errorMessage(e), 'error'));
  });
  try {
    const session = await d.call('session.get', {});
    // Settings (theme) apply even before sign-in.
    applySettings(await d.call('settings.get', {}));
    await adoptSession(session);
    useApp.setState({ booted: true });
  } catch (e) {
    useApp.setState({ booted: true, fatal: errorMessage(e) });
  }
}

/** After signing in from the sign-in view (first time, or again after a 401), go to work. */
function leaveSignIn(): void {
  if (useApp.getState().view === 'signin' && useApp.getState().session?.signedIn) useApp.setState({ view: 'triage' });
}

export async function connect(serverUrl: string, token: string): Promise<void> {
  await adoptSession(await desk().call('session.connect', { serverUrl, token }));
  leaveSignIn();
}

export async function connectDemo(user: 'alice' | 'bob' | 'olivia' | 'sam'): Promise<void> {
  await adoptSession(await desk().call('session.connectDemo', { user }));
  leaveSignIn();
}

export async function signOut(): Promise<void> {
  try {
    await adoptSession(await desk().call('session.signOut', {}));
  } catch (e) {
    pushToast(`Sign-out failed: ${errorMessage(e)}`, 'error');
  }
}
