// Who may see which operations view and call which ops desk method (DESIGN §8, issue 11): supervisors
// see everything, a path owner sees their own paths, a reviewer sees none of it. One table, read by the
// core (which refuses a call before it reaches the network) and by the renderer (which shows only the
// views a user may open). The server checks again on its side; this is the desk's own gate.
import type { Role } from './domain';

export const OPS_VIEWS = ['team', 'control', 'owner', 'tax', 'signals', 'weekly'] as const;
export type OpsView = (typeof OPS_VIEWS)[number];

/** Roles that may open each view. `admin` may act as any owner, so it sees the owner's views too. */
export const OPS_VIEW_ROLES: Record<OpsView, readonly Role[]> = {
  team: ['supervisor', 'admin'],
  control: ['supervisor', 'owner', 'admin'],
  owner: ['owner', 'admin'],
  tax: ['supervisor', 'owner', 'admin'],
  signals: ['supervisor', 'owner', 'admin'],
  weekly: ['supervisor', 'owner', 'admin'],
};

export const OPS_VIEW_LABELS: Record<OpsView, string> = {
  team: 'Team',
  control: 'Control points',
  owner: "Owner's desk",
  tax: 'Exception tax',
  signals: 'Design signals',
  weekly: 'Weekly review',
};

/** Keymap action (shared/keymap.ts) -> the ops view it opens. Views without an action yet are not listed. */
export const OPS_GO_ACTIONS = {
  'go.team': 'team',
  'go.control': 'control',
  'go.owner': 'owner',
  'go.tax': 'tax',
  'go.signals': 'signals',
  'go.weekly': 'weekly',
} as const satisfies Record<string, OpsView>;
export type OpsGoAction = keyof typeof OPS_GO_ACTIONS;

/** False for a keymap action that opens an ops view these roles may not open (help and the palette hide it). */
export function actionAvailable(actionId: string, roles: readonly Role[]): boolean {
  const view = (OPS_GO_ACTIONS as Record<string, OpsView | undefined>)[actionId];
  return view === undefined || mayOpenOpsView(roles, view);
}

/** The ops views a user with these roles may open, in nav order. */
export function opsViewsFor(roles: readonly Role[]): OpsView[] {
  return OPS_VIEWS.filter((v) => mayOpenOpsView(roles, v));
}

export function mayOpenOpsView(roles: readonly Role[], view: OpsView): boolean {
  return OPS_VIEW_ROLES[view].some((r) => roles.includes(r));
}

/** Roles that may call each ops desk method (shared/desk-api.ts `ops.*`). A method not listed here is
 * refused to everyone: adding an ops method without deciding who may call it fails closed. */
export const OPS_METHOD_ROLES: Record<string, readonly Role[]> = {
  'ops.team': OPS_VIEW_ROLES.team,
  'ops.controlPoints': OPS_VIEW_ROLES.control,
  'ops.tax': OPS_VIEW_ROLES.tax,
  // The items behind any figure one may see; overriding is the queue owner's authority (DESIGN §8).
  'ops.items': ['supervisor', 'owner', 'admin'],
  'ops.override': ['owner', 'admin'],
  // The design loop (DESIGN §8): supervisors read; owners (of the path) and admins decide and mark reviewed.
  'ops.signals': OPS_VIEW_ROLES.signals,
  'ops.scorecard': OPS_VIEW_ROLES.signals,
  'ops.decideSignal': ['owner', 'admin'],
  'ops.weekly': OPS_VIEW_ROLES.weekly,
  'ops.weeklyExport': OPS_VIEW_ROLES.weekly,
  'ops.markWeekly': ['owner', 'admin'],
  // POST /v1/assignments is the supervisor's (DESIGN §5).
  'ops.assign': ['supervisor', 'admin'],
  'ops.escalations': OPS_VIEW_ROLES.owner,
  'ops.definitions': ['supervisor', 'owner', 'admin'],
  // Alerts of the paths one sees; rollbacks are the owner's authority (DESIGN §8).
  'ops.alerts': ['supervisor', 'owner', 'admin'],
  'ops.ackAlert': ['supervisor', 'owner', 'admin'],
  'ops.rollbackPreview': ['owner', 'admin'],
  'ops.rollbackApply': ['owner', 'admin'],
  'ops.rollbackProgress': ['owner', 'admin', 'supervisor'],
};

export function mayCallOpsMethod(roles: readonly Role[], method: string): boolean {
  const allowed = Object.hasOwn(OPS_METHOD_ROLES, method) ? OPS_METHOD_ROLES[method] : [];
  return allowed.some((r) => roles.includes(r));
}
