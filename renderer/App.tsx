import { lazy, Suspense, useEffect, useLayoutEffect } from 'react';
import { NavBar } from './components/NavBar';
import { NoticeBar } from './components/NoticeBar';
import { Overlays } from './components/Overlays';
import { StatusBar } from './components/StatusBar';
import { Toasts } from './components/Toasts';
import { ViewBoundary } from './components/ViewBoundary';
import { installLaborSignals } from './keyboard/labor-signals';
import { installGlobalErrorReports } from './state/report-error';
import { useGlobalKeys } from './keyboard/use-global-keys';
import { useApp } from './state/app-store';
import { installThemeFollower } from './state/theme';
import { SignInView } from './views/SignInView';
import { TriageView } from './views/TriageView';
import { LAZY_PARTS, prefetchLazyParts } from './views/lazy-parts';

// Only the triage view (and sign-in) are in the first bundle: the first item paints without parsing the
// queue grid, the ops views and their charts (issue 15 gap 4). The rest load on first use, and are
// fetched in the background once the first item is on screen (views/lazy-parts.ts).
const QueueView = lazy(() => LAZY_PARTS.queue().then((m) => ({ default: m.QueueView })));
const SyncView = lazy(() => LAZY_PARTS.sync().then((m) => ({ default: m.SyncView })));
const StatsView = lazy(() => LAZY_PARTS.stats().then((m) => ({ default: m.StatsView })));
const SettingsView = lazy(() => LAZY_PARTS.settings().then((m) => ({ default: m.SettingsView })));
const OpsView = lazy(() => LAZY_PARTS.ops().then((m) => ({ default: m.OpsView })));

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

function ViewLoading() {
  return (
    <section className="view" aria-busy="true" data-testid="view-loading">
      <div className="empty-state muted">Loading…</div>
    </section>
  );
}

export function App() {
  const booted = useApp((s) => s.booted);
  const fatal = useApp((s) => s.fatal);
  const view = useApp((s) => s.view);
  const signedIn = useApp((s) => s.session?.signedIn ?? false);

  useGlobalKeys();
  useEffect(() => installThemeFollower(), []);
  useEffect(() => installLaborSignals(), []);
  useEffect(() => installGlobalErrorReports(), []);
  // Normally fetched once the first item paints (state/startup-marks.ts); this covers a desk with no item.
  useEffect(() => {
    if (!booted) return;
    const timer = setTimeout(prefetchLazyParts, 2000);
    return () => clearTimeout(timer);
  }, [booted]);
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
        <ViewBoundary view={view}>
          <Suspense fallback={<ViewLoading />}>
            <CurrentView />
          </Suspense>
        </ViewBoundary>
      </main>
      {chrome && <StatusBar />}
      <Toasts />
      <Overlays />
    </div>
  );
}
