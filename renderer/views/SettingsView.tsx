import { useState } from 'react';
import { KeymapEditor } from '../components/KeymapEditor';
import { useApp } from '../state/app-store';
import { signOut } from '../state/session';
import { saveSettings } from '../state/theme';
import { formatLaborMs } from '../../shared/durations';

function NumberSetting({ id, label, value, min, max, field, hint }: { id: string; label: string; value: number; min: number; max: number; field: 'claimTargetSize' | 'leaseMinutes'; hint?: string }) {
  const [text, setText] = useState(String(value));
  const commit = () => {
    const n = Number(text);
    if (Number.isInteger(n) && n >= min && n <= max && n !== value) void saveSettings({ [field]: n });
    else setText(String(value));
  };
  return (
    <div className="field field-inline">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={min}
        max={max}
        value={text}
        data-testid={id}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
      {hint && <span className="field-hint">{hint}</span>}
    </div>
  );
}

/**
 * The idle thresholds that apply (issue 14 item 8). The labor clock pauses after a queue's own threshold
 * (its policy, DESIGN §6): a personal "Idle after" had no effect and is gone; what applies is shown here,
 * per queue, read-only.
 */
function IdleThresholds() {
  const queues = useApp((s) => s.queues);
  return (
    <section className="panel" aria-labelledby="idle-h" data-testid="settings-idle">
      <h2 id="idle-h" className="panel-title">
        Idle after
      </h2>
      <p className="field-hint">
        The labor clock pauses after this long without input. Each queue&apos;s policy sets it; its owner can change it.
      </p>
      {queues.length === 0 ? (
        <p className="muted">No queues known yet: they arrive with the first sync.</p>
      ) : (
        <table className="idle-table">
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col">Owner</th>
              <th scope="col">Idle after</th>
            </tr>
          </thead>
          <tbody>
            {queues.map((q) => (
              <tr key={q.id} data-testid="settings-idle-queue" data-queue-id={q.id} data-seconds={q.idleThresholdSec}>
                <td>{q.name}</td>
                <td>{q.ownerName}</td>
                <td>{formatLaborMs(q.idleThresholdSec * 1000)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Theme, claim target, lease, the idle thresholds that apply, and the keymap. */
export function SettingsView() {
  const settings = useApp((s) => s.settings);
  const session = useApp((s) => s.session);
  if (!settings) return <section className="view" data-testid="view-settings" aria-label="Settings" />;
  return (
    <section className="view settings-view" data-testid="view-settings" aria-labelledby="settings-h">
      <header className="view-head">
        <h1 id="settings-h">Settings</h1>
        <span className="sb-spacer" />
        {session?.user && (
          <span className="muted">
            {session.user.name} · {session.serverUrl}
          </span>
        )}
        <button type="button" className="btn btn-sm" onClick={() => void signOut()} data-testid="sign-out">
          Sign out
        </button>
      </header>
      <section className="panel" aria-labelledby="appearance-h">
        <h2 id="appearance-h" className="panel-title">
          Appearance
        </h2>
        <fieldset className="segmented" data-testid="settings-theme">
          <legend className="sr-only">Theme</legend>
          {(['system', 'light', 'dark'] as const).map((t) => (
            <label key={t} className={settings.theme === t ? 'is-on' : undefined}>
              <input type="radio" name="theme" value={t} checked={settings.theme === t} onChange={() => void saveSettings({ theme: t })} />
              {t === 'system' ? 'Follow system' : t[0].toUpperCase() + t.slice(1)}
            </label>
          ))}
        </fieldset>
      </section>
      <section className="panel" aria-labelledby="work-h">
        <h2 id="work-h" className="panel-title">
          Work
        </h2>
        <NumberSetting key={`c${settings.claimTargetSize}`} id="settings-claim-target" label="Claim target (items kept assigned)" value={settings.claimTargetSize} min={1} max={1000} field="claimTargetSize" />
        <NumberSetting key={`l${settings.leaseMinutes}`} id="settings-lease" label="Lease (minutes)" value={settings.leaseMinutes} min={5} max={10080} field="leaseMinutes" />
      </section>
      <IdleThresholds />
      <section className="panel" aria-labelledby="keys-h">
        <h2 id="keys-h" className="panel-title">
          Keyboard
        </h2>
        <KeymapEditor />
      </section>
    </section>
  );
}
