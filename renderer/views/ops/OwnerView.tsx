// The owner's desk: escalations as their own inbox (then rollback alerts and the rollback flow).
import { EscalationsInbox } from './EscalationsInbox';

export function OwnerView() {
  return (
    <section className="view ops-view" data-testid="view-owner" aria-labelledby="owner-h">
      <header className="view-head">
        <h1 id="owner-h">Owner&apos;s desk</h1>
      </header>
      <EscalationsInbox />
    </section>
  );
}
