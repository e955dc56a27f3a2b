// App-wide state: session, current view, settings, sync status, overlays and toasts.
import { create } from 'zustand';
import type { Queue } from '../../shared/domain';
import type { SessionInfo, Settings, SyncStatus } from '../../shared/desk-api';
import { effectiveKeymap, type Keymap } from '../../shared/keymap';
import type { OpsView } from '../../shared/ops-access';

export type View = 'triage' | 'queue' | 'sync' | 'stats' | 'settings' | 'signin' | OpsView;

export type PickerPurpose = 'reject' | 'escalate' | 'reclassify-class' | 'reclassify-reason';

export type Overlay =
  | { kind: 'help' }
  | { kind: 'palette' }
  | { kind: 'picker'; purpose: PickerPurpose; exceptionClass?: string }
  | { kind: 'correct' }
  | { kind: 'note' }
  | null;

export interface Toast {
  id: number;
  tone: 'info' | 'success' | 'error';
  text: string;
  /** Offer an Undo button (decision toasts). */
  undo?: boolean;
  /** Shown whole even with Undo (a decision toast is one line otherwise): a defer says where the item went. */
  whole?: boolean;
}

/** A message that stays until dismissed (shell notices: a restarted core, a token kept in memory only). */
export interface Notice {
  /** One notice per code: a repeat replaces the earlier one. */
  code: string;
  level: 'info' | 'warning' | 'error';
  message: string;
}

interface AppState {
  booted: boolean;
  fatal: string | null;
  session: SessionInfo | null;
  view: View;
  settings: Settings | null;
  keymap: Keymap;
  sync: SyncStatus | null;
  queues: Queue[];
  overlay: Overlay;
  toasts: Toast[];
  notices: Notice[];
  pendingChord: string[];
}

export const useApp = create<AppState>(() => ({
  booted: false,
  fatal: null,
  session: null,
  view: 'signin',
  settings: null,
  keymap: effectiveKeymap(),
  sync: null,
  queues: [],
  overlay: null,
  toasts: [],
  notices: [],
  pendingChord: [],
}));

export function setView(view: View): void {
  useApp.setState({ view, overlay: null });
}

export function openOverlay(overlay: Overlay): void {
  useApp.setState({ overlay });
}

export function closeOverlay(): void {
  useApp.setState({ overlay: null });
}

export function applySettings(settings: Settings): void {
  useApp.setState({ settings, keymap: effectiveKeymap(settings.keymap) });
}

let toastSeq = 0;
const TOAST_MS = { info: 4000, success: 4000, error: 8000 } as const;

export function pushToast(text: string, tone: Toast['tone'] = 'info', opts: { undo?: boolean; whole?: boolean } = {}): number {
  const id = ++toastSeq;
  // Keep the stack short: a reviewer deciding fast should see the latest, not a tower. Undo takes back
  // the latest decision only, so only the newest decision toast offers it.
  useApp.setState((s) => ({
    toasts: [...s.toasts.slice(-2).map((t) => (opts.undo && t.undo ? { ...t, undo: false } : t)), { id, tone, text, undo: opts.undo, whole: opts.whole }],
  }));
  setTimeout(() => dismissToast(id), TOAST_MS[tone]);
  return id;
}

/** The decision the toasts offer to undo was undone (or cannot be any more): no toast offers it now. */
export function withdrawUndoOffers(): void {
  useApp.setState((s) => (s.toasts.some((t) => t.undo) ? { toasts: s.toasts.map((t) => (t.undo ? { ...t, undo: false } : t)) } : s));
}

export function dismissToast(id: number): void {
  useApp.setState((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
}

export function queueById(id: string | undefined): Queue | undefined {
  return id ? useApp.getState().queues.find((q) => q.id === id) : undefined;
}

export function showNotice(notice: Notice): void {
  useApp.setState((s) => ({ notices: [...s.notices.filter((n) => n.code !== notice.code), notice] }));
}

export function dismissNotice(code: string): void {
  useApp.setState((s) => ({ notices: s.notices.filter((n) => n.code !== code) }));
}
