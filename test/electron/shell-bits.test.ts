// Small shell modules: powerMonitor -> labor signals, the app menu, command-line options, shell events.
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { KEYMAP_ACTIONS } from '../../shared/keymap';
import { buildMenuTemplate, MENU_GROUPS, type MenuItemTemplate } from '../../electron/main/app-menu';
import { wirePowerSignals, type PowerMonitorLike } from '../../electron/main/power-signals';
import { parseShellArgs } from '../../electron/main/shell-args';
import { createShellEvents } from '../../electron/main/shell-events';

class FakePowerMonitor extends EventEmitter implements PowerMonitorLike {
  state: 'active' | 'idle' | 'locked' | 'unknown' = 'active';
  getSystemIdleState() {
    return this.state;
  }
}

describe('wirePowerSignals', () => {
  function setup() {
    const pm = new FakePowerMonitor();
    const signals: string[] = [];
    let poll: () => void = () => {};
    const stop = wirePowerSignals(pm, { signal: (s) => signals.push(s), setInterval: (fn) => ((poll = fn), 1), clearInterval: () => {} });
    return { pm, signals, poll: () => poll(), stop };
  }

  it('maps lock, unlock, suspend and resume events, each transition once', () => {
    const { pm, signals } = setup();
    pm.emit('lock-screen');
    pm.emit('lock-screen');
    pm.emit('unlock-screen');
    pm.emit('suspend');
    pm.emit('resume');
    pm.emit('resume');
    expect(signals).toEqual(['lock', 'unlock', 'suspend', 'resume']);
  });

  it('polls the system idle state for locks the OS never announced', () => {
    const { pm, signals, poll } = setup();
    poll();
    pm.state = 'locked';
    poll();
    poll();
    pm.state = 'idle';
    poll();
    expect(signals).toEqual(['lock', 'unlock']);
    pm.emit('lock-screen'); // event and poll agree: still one lock
    pm.state = 'locked';
    poll();
    expect(signals).toEqual(['lock', 'unlock', 'lock']);
  });

  it('unwires its listeners', () => {
    const { pm, signals, stop } = setup();
    stop();
    pm.emit('suspend');
    expect(signals).toEqual([]);
    expect(pm.listenerCount('suspend')).toBe(0);
  });
});

describe('buildMenuTemplate', () => {
  const flatten = (items: MenuItemTemplate[]): MenuItemTemplate[] => items.flatMap((i) => [i, ...flatten(i.submenu ?? [])]);

  it('every menu command is a keymap action and clicking it sends that command', () => {
    const sent: string[] = [];
    const items = flatten(buildMenuTemplate({ platform: 'linux', devTools: false, sendCommand: (c) => sent.push(c) }));
    const ids = new Set<string>(KEYMAP_ACTIONS.map((a) => a.id));
    for (const g of MENU_GROUPS) for (const c of g.commands) expect(ids.has(c.command), c.command).toBe(true);
    items.filter((i) => i.click).forEach((i) => i.click!());
    expect(sent).toEqual(expect.arrayContaining(['decide.approve', 'decide.undo', 'app.palette', 'sync.now', 'go.queue']));
  });

  it('bare keys are shown but never registered (they would fire while typing); chords are registered', () => {
    const items = flatten(buildMenuTemplate({ platform: 'linux', devTools: false, sendCommand: () => {} }));
    const approve = items.find((i) => i.label === 'Approve')!;
    expect(approve).toMatchObject({ accelerator: 'A', registerAccelerator: false });
    for (const i of items.filter((x) => x.accelerator && x.registerAccelerator !== false)) {
      expect(i.accelerator, i.label).toMatch(/CmdOrCtrl\+/);
    }
    expect(items.some((i) => i.role === 'toggleDevTools')).toBe(false);
    expect(items.some((i) => i.role === 'editMenu')).toBe(true);
  });

  it('on macOS bare keys go into the label, since menus there always handle accelerators', () => {
    const items = flatten(buildMenuTemplate({ platform: 'darwin', devTools: true, sendCommand: () => {} }));
    const approve = items.find((i) => i.label?.startsWith('Approve'))!;
    expect(approve.accelerator).toBeUndefined();
    expect(approve.label).toBe('Approve  (A)');
    expect(items.some((i) => i.role === 'appMenu')).toBe(true);
    expect(items.some((i) => i.role === 'toggleDevTools')).toBe(true);
  });
});

describe('parseShellArgs', () => {
  it('reads --demo-server and --server, validating them as http(s) URLs', () => {
    expect(parseShellArgs(['electron', 'main.cjs', '--demo-server=http://127.0.0.1:4000'])).toMatchObject({ demoServer: 'http://127.0.0.1:4000', server: null, startUrl: 'app://desk/index.html' });
    const s = parseShellArgs(['--server=https://desk.example.com/api']);
    expect(s).toMatchObject({ server: 'https://desk.example.com/api', serverHost: 'desk.example.com' });
    expect(s.startUrl).toBe('app://desk/index.html?server=https%3A%2F%2Fdesk.example.com%2Fapi');
    expect(() => parseShellArgs(['--server=javascript:alert(1)'])).toThrow(/http\(s\) URL/);
    expect(() => parseShellArgs(['--demo-server=file:///etc/passwd'])).toThrow(/http\(s\) URL/);
    expect(parseShellArgs(['--user-data-dir=/tmp/desk-profile']).userDataDir).toBe('/tmp/desk-profile');
    expect(() => parseShellArgs(['--user-data-dir=relative/dir'])).toThrow(/absolute path/);
  });
});

describe('createShellEvents', () => {
  it('validates payloads and sends them to live windows only', () => {
    const live = { isDestroyed: () => false, send: vi.fn() };
    const dead = { isDestroyed: () => true, send: vi.fn() };
    const events = createShellEvents(() => [live, dead]);
    events.send('app.command', { command: 'decide.approve' });
    expect(live.send).toHaveBeenCalledWith('desk:shell-event', { event: 'app.command', payload: { command: 'decide.approve' } });
    expect(dead.send).not.toHaveBeenCalled();
    expect(() => events.send('core.restarted', { restarts: 'many' })).toThrow();
  });
});
