import { useState, type FormEvent } from 'react';
import { errorMessage } from '../desk/desk-error';
import { setView, useApp } from '../state/app-store';
import { connect, connectDemo } from '../state/session';

/** Server URL and token, or the embedded demo server when the desk has one. */
export function SignInView() {
  const session = useApp((s) => s.session);
  const [serverUrl, setServerUrl] = useState(session?.serverUrl ?? '');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(() => connect(serverUrl.trim(), token.trim()));
  };

  return (
    <section className="view signin-view" data-testid="view-signin" aria-labelledby="signin-h">
      <div className="signin-card">
        <div className="brand brand-lg">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Exception Desk</span>
        </div>
        <h1 id="signin-h">{session?.needsToken ? 'Enter your token again' : 'Sign in'}</h1>
        {session?.needsToken ? (
          <p role="status" data-testid="signin-token-needed">
            This desk did not keep your token after the last launch (browser mode holds it in memory only). Your queue and every decision
            made here are kept, and you can keep working offline; enter the token to sync
            {session.user ? ` as ${session.user.name}` : ''}.
          </p>
        ) : (
          <p className="muted">Connect to your team’s central API. The token stays in the desk process, never in this window.</p>
        )}
        <form onSubmit={submit} data-testid="signin-form" aria-describedby={error ? 'signin-error' : undefined}>
          <div className="field">
            <label htmlFor="signin-server">Server URL</label>
            <input id="signin-server" type="url" required placeholder="https://exceptions.example.com" value={serverUrl} onChange={(e) => setServerUrl(e.target.value)} data-testid="signin-server" />
          </div>
          <div className="field">
            <label htmlFor="signin-token">Token</label>
            <input id="signin-token" type="password" required autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} data-testid="signin-token" />
          </div>
          {error && (
            <p id="signin-error" className="error" role="alert" data-testid="signin-error">
              {error}
            </p>
          )}
          <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="signin-submit">
            {busy ? 'Connecting…' : 'Sign in'}
          </button>
        </form>
        {session?.signedIn && (
          <button type="button" className="btn btn-block" onClick={() => setView('triage')} data-testid="signin-offline">
            Keep working offline
          </button>
        )}
        {session?.demoAvailable && (
          <div className="signin-demo">
            <span className="muted">or</span>
            <button type="button" className="btn btn-block" disabled={busy} onClick={() => void run(() => connectDemo('alice'))} data-testid="signin-demo">
              Use demo server (alice)
            </button>
          </div>
        )}
      </div>
    </section>
  );
}
