import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ErrorBoundary } from 'react-error-boundary';
import { App } from './App';
import { DeskFailed } from './components/DeskFailed';
import { createDeskClient, pickTransport } from './desk/client';
import { useApp } from './state/app-store';
import { setDesk } from './state/desk';
import { boot } from './state/session';
import { reportRendererError } from './state/report-error';
import { installShellEvents } from './state/shell-events';
import './styles/tokens.css';
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';
import './styles/triage.css';
import './styles/queue.css';
import './styles/views.css';

try {
  const client = createDeskClient(pickTransport());
  setDesk(client);
  installShellEvents(client);
  void boot();
} catch (e) {
  useApp.setState({ booted: true, fatal: e instanceof Error ? e.message : String(e) });
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ErrorBoundary FallbackComponent={DeskFailed} onError={(error, info) => reportRendererError('app', error, info.componentStack)}>
      <App />
    </ErrorBoundary>
  </StrictMode>,
);
