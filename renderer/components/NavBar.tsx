import { setView, useApp, type View } from '../state/app-store';
import { Kbd } from './Kbd';
import { opsNavLinks } from '../views/ops/ops-nav';

// Settings stays last; the ops views the user's roles may open go before it.
const LINKS: { view: View; label: string; action: string }[] = [
  { view: 'triage', label: 'Triage', action: 'go.triage' },
  { view: 'queue', label: 'Queue', action: 'go.queue' },
  { view: 'sync', label: 'Sync', action: 'go.sync' },
  { view: 'stats', label: 'My day', action: 'go.dashboard' },
  { view: 'settings', label: 'Settings', action: 'go.settings' },
];

/** The view switcher; each entry shows its live `g` chord. */
export function NavBar() {
  const view = useApp((s) => s.view);
  const keymap = useApp((s) => s.keymap);
  const session = useApp((s) => s.session);
  const conflicts = useApp((s) => s.sync?.conflicts ?? 0);
  const links = [...LINKS.slice(0, -1), ...opsNavLinks(session?.user?.roles ?? []), ...LINKS.slice(-1)];
  return (
    <nav className="nav" aria-label="Views" data-testid="nav">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">Exception Desk</span>
      </div>
      <ul className="nav-list">
        {links.map((l) => (
          <li key={l.view}>
            <button
              type="button"
              className="nav-link"
              aria-current={view === l.view ? 'page' : undefined}
              data-testid={`nav-${l.view}`}
              onClick={() => setView(l.view)}
            >
              <span className="nav-label">{l.label}</span>
              {l.view === 'sync' && conflicts > 0 && (
                <span className="nav-count" aria-label={`${conflicts} conflicts`}>
                  {conflicts}
                </span>
              )}
              {keymap[l.action]?.[0] && (
                <span className="nav-key">
                  <Kbd sequence={keymap[l.action][0]} />
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
      {session?.user && (
        <div className="nav-user" data-testid="nav-user">
          <span className="avatar" aria-hidden="true">
            {session.user.name.slice(0, 1).toUpperCase()}
          </span>
          <span className="nav-user-name">{session.user.name}</span>
        </div>
      )}
    </nav>
  );
}
