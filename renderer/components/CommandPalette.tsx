import { Command } from 'cmdk';
import { KEYMAP_ACTIONS, KEYMAP_GROUPS, type KeymapAction, type KeymapActionId } from '../../shared/keymap';
import { runAction } from '../keyboard/actions';
import { closeOverlay, useApp } from '../state/app-store';
import { signOut } from '../state/session';
import { Dialog } from './Dialog';
import { Kbd } from './Kbd';
import { actionAvailable } from '../../shared/ops-access';

/** Ctrl+K: every action, searchable, with its keys. */
export function CommandPalette() {
  const keymap = useApp((s) => s.keymap);
  const roles = useApp((s) => s.session?.user?.roles ?? []);
  const actions = (KEYMAP_ACTIONS as readonly KeymapAction[]).filter((a) => actionAvailable(a.id, roles));
  const run = (id: string) => {
    closeOverlay();
    // Let the palette unmount (and focus return) before the action opens its own dialog.
    requestAnimationFrame(() => {
      if (id === 'session.signOut') void signOut();
      else runAction(id as KeymapActionId);
    });
  };
  return (
    <Dialog title="Command palette" onClose={closeOverlay} testId="palette" size="md" hideTitle>
      <Command label="Command palette" className="palette" loop>
        <Command.Input placeholder="Type a command…" className="palette-input" aria-label="Command" data-testid="palette-input" />
        <Command.List className="palette-list">
          <Command.Empty className="palette-empty">No command matches.</Command.Empty>
          {KEYMAP_GROUPS.map((group) => (
            <Command.Group key={group} heading={group}>
              {actions
                .filter((a) => a.group === group && a.id !== 'app.palette' && a.id !== 'app.close')
                .map((a) => (
                  <Command.Item
                    key={a.id}
                    value={`${a.label} ${a.id}`}
                    onSelect={() => run(a.id)}
                    className="palette-item"
                    data-testid={`palette-item-${a.id}`}
                  >
                    <span>{a.label}</span>
                    <span className="palette-keys">
                      {(keymap[a.id] ?? []).slice(0, 2).map((s) => (
                        <Kbd key={s} sequence={s} />
                      ))}
                    </span>
                  </Command.Item>
                ))}
            </Command.Group>
          ))}
          <Command.Group heading="Session">
            <Command.Item value="Sign out session.signOut" onSelect={() => run('session.signOut')} className="palette-item" data-testid="palette-item-session.signOut">
              Sign out
            </Command.Item>
          </Command.Group>
        </Command.List>
      </Command>
    </Dialog>
  );
}
