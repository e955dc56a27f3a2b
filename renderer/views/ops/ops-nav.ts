// How the supervisor's and owner's views are reached: `g` chords, the palette and the nav show only the
// views the signed-in roles may open (shared/ops-access.ts); the core refuses their methods anyway.
import type { Role } from '../../../shared/domain';
import { mayOpenOpsView, OPS_GO_ACTIONS, OPS_VIEW_LABELS, opsViewsFor, type OpsView } from '../../../shared/ops-access';
import { pushToast, setView, useApp } from '../../state/app-store';

export function currentRoles(): readonly Role[] {
  return useApp.getState().session?.user?.roles ?? [];
}

/** Opens an ops view if the signed-in roles may; otherwise says why and stays. */
export function goOps(view: OpsView): void {
  const roles = currentRoles();
  if (!mayOpenOpsView(roles, view)) {
    pushToast(`${OPS_VIEW_LABELS[view]} is not available to ${roles.length ? roles.join(', ') : 'a signed-out desk'}`, 'info');
    return;
  }
  setView(view);
}

/** Nav entries for the ops views these roles may open, in nav order, with the action that opens each. */
export function opsNavLinks(roles: readonly Role[]): { view: OpsView; label: string; action: string }[] {
  const actionOf = Object.fromEntries(Object.entries(OPS_GO_ACTIONS).map(([a, v]) => [v, a])) as Partial<Record<OpsView, string>>;
  return opsViewsFor(roles)
    .filter((v) => actionOf[v])
    .map((v) => ({ view: v, label: OPS_VIEW_LABELS[v], action: actionOf[v]! }));
}
