// The owner's desk: tripped rollback triggers as alerts, the escalations inbox, and the guided rollback.
import { useState } from 'react';
import { Dialog } from '../../components/Dialog';
import { loadOps } from '../../state/ops-store';
import { ItemsBrowser } from './ItemView';
import { AlertsPanel } from './AlertsPanel';
import { EscalationsInbox } from './EscalationsInbox';
import { RollbackFlow } from './RollbackFlow';
import { draftFromFilter, emptyDraft, type FlowState } from './rollback-flow';

export function OwnerView() {
  const [flow, setFlow] = useState<FlowState>({ step: 'closed' });
  const [findId, setFindId] = useState('');
  const [openId, setOpenId] = useState<string | null>(null);
  return (
    <section className="view ops-view" data-testid="view-owner" aria-labelledby="owner-h">
      <header className="view-head">
        <h1 id="owner-h">Owner&apos;s desk</h1>
        <button type="button" className="btn" onClick={() => setFlow({ step: 'filter', draft: emptyDraft(new Date()), error: null })} data-testid="owner-rollback">
          Roll back outcomes…
        </button>
      </header>
      <form className="ops-controls" aria-label="Open a decided item" onSubmit={(e) => { e.preventDefault(); if (findId.trim()) setOpenId(findId.trim()); }}>
        <label className="ops-controls">
          <span className="muted">Open an item (to override its outcome)</span>
          <input className="input" value={findId} onChange={(e) => setFindId(e.target.value)} placeholder="item id" data-testid="owner-find-item" spellCheck={false} />
        </label>
        <button type="submit" className="btn btn-sm" data-testid="owner-find-open">Open</button>
      </form>
      {openId && (
        <Dialog title={`Item ${openId}`} onClose={() => setOpenId(null)} testId="owner-item-dialog" size="lg">
          <ItemsBrowser itemIds={[openId]} />
        </Dialog>
      )}
      <AlertsPanel onRollback={(a) => setFlow({ step: 'filter', draft: draftFromFilter(a.proposedFilter), error: null })} />
      <EscalationsInbox />
      <RollbackFlow state={flow} setState={setFlow} onFinished={() => void loadOps('ops.alerts', {})} />
    </section>
  );
}
