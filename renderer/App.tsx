import { useEffect, useLayoutEffect } from 'react';
import { NavBar } from './components/NavBar';
import { NoticeBar } from './components/NoticeBar';
import { Overlays } from './components/Overlays';
import { StatusBar } from './components/StatusBar';
import { Toasts } from './components/Toasts';
import { installLaborSignals } from './keyboard/labor-signals';
import { useGlobalKeys } from './keyboard/use-global-keys';
import { useApp } from './state/app-store';
import { installThemeFollower } from './state/theme';
import { QueueView } from './views/QueueView';
import { SettingsView } from './views/SettingsView';
import { SignInView } from './views/SignInView';
import { StatsView } from './views/StatsView';
import { SyncView } from './views/SyncView';
import { TriageView } from './views/TriageView';
import { OpsView } from './views/ops/OpsView';

function CurrentView() {
  const view = useApp((s) => s.view);
  switch (view) {
    case 'triage':
      return <TriageView />;
    case 'queue':
      return <QueueView />;
    case 'sync':
      return <SyncView />;
    case 'stats':
      return <StatsView />;
    case 'settings':
      return <SettingsView />;
    case 'signin':
      return <SignInView />;
    default:
      return <OpsView view={view} />;
  }
}

export function App() {
  const booted = useApp((s) => s.booted);
  const fatal = useApp((s) => s.fatal);
  const view = useApp((s) => s.view);
  const signedIn = useApp((s) => s.session?.signedIn ?? false);

  useGlobalKeys();
  useEffect(() => installThemeFollower(), []);
  useEffect(() => installLaborSignals(), []);
  useLayoutEffect(() => {
    document.body.dataset.view = view;
  }, [view]);

  if (fatal) {
    return (
      <main className="fatal" data-testid="fatal">
        <h1>The desk could not start</h1>
        <p role="alert">{fatal}</p>
      </main>
    );
  }
  if (!booted) {
    return (
      <main className="booting" aria-busy="true">
        <span className="muted">Starting…</span>
      </main>
    );
  }
  const chrome = signedIn && view !== 'signin';
  return (
    <div className={`app${chrome ? '' : ' app-bare'}`} data-testid="app">
      {chrome && <NavBar />}
      <main className="main" id="main">
        <NoticeBar />
        <CurrentView />
      </main>
      {chrome && <StatusBar />}
      <Toasts />
      <Overlays />
    </div>
  );
}
