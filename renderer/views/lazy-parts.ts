// The views and overlays that are not in the first bundle (App.tsx and Overlays.tsx load them with
// React.lazy), and the fetch of all of them once the first item is on screen: the first paint does not
// wait for their code (the queue grid, the ops views and their charts, cmdk), and the first `g q` or
// palette later does not wait for it either.
export const LAZY_PARTS = {
  queue: () => import('./QueueView'),
  sync: () => import('./SyncView'),
  stats: () => import('./StatsView'),
  settings: () => import('./SettingsView'),
  ops: () => import('./ops/OpsView'),
  palette: () => import('../components/CommandPalette'),
  help: () => import('../components/HelpDialog'),
} as const;

let prefetched = false;

/** Fetches (and evaluates) every lazy part's code in the background; once per page load. */
export function prefetchLazyParts(): void {
  if (prefetched) return;
  prefetched = true;
  for (const load of Object.values(LAZY_PARTS)) void load().catch(() => undefined);
}
