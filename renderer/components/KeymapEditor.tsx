import { KEYMAP_ACTIONS, KEYMAP_GROUPS, KEYMAP_VIEWS, type KeymapAction } from '../../shared/keymap';
import { findConflicts, formatChord } from '../keyboard/chords';
import { useApp } from '../state/app-store';
import { saveSettings } from '../state/theme';
import { Kbd } from './Kbd';
import { KeyRecorder } from './KeyRecorder';

const actions = KEYMAP_ACTIONS as readonly KeymapAction[];

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

/** Remap any action: add keys by pressing them, remove them, reset to the default. Saved at once. */
export function KeymapEditor() {
  const keymap = useApp((s) => s.keymap);
  const overrides = useApp((s) => s.settings?.keymap ?? {});
  const conflicts = findConflicts(keymap, actions, KEYMAP_VIEWS);

  const setKeys = (a: KeymapAction, keys: string[]) => {
    const next: Record<string, string[]> = { ...overrides };
    if (sameKeys(keys, a.defaults)) delete next[a.id];
    else next[a.id] = keys.slice(0, 4);
    void saveSettings({ keymap: next });
  };

  return (
    <div className="keymap-editor" data-testid="keymap-editor">
      {conflicts.length > 0 && (
        <div className="callout callout-warn" role="alert" data-testid="keymap-conflicts">
          {conflicts.map((c) => (
            <p key={c.sequence}>
              <strong>{formatChord(c.sequence)}</strong> is bound to more than one action:{' '}
              {c.actionIds.map((id) => actions.find((a) => a.id === id)?.label ?? id).join(', ')}
            </p>
          ))}
        </div>
      )}
      {KEYMAP_GROUPS.map((group) => (
        <table key={group} className="keymap-table">
          <caption>{group}</caption>
          <thead>
            <tr>
              <th scope="col">Action</th>
              <th scope="col">Keys</th>
              <th scope="col">
                <span className="sr-only">Change</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {actions
              .filter((a) => a.group === group)
              .map((a) => {
                const keys = keymap[a.id] ?? [];
                const changed = a.id in overrides;
                return (
                  <tr key={a.id} data-testid={`keymap-row-${a.id}`}>
                    <th scope="row">{a.label}</th>
                    <td className="keymap-keys">
                      <div>
                      {keys.length === 0 && <span className="muted">unbound</span>}
                      {keys.map((k) => (
                        <span key={k} className="key-chip">
                          <Kbd sequence={k} />
                          <button type="button" className="chip-x" aria-label={`Remove ${formatChord(k)} from ${a.label}`} onClick={() => setKeys(a, keys.filter((x) => x !== k))}>
                            ×
                          </button>
                        </span>
                      ))}
                      </div>
                    </td>
                    <td className="keymap-actions">
                      {keys.length < 4 && (
                        <KeyRecorder label={a.label} testId={`keymap-record-${a.id}`} onRecord={(seq) => !keys.includes(seq) && setKeys(a, [...keys, seq])} />
                      )}
                      {changed && (
                        <button type="button" className="btn btn-ghost btn-sm" onClick={() => setKeys(a, [...a.defaults])} data-testid={`keymap-reset-${a.id}`}>
                          Reset
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
          </tbody>
        </table>
      ))}
    </div>
  );
}
