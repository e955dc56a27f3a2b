// Browser mode's public surface. Plain Node: never imports electron.
export { startBrowserMode } from './browser-mode';
export type { BrowserMode, BrowserModeOptions } from './browser-mode';
export { createDeferredDispatcher } from './deferred-dispatcher';
export type { DeferredDispatcher } from './deferred-dispatcher';
