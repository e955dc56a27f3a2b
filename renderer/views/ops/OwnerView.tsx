// The owner's desk: tripped rollback triggers as alerts, the escalations inbox, and the guided rollback.
import { useState } from 'react';
import { loadOps } from '../../state/ops-store';
import { AlertsPanel } from './AlertsPanel';
import { EscalationsInbox } from './EscalationsInbox';
import { RollbackFlow } from './RollbackFlow';
import { draftFromFilter, emptyDraft, type FlowState } from './rollback-flow';

export function OwnerView() {
  const [flow, setFlow] = useState<FlowState>({ step: 'closed' });
  return (
    <section className="view ops-view" data-testid="view-owner" aria-labelledby="owner-h">
      <header className="view-head">
        <h1 id="owner-h">Owner&apos;s desk</h1>
        <button type="button" className="btn" onClick={() => setFlow({ step: 'filter', draft: emptyDraft(new Date()), error: null })} data-testid="owner-rollback">
          Roll back outcomes…
        </button>
      </header>
      <AlertsPanel onRollback={(a) => setFlow({ step: 'filter', draft: draftFromFilter(a.proposedFilter), error: null })} />
      <EscalationsInbox />
      <RollbackFlow state={flow} setState={setFlow} onFinished={() => void loadOps('ops.alerts', {})} />
    </section>
  );
}
