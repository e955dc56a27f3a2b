import { dismissNotice, useApp } from '../state/app-store';

const TITLE = { info: 'Note', warning: 'Heads up', error: 'Problem' } as const;

/** Messages that stay until dismissed: the shell's notices (token kept in memory only, core down). */
export function NoticeBar() {
  const notices = useApp((s) => s.notices);
  if (notices.length === 0) return null;
  return (
    <div className="notices" data-testid="notices">
      {notices.map((n) => (
        <div
          key={n.code}
          className={`callout notice notice-${n.level}`}
          role={n.level === 'error' ? 'alert' : 'status'}
          data-testid="notice"
          data-code={n.code}
          data-level={n.level}
        >
          <strong className="notice-title">{TITLE[n.level]}</strong>
          <span className="notice-text">{n.message}</span>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => dismissNotice(n.code)} aria-label={`Dismiss: ${n.message}`}>
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}
