// Boot and session: load the session, settings, queues and sync status; wire the push events.
import type { SessionInfo, Settings } from '../../shared/desk-api';
import { errorMessage } from '../desk/desk-error';
import { applySettings, pushToast, useApp } from './app-store';
import { loadConflicts } from './conflicts-store';
import { coalesced } from '../logic/coalesced';
import { sameSyncStatus } from '../logic/same-sync-status';
import { desk } from './desk';
import { scheduleRefresh } from './queue-store';
import { afterFirstItem } from './startup-marks';
import { ensureItem, onQueueChanged, useTriage } from './triage-store';

const QUEUE_LIST_REFRESH_MS = 300;

/** Sync status events seen so far: a status read that answers after a newer event must not replace it. */
let statusEvents = 0;

/** `settings`: already read in this same step (boot reads them with the session), so not asked again. */
async function loadSignedInData(settings?: Settings): Promise<void> {
  const d = desk();
  const eventsBefore = statusEvents;
  const [fresh, queues, sync] = await Promise.all([
    settings ?? d.call('settings.get', {}),
    d.call('queue.list', {}),
    d.call('sync.status', {}),
  ]);
  if (fresh !== settings) applySettings(fresh);
  useApp.setState(statusEvents === eventsBefore ? { queues: queues.queues, sync } : { queues: queues.queues });
}

export async function adoptSession(session: SessionInfo, settings?: Settings): Promise<void> {
  const wasSignedIn = useApp.getState().session?.signedIn ?? false;
  useApp.setState({ session });
  if (!session.signedIn) {
    useApp.setState({ view: 'signin', overlay: null });
    useTriage.setState({ current: null, empty: false, departed: null });
    return;
  }
  await loadSignedInData(settings);
  // Known from the start, so a conflict that arrives later is told apart and announced (conflicts-store).
  // After the first item is on screen: the list is not needed to paint it, and would queue ahead of its open.
  if (!wasSignedIn) void afterFirstItem().then(loadConflicts);
  // Work starts in triage, unless the reviewer already went elsewhere while the data above loaded (boot
  // shows triage at once, and a `g x` pressed then must not be undone when these answers land).
  if (!wasSignedIn && useApp.getState().view === 'signin') useApp.setState({ view: 'triage' });
}

/** Reads the session again and everything that hangs off it (after the core process restarted). */
export async function reloadSession(): Promise<void> {
  await adoptSession(await desk().call('session.get', {}));
}

/** Queue names, policies and counts after pulls: at once, then at most once a window (each push answer is a 'pull' change). */
const refreshQueues = coalesced(() => {
  desk().call('queue.list', {})
    .then((r) => useApp.setState({ queues: r.queues }))
    .catch(() => undefined);
}, QUEUE_LIST_REFRESH_MS);

export async function boot(): Promise<void> {
  const d = desk();
  d.on('sync.status', (status) => {
    statusEvents++;
    const prev = useApp.getState().sync;
    if (sameSyncStatus(prev, status)) return;
    useApp.setState({ sync: status });
    if (prev && prev.conflicts !== status.conflicts) void loadConflicts();
  });
  d.on('queue.changed', (e) => {
    onQueueChanged(e.reason, e.itemIds);
    if (useApp.getState().view === 'queue') scheduleRefresh();
    if (e.reason === 'pull' || e.reason === 'claim' || e.reason === 'reset') refreshQueues();
  });
  d.on('session.changed', (s) => {
    void adoptSession(s).catch((e) => pushToast(errorMessage(e), 'error'));
  });
  try {
    // One read for what the first paint needs: the session, the settings (theme, even before sign-in) and the
    // first item of the assigned set with its detail, so the item paints with the first render that has the
    // session, and its triage.open (labor) follows instead of going before (issue 15 gap 4: `npm start` to
    // the first item painted).
    const { session, settings, first } = await d.call('app.boot', {});
    applySettings(settings);
    // Signed in: the first item shows now, beside the queues and sync status, not after them. Work starts
    // in triage (adoptSession).
    if (session.signedIn) {
      useApp.setState({ view: 'triage' });
      void ensureItem(first);
    }
    await adoptSession(session, settings);
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
