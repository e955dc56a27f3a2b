import { Command } from 'cmdk';
import { useState } from 'react';
import { KEYMAP_ACTIONS, KEYMAP_GROUPS, type KeymapAction, type KeymapActionId } from '../../shared/keymap';
import { runAction } from '../keyboard/actions';
import { rankCommands } from '../logic/palette-rank';
import { closeOverlay, useApp } from '../state/app-store';
import { signOut } from '../state/session';
import { Dialog } from './Dialog';
import { Kbd } from './Kbd';
import { actionAvailable } from '../../shared/ops-access';

interface PaletteEntry {
  id: string;
  label: string;
  group: string;
}

const SIGN_OUT: PaletteEntry = { id: 'session.signOut', label: 'Sign out', group: 'Session' };

/**
 * Ctrl+K: every action, searchable by its label, its on-screen name and common synonyms
 * (shared/command-synonyms.ts), with its keys. Grouped while the search is empty; best match first once
 * something is typed.
 */
export function CommandPalette() {
  const keymap = useApp((s) => s.keymap);
  const roles = useApp((s) => s.session?.user?.roles ?? []);
  const [search, setSearch] = useState('');
  // The highlighted command: the best match whenever the search changes (cmdk does not re-pick it when it
  // does not filter itself), then wherever the arrows take it.
  const [selected, setSelected] = useState('item.next');
  const entries: PaletteEntry[] = [
    ...(KEYMAP_ACTIONS as readonly KeymapAction[]).filter((a) => actionAvailable(a.id, roles) && a.id !== 'app.palette' && a.id !== 'app.close'),
    SIGN_OUT,
  ];
  const run = (id: string) => {
    closeOverlay();
    // Let the palette unmount (and focus return) before the action opens its own dialog.
    requestAnimationFrame(() => {
      if (id === SIGN_OUT.id) void signOut();
      else runAction(id as KeymapActionId);
    });
  };
  const item = (e: PaletteEntry) => (
    <Command.Item key={e.id} value={e.id} onSelect={() => run(e.id)} className="palette-item" data-testid={`palette-item-${e.id}`}>
      <span>{e.label}</span>
      <span className="palette-keys">
        {(keymap[e.id] ?? []).slice(0, 2).map((s) => (
          <Kbd key={s} sequence={s} />
        ))}
      </span>
    </Command.Item>
  );
  const ranked = rankCommands(entries, search);
  const onSearch = (next: string) => {
    setSearch(next);
    setSelected(rankCommands(entries, next)[0]?.id ?? '');
  };
  return (
    <Dialog title="Command palette" onClose={closeOverlay} testId="palette" size="md" hideTitle>
      <Command label="Command palette" className="palette" loop shouldFilter={false} value={selected} onValueChange={setSelected}>
        <Command.Input
          placeholder="Type a command…"
          className="palette-input"
          aria-label="Command"
          data-testid="palette-input"
          value={search}
          onValueChange={onSearch}
        />
        <Command.List className="palette-list">
          <Command.Empty className="palette-empty">No command matches.</Command.Empty>
          {search.trim()
            ? ranked.map(item)
            : [...KEYMAP_GROUPS, SIGN_OUT.group].map((group) => (
                <Command.Group key={group} heading={group}>
                  {entries.filter((e) => e.group === group).map(item)}
                </Command.Group>
              ))}
        </Command.List>
      </Command>
    </Dialog>
  );
}
