// Sync status pushed by the core, and "sync now".
import { errorMessage } from '../desk/desk-error';
import { pushToast, useApp } from './app-store';
import { desk } from './desk';

export async function runSyncNow(): Promise<void> {
  try {
    const status = await desk().call('sync.now', {});
    useApp.setState({ sync: status });
  } catch (e) {
    pushToast(`Sync failed: ${errorMessage(e)}`, 'error');
  }
}
