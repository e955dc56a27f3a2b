import { KEYMAP_ACTIONS, KEYMAP_GROUPS, type KeymapAction } from '../../shared/keymap';
import { closeOverlay, useApp } from '../state/app-store';
import { Dialog } from './Dialog';
import { Kbd } from './Kbd';
import { actionAvailable } from '../../shared/ops-access';

/** `?`: every binding of the live keymap (defaults plus the reviewer's remaps), by group. */
export function HelpDialog() {
  const keymap = useApp((s) => s.keymap);
  const roles = useApp((s) => s.session?.user?.roles ?? []);
  // Views the user's roles may not open are not listed (a reviewer sees none of the ops views).
  const actions = (KEYMAP_ACTIONS as readonly KeymapAction[]).filter((a) => actionAvailable(a.id, roles));
  return (
    <Dialog title="Keyboard shortcuts" onClose={closeOverlay} testId="help-dialog" size="lg">
      <div className="help-grid">
        {KEYMAP_GROUPS.map((group) => (
          <section key={group} aria-labelledby={`help-${group}`}>
            <h3 id={`help-${group}`}>{group}</h3>
            <table className="help-table">
              <tbody>
                {actions
                  .filter((a) => a.group === group)
                  .map((a) => (
                    <tr key={a.id} data-testid="help-row" data-action-id={a.id}>
                      <th scope="row">
                        {a.label}
                        {a.views && <span className="help-scope"> · {a.views.join(', ')}</span>}
                      </th>
                      <td>
                        {(keymap[a.id] ?? []).length === 0 ? (
                          <span className="muted">unbound</span>
                        ) : (
                          keymap[a.id].map((s) => <Kbd key={s} sequence={s} />)
                        )}
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </section>
        ))}
        <section aria-labelledby="help-dialogs">
          <h3 id="help-dialogs">In pickers and editors</h3>
          <table className="help-table">
            <tbody>
              <tr>
                <th scope="row">Pick reason 1–9</th>
                <td>
                  <Kbd sequence="1" /> … <Kbd sequence="9" />
                </td>
              </tr>
              <tr>
                <th scope="row">Save correction or note</th>
                <td>
                  <Kbd sequence="ctrl+enter" />
                </td>
              </tr>
              <tr>
                <th scope="row">Cancel</th>
                <td>
                  <Kbd sequence="esc" />
                </td>
              </tr>
            </tbody>
          </table>
        </section>
      </div>
    </Dialog>
  );
}
