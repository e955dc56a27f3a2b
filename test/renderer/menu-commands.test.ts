import { describe, expect, it } from 'vitest';
import { planMenuCommand, type MenuContext } from '../../renderer/keyboard/menu-commands';

const triage: MenuContext = { view: 'triage', signedIn: true, overlay: null };

describe('app-menu commands', () => {
  it('runs a known action where its key would fire', () => {
    expect(planMenuCommand('decide.approve', triage)).toEqual({ kind: 'run', actionId: 'decide.approve', closeOverlay: false });
    expect(planMenuCommand('go.queue', { ...triage, view: 'stats' })).toEqual({ kind: 'run', actionId: 'go.queue', closeOverlay: false });
    expect(planMenuCommand('item.next', { ...triage, view: 'queue' })).toMatchObject({ kind: 'run' });
  });

  it('refuses a decision outside triage: the item would be decided unseen', () => {
    const plan = planMenuCommand('decide.approve', { ...triage, view: 'queue' });
    expect(plan).toEqual({ kind: 'refuse', message: 'Approve works in Triage; you are in Queue.' });
  });

  it('refuses work before sign-in but still toggles the theme and opens help', () => {
    const signin: MenuContext = { view: 'signin', signedIn: false, overlay: null };
    expect(planMenuCommand('go.queue', signin)).toMatchObject({ kind: 'refuse', message: 'Go to queue: sign in first.' });
    expect(planMenuCommand('app.toggleTheme', signin)).toMatchObject({ kind: 'run' });
    expect(planMenuCommand('app.help', signin)).toMatchObject({ kind: 'run' });
  });

  it('closes help or the palette first, but never an editor holding the reviewer’s work', () => {
    expect(planMenuCommand('go.sync', { ...triage, overlay: { kind: 'palette' } })).toEqual({ kind: 'run', actionId: 'go.sync', closeOverlay: true });
    expect(planMenuCommand('go.sync', { ...triage, overlay: { kind: 'correct' } })).toMatchObject({ kind: 'refuse', message: expect.stringContaining('finish or cancel the open dialog') });
    expect(planMenuCommand('app.close', { ...triage, overlay: { kind: 'note' } })).toEqual({ kind: 'run', actionId: 'app.close', closeOverlay: false });
  });

  it('refuses a command that is not a keymap action', () => {
    expect(planMenuCommand('fs.rm', triage)).toMatchObject({ kind: 'refuse' });
  });
});
