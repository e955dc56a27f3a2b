// The default keymap (DESIGN.md §9): every action the desk can run from the keyboard, with its default
// chords, label and group. Help, the command palette and the settings remapper all derive from this
// table; the user's overrides (Settings.keymap: action id -> chords) replace an action's defaults.
//
// Chord syntax: modifiers in the order ctrl+alt+shift+meta, then the key, lower-case:
// `a`, `shift+a`, `ctrl+k`, `ctrl+enter`, `?`, `/`, `down`, `esc`. A sequence is chords separated by
// one space: `g q`. Shift is implied (never written) for non-letter printable keys such as `?`.

import { OPS_VIEWS } from './ops-access';

export const KEYMAP_VIEWS = ['triage', 'queue', 'sync', 'stats', 'settings', 'signin', ...OPS_VIEWS] as const;
export type KeymapView = (typeof KEYMAP_VIEWS)[number];

export const KEYMAP_GROUPS = ['Navigate', 'Decide', 'Queue', 'Sync', 'App'] as const;
export type KeymapGroup = (typeof KEYMAP_GROUPS)[number];

export interface KeymapAction {
  id: string;
  label: string;
  group: KeymapGroup;
  defaults: readonly string[];
  /** Views where the keys fire; omitted = every signed-in view. The palette lists every action anyway. */
  views?: readonly KeymapView[];
}

const LISTS: readonly KeymapView[] = ['triage', 'queue', 'sync'];

export const KEYMAP_ACTIONS = [
  { id: 'item.next', label: 'Next item', group: 'Navigate', defaults: ['j', 'down'], views: LISTS },
  { id: 'item.prev', label: 'Previous item', group: 'Navigate', defaults: ['k', 'up'], views: LISTS },
  { id: 'go.queue', label: 'Go to queue', group: 'Navigate', defaults: ['g q'] },
  { id: 'go.triage', label: 'Go to triage', group: 'Navigate', defaults: ['g t'] },
  { id: 'go.dashboard', label: 'Go to my day (dashboard)', group: 'Navigate', defaults: ['g d'] },
  { id: 'go.sync', label: 'Go to sync and conflicts', group: 'Navigate', defaults: ['g s'] },
  { id: 'go.settings', label: 'Go to settings', group: 'Navigate', defaults: ['g ,'] },
  // Supervisor and owner views (DESIGN §8); shown and run only for the roles shared/ops-access.ts allows.
  { id: 'go.team', label: 'Go to team (supervisor)', group: 'Navigate', defaults: ['g m'] },
  { id: 'go.control', label: 'Go to control points (SLA board, at risk)', group: 'Navigate', defaults: ['g c'] },
  { id: 'go.owner', label: "Go to owner's desk (escalations, rollback)", group: 'Navigate', defaults: ['g o'] },
  { id: 'go.tax', label: 'Go to exception tax (cost per outcome, cost to completion)', group: 'Navigate', defaults: ['g x'] },
  { id: 'go.signals', label: 'Go to design signals and the scorecard', group: 'Navigate', defaults: ['g i'] },
  { id: 'go.weekly', label: 'Go to the weekly review', group: 'Navigate', defaults: ['g w'] },

  { id: 'decide.approve', label: 'Approve', group: 'Decide', defaults: ['a'], views: ['triage'] },
  { id: 'decide.reject', label: 'Reject (pick a reason)', group: 'Decide', defaults: ['r'], views: ['triage'] },
  { id: 'decide.correct', label: 'Correct the output', group: 'Decide', defaults: ['c'], views: ['triage'] },
  { id: 'decide.escalate', label: 'Escalate to owner (pick a reason)', group: 'Decide', defaults: ['e'], views: ['triage'] },
  { id: 'decide.defer', label: 'Defer (hand back)', group: 'Decide', defaults: ['d'], views: ['triage'] },
  { id: 'decide.reclassify', label: 'Reclassify', group: 'Decide', defaults: ['t'], views: ['triage'] },
  { id: 'decide.note', label: 'Add a note', group: 'Decide', defaults: ['n'], views: ['triage'] },
  { id: 'decide.undo', label: 'Undo last decision', group: 'Decide', defaults: ['z', 'ctrl+z'] },

  { id: 'queue.select', label: 'Select row', group: 'Queue', defaults: ['x'], views: ['queue'] },
  { id: 'queue.bulkApprove', label: 'Approve selection', group: 'Queue', defaults: ['shift+a'], views: ['queue'] },
  { id: 'queue.filter', label: 'Filter', group: 'Queue', defaults: ['/'], views: ['queue', 'triage'] },
  { id: 'queue.open', label: 'Open in triage', group: 'Queue', defaults: ['enter'], views: ['queue'] },
  { id: 'queue.toggleDone', label: 'Show or hide done items', group: 'Queue', defaults: ['o'], views: ['queue'] },

  { id: 'sync.now', label: 'Sync now', group: 'Sync', defaults: ['shift+s'] },
  { id: 'conflict.discard', label: 'Discard conflict (keep server)', group: 'Sync', defaults: ['shift+d'], views: ['sync'] },
  { id: 'conflict.resubmit', label: 'Resubmit my decision', group: 'Sync', defaults: ['shift+r'], views: ['sync'] },
  // Restricted sites (DESIGN §11): palette and app menu; no single keys (files are not a per-item action).
  { id: 'bundle.importWork', label: 'Import work bundle…', group: 'Sync', defaults: [] },
  { id: 'bundle.exportDecisions', label: 'Export decisions bundle…', group: 'Sync', defaults: [] },
  { id: 'bundle.importReceipt', label: 'Import receipt…', group: 'Sync', defaults: [] },
  { id: 'bundle.checkout', label: 'Check out work for offline (N hours)…', group: 'Sync', defaults: [] },

  { id: 'app.palette', label: 'Command palette', group: 'App', defaults: ['ctrl+k'] },
  { id: 'app.help', label: 'Keyboard shortcuts', group: 'App', defaults: ['?'] },
  { id: 'app.close', label: 'Close, cancel', group: 'App', defaults: ['esc'] },
  { id: 'app.toggleTheme', label: 'Toggle light / dark theme', group: 'App', defaults: [] },
  { id: 'app.revealLogs', label: 'Reveal logs', group: 'App', defaults: [] },
] as const satisfies readonly KeymapAction[];

export type KeymapActionId = (typeof KEYMAP_ACTIONS)[number]['id'];

/** Keys of the reason pickers (not remappable: a picker's row number). */
export const PICKER_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export type Keymap = Record<string, readonly string[]>;

/** The effective keymap: defaults with the user's overrides applied (unknown action ids ignored). */
export function effectiveKeymap(overrides: Record<string, readonly string[]> = {}): Keymap {
  const map: Keymap = {};
  for (const a of KEYMAP_ACTIONS as readonly KeymapAction[]) {
    map[a.id] = Object.prototype.hasOwnProperty.call(overrides, a.id) ? overrides[a.id] : a.defaults;
  }
  return map;
}

export function findAction(id: string): KeymapAction | undefined {
  return (KEYMAP_ACTIONS as readonly KeymapAction[]).find((a) => a.id === id);
}
