// What each keymap action does. The global key handler and the command palette both run these.
import type { KeymapActionId } from '../../shared/keymap';
import { closeOverlay, openOverlay, pushToast, setView, useApp, type View } from '../state/app-store';
import { runSyncNow } from '../state/sync-actions';
import { desk } from '../state/desk';
import { errorMessage } from '../desk/desk-error';
import { bulkApprove, moveCursor, setFilter, toggleSelected, rowAt, useQueue } from '../state/queue-store';
import { acknowledge, decide, moveItem, openItem, undoLast, useTriage } from '../state/triage-store';
import { conflictCommand } from '../state/conflicts-store';
import { toggleTheme } from '../state/theme';
import { requestBundleCommand, type BundleStep } from '../state/bundles-store';

import { OPS_GO_ACTIONS } from '../../shared/ops-access';
import { escalateRefusal, escalateRefusalText } from '../../shared/escalation';
import { goOps } from '../views/ops/ops-nav';
import { askFilterFocus } from './filter-focus';

// The palette's bundle commands, and the panel step each one starts.
const BUNDLE_COMMANDS = {
  'bundle.importWork': 'importWork', 'bundle.exportDecisions': 'exportDecisions', 'bundle.importReceipt': 'importReceipt', 'bundle.checkout': 'checkout',
} as const satisfies Record<string, BundleStep>;

function needsItem(): boolean {
  if (useApp.getState().view !== 'triage') setView('triage');
  // The shown item left under the reviewer: this key acts on the notice, not on the next item.
  if (useTriage.getState().departed) {
    void acknowledge();
    return false;
  }
  if (useTriage.getState().current) return true;
  pushToast('No item to decide', 'info');
  return false;
}

/** Why the shown item may not be escalated by this reviewer (their own queue, already escalated), in words. */
function escalateRefusalNow(): string | null {
  const detail = useTriage.getState().current;
  if (!detail) return null;
  const refusal = escalateRefusal(detail.queue, detail.item.status, useApp.getState().session?.user?.id ?? null);
  return refusal && escalateRefusalText(refusal, detail.queue?.name ?? detail.item.queueId);
}

function go(view: View): void {
  setView(view);
}

export function runAction(id: KeymapActionId): void {
  const view = useApp.getState().view;
  switch (id) {
    case 'item.next':
    case 'item.prev': {
      const delta = id === 'item.next' ? 1 : -1;
      if (view === 'queue') moveCursor(delta);
      else if (view === 'sync') conflictCommand(delta > 0 ? 'next' : 'prev');
      else void moveItem(delta > 0 ? 'next' : 'prev');
      return;
    }
    case 'go.queue':
      return go('queue');
    case 'go.triage':
      return go('triage');
    case 'go.dashboard':
      return go('stats');
    case 'go.sync':
      return go('sync');
    case 'go.settings':
      return go('settings');
    case 'go.team':
    case 'go.control':
    case 'go.owner':
    case 'go.tax':
    case 'go.signals':
    case 'go.weekly':
      return goOps(OPS_GO_ACTIONS[id]);
    case 'decide.approve':
      if (needsItem()) void decide('approve', {});
      return;
    case 'decide.defer':
      if (needsItem()) void decide('defer', {});
      return;
    case 'decide.reject':
      if (needsItem()) openOverlay({ kind: 'picker', purpose: 'reject' });
      return;
    case 'decide.escalate': {
      if (!needsItem()) return;
      const refusal = escalateRefusalNow();
      if (refusal) pushToast(refusal, 'info');
      else openOverlay({ kind: 'picker', purpose: 'escalate' });
      return;
    }
    case 'decide.reclassify':
      if (needsItem()) openOverlay({ kind: 'picker', purpose: 'reclassify-class' });
      return;
    case 'decide.correct':
      if (needsItem()) openOverlay({ kind: 'correct' });
      return;
    case 'decide.note':
      if (needsItem()) openOverlay({ kind: 'note' });
      return;
    case 'decide.undo':
      void undoLast();
      return;
    case 'queue.select': {
      if (view !== 'queue') return go('queue');
      const row = rowAt(useQueue.getState().cursor);
      if (row) toggleSelected(row.id);
      return;
    }
    case 'queue.bulkApprove':
      if (view !== 'queue') return go('queue');
      void bulkApprove();
      return;
    case 'queue.filter':
      if (view !== 'queue') setView('queue');
      askFilterFocus();
      return;
    case 'queue.toggleDone': {
      if (view !== 'queue') setView('queue');
      setFilter({ showDone: !useQueue.getState().filter.showDone });
      return;
    }
    case 'queue.open': {
      const row = rowAt(useQueue.getState().cursor);
      if (!row) return;
      // Open first, then show triage: entering triage then focuses this item, not the one shown before.
      void openItem(row.id);
      setView('triage');
      return;
    }
    case 'sync.now':
      void runSyncNow();
      return;
    case 'conflict.discard':
      if (view !== 'sync') return go('sync');
      conflictCommand('discard');
      return;
    case 'conflict.resubmit':
      if (view !== 'sync') return go('sync');
      conflictCommand('resubmit');
      return;
    case 'bundle.importWork':
    case 'bundle.exportDecisions':
    case 'bundle.importReceipt':
    case 'bundle.checkout': {
      if (view !== 'sync') setView('sync');
      const command = BUNDLE_COMMANDS[id];
      // The panel mounts with the Sync view (maybe later, once its code has loaded): it takes the command then.
      requestAnimationFrame(() => requestBundleCommand(command));
      return;
    }
    case 'app.palette':
      openOverlay({ kind: 'palette' });
      return;
    case 'app.help':
      openOverlay({ kind: 'help' });
      return;
    case 'app.close':
      closeOverlay();
      return;
    case 'app.toggleTheme':
      void toggleTheme();
      return;
    case 'app.revealLogs':
      void revealLogs();
      return;
  }
}

/** Electron opens the log folder; browser mode has no file manager to open, so it says where the logs are. */
async function revealLogs(): Promise<void> {
  try {
    const r = await desk().call('app.revealLogs', {});
    if (!r.path) pushToast('This desk writes no log files', 'info');
    else pushToast(r.revealed ? `Logs: ${r.path}` : `Logs are in ${r.path}`, 'info');
  } catch (e) {
    pushToast(`Could not reveal the logs: ${errorMessage(e)}`, 'error');
  }
}
