import { formatDistanceToNowStrict } from 'date-fns';
import { useEffect } from 'react';
import { BundlesPanel } from '../components/BundlesPanel';
import { ConflictCard } from '../components/ConflictCard';
import { Kbd } from '../components/Kbd';
import { useApp } from '../state/app-store';
import { loadConflicts, resolveConflict, useConflicts } from '../state/conflicts-store';
import { runSyncNow } from '../state/sync-actions';

/** Sync state in full and the conflicts inbox (j/k to move, keys to discard or resubmit). */
export function SyncView() {
  const sync = useApp((s) => s.sync);
  const keymap = useApp((s) => s.keymap);
  const { conflicts, loaded, cursor, busy, titles } = useConflicts();

  useEffect(() => {
    void loadConflicts();
  }, []);

  return (
    <section className="view sync-view" data-testid="view-sync" aria-labelledby="sync-h">
      <header className="view-head">
        <h1 id="sync-h">Sync</h1>
        <span className="sb-spacer" />
        <button type="button" className="btn btn-sm" onClick={() => void runSyncNow()}>
          Sync now {keymap['sync.now']?.[0] && <Kbd sequence={keymap['sync.now'][0]} />}
        </button>
      </header>
      {sync && (
        <dl className="figures figures-sm" data-testid="sync-summary">
          <div className="figure">
            <dt>State</dt>
            <dd className={`sync-state-value state-${sync.state}`}>{sync.state.replace('_', ' ')}</dd>
          </div>
          <div className="figure">
            <dt>Pending decisions</dt>
            <dd>{sync.pending.toLocaleString()}</dd>
          </div>
          <div className="figure">
            <dt>Assigned items</dt>
            <dd>{sync.assigned.toLocaleString()}</dd>
          </div>
          <div className="figure">
            <dt>Last sync</dt>
            <dd>{sync.lastSyncAt ? formatDistanceToNowStrict(new Date(sync.lastSyncAt), { addSuffix: true }) : 'never'}</dd>
          </div>
          {sync.lastError && (
            <div className="figure figure-wide">
              <dt>Last error</dt>
              <dd className="error">{sync.lastError}</dd>
            </div>
          )}
        </dl>
      )}
      <section className="panel" aria-labelledby="conflicts-h">
        <h2 id="conflicts-h" className="panel-title">
          Conflicts inbox
          <span className="panel-hint">
            {keymap['conflict.discard']?.[0] && <Kbd sequence={keymap['conflict.discard'][0]} />} discard ·{' '}
            {keymap['conflict.resubmit']?.[0] && <Kbd sequence={keymap['conflict.resubmit'][0]} />} resubmit
          </span>
        </h2>
        {loaded && conflicts.length === 0 ? (
          <p className="muted" data-testid="conflicts-empty">
            No conflicts. Every decision the server answered is settled.
          </p>
        ) : (
          <ul className="conflicts" data-testid="conflicts-list" aria-label="Conflicts">
            {conflicts.map((c, i) => (
              <ConflictCard
                key={c.id}
                conflict={c}
                localTitle={titles[c.itemId]}
                active={i === cursor}
                busy={busy}
                onFocus={() => useConflicts.setState({ cursor: i })}
                onResolve={(action) => void resolveConflict(c.id, action)}
              />
            ))}
          </ul>
        )}
      </section>
      <BundlesPanel />
    </section>
  );
}
