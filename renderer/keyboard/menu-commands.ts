// App-menu commands (Electron shell event `app.command`) run keymap actions, but a menu click is not a
// key press in context: it can arrive on the sign-in screen, while an editor owns the keyboard, or in a
// view where the action means nothing. This decides, purely, whether it runs or what the reviewer is told.
import { findAction, type KeymapActionId } from '../../shared/keymap';
import { OPS_VIEW_LABELS } from '../../shared/ops-access';
import type { Overlay, View } from '../state/app-store';

export type MenuCommandPlan =
  | { kind: 'run'; actionId: KeymapActionId; /** close the help or palette first */ closeOverlay: boolean }
  | { kind: 'refuse'; message: string };

export interface MenuContext {
  view: View;
  signedIn: boolean;
  overlay: Overlay;
}

/** Actions that make sense before sign-in too. */
const ANYTIME = new Set(['app.help', 'app.toggleTheme', 'app.close']);
/** Overlays that hold nothing of the reviewer's: a menu command may close them. */
const DISPOSABLE = new Set(['help', 'palette']);

const VIEW_NAMES: Record<View, string> = {
  triage: 'Triage', queue: 'Queue', sync: 'Sync', stats: 'Dashboard', settings: 'Settings', signin: 'Sign-in',
  ...OPS_VIEW_LABELS,
};

export function planMenuCommand(command: string, ctx: MenuContext): MenuCommandPlan {
  const action = findAction(command);
  if (!action) return { kind: 'refuse', message: `The desk does not know the menu command “${command}”.` };
  const id = action.id as KeymapActionId;
  if (id === 'app.close') return { kind: 'run', actionId: id, closeOverlay: false };
  if ((!ctx.signedIn || ctx.view === 'signin') && !ANYTIME.has(id)) {
    return { kind: 'refuse', message: `${action.label}: sign in first.` };
  }
  let closeOverlay = false;
  if (ctx.overlay) {
    if (!DISPOSABLE.has(ctx.overlay.kind)) {
      return { kind: 'refuse', message: `${action.label}: finish or cancel the open dialog first (Esc).` };
    }
    closeOverlay = true;
  }
  // Like its key: a decision from the menu only where the item being decided is on screen.
  if (action.views && !action.views.includes(ctx.view)) {
    const where = action.views.map((v) => VIEW_NAMES[v]).join(' or ');
    return { kind: 'refuse', message: `${action.label} works in ${where}; you are in ${VIEW_NAMES[ctx.view]}.` };
  }
  return { kind: 'run', actionId: id, closeOverlay };
}
