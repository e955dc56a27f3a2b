// Electron's shell events (shared/desk-api.ts shellEvents): app-menu commands, a restarted core, and
// notices from main. Browser mode never sends them; its transport answers the subscriptions with no-ops.
import type { Desk } from '../desk/client';
import { errorMessage } from '../desk/desk-error';
import { runAction } from '../keyboard/actions';
import { sendWindowState } from '../keyboard/labor-signals';
import { planMenuCommand } from '../keyboard/menu-commands';
import { closeOverlay, dismissNotice, pushToast, showNotice, useApp } from './app-store';
import { loadConflicts } from './conflicts-store';
import { scheduleRefresh } from './queue-store';
import { reloadSession } from './session';
import { afterCoreRestart } from './triage-store';

/** Everything the old core told us may be stale: session, settings, queues, sync, conflicts, items. */
async function reloadAfterRestart(): Promise<void> {
  try {
    await reloadSession();
    if (!useApp.getState().session?.signedIn) return;
    sendWindowState();
    afterCoreRestart();
    if (useApp.getState().view === 'queue') scheduleRefresh();
    await loadConflicts();
  } catch (e) {
    pushToast(`The desk restarted but could not reload: ${errorMessage(e)}`, 'error');
  }
}

export function installShellEvents(d: Desk): () => void {
  const offs = [
    d.onShell('app.command', ({ command }) => {
      const { view, session, overlay } = useApp.getState();
      const plan = planMenuCommand(command, { view, signedIn: session?.signedIn ?? false, overlay });
      if (plan.kind === 'refuse') {
        pushToast(plan.message, 'info');
        return;
      }
      if (plan.closeOverlay) closeOverlay();
      runAction(plan.actionId);
    }),
    d.onShell('core.restarted', ({ reason, gaveUp }) => {
      if (gaveUp) {
        showNotice({
          code: 'core_down',
          level: 'error',
          message: `The desk’s background process stopped and could not be restarted (${reason}). Decisions already made are kept in the local cache. Restart the app to go on.`,
        });
        return;
      }
      dismissNotice('core_down');
      pushToast('The desk’s background process restarted. Your saved decisions are safe; reloading your queue.', 'info');
      void reloadAfterRestart();
    }),
    d.onShell('app.notice', (notice) => showNotice(notice)),
  ];
  return () => offs.forEach((off) => off());
}
