// Errors the renderer caught (a view that failed to render or its code to load, an uncaught exception)
// go to the core's log file, where "Reveal logs" leads support. A page stuck in a loop of failures must
// not flood the log, so a page load reports a bounded number; a report that cannot be sent is dropped.
import { desk } from './desk';

const MAX_REPORTS_PER_PAGE = 20;
let sent = 0;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function reportRendererError(where: string, error: unknown, componentStack?: string | null): void {
  if (sent >= MAX_REPORTS_PER_PAGE) return;
  sent += 1;
  const e = error instanceof Error ? error : new Error(String(error));
  const stack = [e.stack, componentStack].filter(Boolean).join('\n--- components:\n');
  try {
    void desk()
      .call('app.reportError', {
        where: clip(where, 100),
        name: clip(e.name, 200),
        message: clip(e.message, 2000),
        ...(stack ? { stack: clip(stack, 8000) } : {}),
      })
      .catch(() => undefined);
  } catch {
    // No desk client yet (boot failed): the fatal screen already says so.
  }
}

/** Uncaught exceptions and rejections outside React (event handlers, timers) are reported too. */
export function installGlobalErrorReports(): () => void {
  const onError = (ev: ErrorEvent) => reportRendererError('window', ev.error ?? ev.message);
  const onRejection = (ev: PromiseRejectionEvent) => reportRendererError('promise', ev.reason);
  window.addEventListener('error', onError);
  window.addEventListener('unhandledrejection', onRejection);
  return () => {
    window.removeEventListener('error', onError);
    window.removeEventListener('unhandledrejection', onRejection);
  };
}
