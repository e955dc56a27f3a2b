// A view that throws while rendering, or whose lazily loaded code cannot be fetched, takes down only
// itself: the nav, the status bar and the keys keep working, the failure says what happened and how to
// get on, and the error goes to the core's log. Moving to another view clears it (resetKeys).
import { useEffect, useRef, type ReactNode } from 'react';
import { ErrorBoundary, type FallbackProps } from 'react-error-boundary';
import { setView, useApp } from '../state/app-store';
import { reportRendererError } from '../state/report-error';
import { Kbd } from './Kbd';

/** Chromium and WebKit's words for a dynamic import whose file could not be fetched. */
const CODE_LOAD_FAILURE = /dynamically imported module|Importing a module script failed|error loading dynamically imported/i;

export function isCodeLoadFailure(error: unknown): boolean {
  return error instanceof Error && CODE_LOAD_FAILURE.test(error.message);
}

function ViewFailed({ error, resetErrorBoundary }: FallbackProps) {
  const view = useApp((s) => s.view);
  const toTriage = useApp((s) => s.keymap['go.triage']?.[0]);
  const first = useRef<HTMLButtonElement>(null);
  const codeMissing = isCodeLoadFailure(error);
  const message = error instanceof Error ? error.message : String(error);
  useEffect(() => first.current?.focus(), []);
  return (
    <section className="view view-failed" role="alert" data-testid="view-failed" data-view-failed={view}>
      <div className="empty-state">
        <h2>{codeMissing ? 'This view could not load' : 'This view stopped working'}</h2>
        <p className="muted">
          {codeMissing
            ? 'Its code did not arrive from the desk (it may have restarted or been updated). Reloading fetches it again; your decisions are kept.'
            : 'Something went wrong while showing it. Your decisions are kept, and the error was written to the log.'}
        </p>
        <p className="view-failed-detail"><code>{message}</code></p>
        <div className="view-failed-actions">
          {codeMissing ? (
            <button ref={first} type="button" className="btn btn-primary" onClick={() => window.location.reload()} data-testid="view-failed-reload">
              Reload the desk
            </button>
          ) : (
            <button ref={first} type="button" className="btn btn-primary" onClick={resetErrorBoundary} data-testid="view-failed-retry">
              Try again
            </button>
          )}
          {view !== 'triage' && (
            <button type="button" className="btn" onClick={() => setView('triage')} data-testid="view-failed-triage">
              Back to triage {toTriage && <Kbd sequence={toTriage} />}
            </button>
          )}
        </div>
      </div>
    </section>
  );
}

export function ViewBoundary({ view, children }: { view: string; children: ReactNode }) {
  return (
    <ErrorBoundary
      FallbackComponent={ViewFailed}
      resetKeys={[view]}
      onError={(error, info) => reportRendererError(`view:${view}`, error, info.componentStack)}
    >
      {children}
    </ErrorBoundary>
  );
}
