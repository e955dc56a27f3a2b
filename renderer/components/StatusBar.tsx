import { formatDistanceToNowStrict } from 'date-fns';
import type { SyncStatus } from '../../shared/desk-api';
import { useNow } from '../hooks/use-now';
import { BundleLeaseBadge } from './BundleLease';
import { chordKeys } from '../keyboard/chords';
import { setView, useApp } from '../state/app-store';
import { runSyncNow } from '../state/sync-actions';

const PHASE: Record<NonNullable<SyncStatus['progress']>['phase'], string> = {
  push: 'Sending decisions',
  pull: 'Receiving items',
  claim: 'Claiming items',
  checkout: 'Checking out',
};

function stateLabel(s: SyncStatus, now: number, needsToken: boolean): string {
  switch (s.state) {
    case 'online':
      return 'Online';
    case 'syncing': {
      const p = s.progress;
      if (!p) return 'Syncing…';
      return `${PHASE[p.phase]} ${p.done.toLocaleString()}${p.total !== null ? ` / ${p.total.toLocaleString()}` : ''}`;
    }
    case 'offline': {
      const retry = s.nextRetryAt ? Math.max(0, Math.round((Date.parse(s.nextRetryAt) - now) / 1000)) : null;
      return `Offline · working locally${retry !== null ? ` · retry in ${retry}s` : ''}`;
    }
    case 'unauthorized':
      return needsToken ? 'Token needed to sync · working offline' : 'Sign-in expired · decisions are kept';
    case 'error':
      return 'Sync error';
    case 'signed_out':
      return 'Signed out';
  }
}

/** Bottom bar: connection, sync progress, pending and conflicts, last sync, sync now. */
export function StatusBar() {
  const sync = useApp((s) => s.sync);
  const pending = useApp((s) => s.pendingChord);
  const session = useApp((s) => s.session);
  const now = useNow();
  if (!sync) return <footer className="statusbar" data-testid="status-bar" aria-label="Sync status" />;
  const p = sync.progress;
  const pct = p && p.total ? Math.min(100, Math.round((p.done / p.total) * 100)) : null;
  return (
    <footer className="statusbar" data-testid="status-bar" data-sync-state={sync.state} aria-label="Sync status">
      <span className={`sync-state state-${sync.state}`} data-testid="sync-state" role="status" title={sync.lastError ?? undefined}>
        <span className="dot" aria-hidden="true" />
        {stateLabel(sync, now, session?.needsToken ?? false)}
      </span>
      {pct !== null && (
        <span className="sync-progress" role="progressbar" aria-label="Sync progress" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
          <span style={{ width: `${pct}%` }} />
        </span>
      )}
      {sync.state === 'unauthorized' && (
        <button type="button" className="link-btn" onClick={() => setView('signin')}>
          Sign in again
        </button>
      )}
      <span className="sb-item" data-testid="sync-pending" data-count={sync.pending}>
        {sync.pending.toLocaleString()} pending
      </span>
      <button
        type="button"
        className={`sb-item link-btn${sync.conflicts ? ' has-conflicts' : ''}`}
        data-testid="sync-conflicts"
        data-count={sync.conflicts}
        onClick={() => setView('sync')}
      >
        {sync.conflicts.toLocaleString()} {sync.conflicts === 1 ? 'conflict' : 'conflicts'}
      </button>
      {(sync.quarantined ?? 0) > 0 && (
        <span className="sb-item" data-testid="sync-quarantined" title="The server sent item copies this desk cannot read; they are skipped and the rest syncs.">
          {sync.quarantined!.toLocaleString()} unreadable {sync.quarantined === 1 ? 'item' : 'items'} skipped
        </span>
      )}
      {(sync.leasesExpiringSoon ?? 0) > 0 && (
        <span className="sb-item" data-testid="sync-leases-ending" data-count={sync.leasesExpiringSoon} role="alert">
          {sync.leasesExpiringSoon!.toLocaleString()} {sync.leasesExpiringSoon === 1 ? 'lease ends' : 'leases end'} within 10 min
          {sync.state === 'online' || sync.state === 'syncing' ? ' — renewing at the next sync' : ' — connect to renew'}
        </span>
      )}
      <span className="sb-item" data-testid="sync-assigned">
        {sync.assigned.toLocaleString()} assigned
      </span>
      <BundleLeaseBadge />
      <span className="sb-spacer" />
      {pending.length > 0 && (
        <span className="sb-item chord-pending" aria-live="polite">
          {pending.map((c) => chordKeys(c).join('+')).join(' ')} …
        </span>
      )}
      {session?.demo && <span className="sb-item">Demo</span>}
      <span className="sb-item muted" data-testid="sync-last">
        {sync.lastSyncAt ? `Synced ${formatDistanceToNowStrict(new Date(sync.lastSyncAt), { addSuffix: true })}` : 'Never synced'}
      </span>
      <button type="button" className="btn btn-sm" data-testid="sync-now" onClick={() => void runSyncNow()} disabled={sync.state === 'signed_out'}>
        Sync now
      </button>
    </footer>
  );
}
