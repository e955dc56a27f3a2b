import type { FallbackProps } from 'react-error-boundary';

/** Last resort: something outside a view (nav, overlays, status bar) failed; the views have their own boundary. */
export function DeskFailed({ error }: FallbackProps) {
  return (
    <main className="fatal" data-testid="fatal">
      <h1>The desk hit an error</h1>
      <p role="alert">{error instanceof Error ? error.message : String(error)}</p>
      <p className="muted">Your decisions are kept; the error was written to the log.</p>
      <p>
        <button type="button" className="btn btn-primary" autoFocus onClick={() => window.location.reload()}>
          Reload the desk
        </button>
      </p>
    </main>
  );
}
