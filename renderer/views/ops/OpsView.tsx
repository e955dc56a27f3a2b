// The supervisor's and owner's views (DESIGN §8, issue 11). Each checks the signed-in roles again
// (shared/ops-access.ts) so a view reached by any path still shows nothing to a role it is not for.
import { mayOpenOpsView, OPS_VIEW_LABELS, type OpsView as OpsViewName } from '../../../shared/ops-access';
import { useApp } from '../../state/app-store';
import { ControlPointsView } from './ControlPointsView';
import { OwnerView } from './OwnerView';
import { SignalsView } from './SignalsView';
import { TaxView } from './TaxView';
import { TeamView } from './TeamView';
import { WeeklyView } from './WeeklyView';
import './ops.css';

export function OpsView({ view }: { view: OpsViewName }) {
  const roles = useApp((s) => s.session?.user?.roles ?? []);
  if (!mayOpenOpsView(roles, view)) {
    return (
      <section className="view" data-testid="view-ops-refused" aria-labelledby="ops-refused-h">
        <h1 id="ops-refused-h">{OPS_VIEW_LABELS[view]}</h1>
        <p role="alert">This view is not available to {roles.join(', ') || 'a signed-out desk'}.</p>
      </section>
    );
  }
  switch (view) {
    case 'owner':
      return <OwnerView />;
    case 'team':
      return <TeamView />;
    case 'control':
      return <ControlPointsView />;
    case 'tax':
      return <TaxView />;
    case 'signals':
      return <SignalsView />;
    case 'weekly':
      return <WeeklyView />;
    default:
      return (
        <section className="view" data-testid={`view-${view}`} aria-labelledby="ops-h">
          <h1 id="ops-h">{OPS_VIEW_LABELS[view]}</h1>
          <p className="muted">Not built yet.</p>
        </section>
      );
  }
}
