// The app menu: the main actions with their keys, each sending a keymap action id to the renderer
// (shell event `app.command`), which runs it exactly as if the key had been pressed. Single keys are shown
// but not registered with the OS (registerAccelerator: false), so they never fire while typing in a text
// field; only modifier chords that no text field uses are registered. The shown single keys come from
// the keymap defaults (shared/keymap.ts), so the menu can never advertise a key the desk does not use.
import { KEYMAP_ACTIONS } from '../../shared/keymap';

export interface MenuItemTemplate {
  label?: string;
  role?: string;
  type?: 'separator' | 'submenu' | 'normal';
  accelerator?: string;
  registerAccelerator?: boolean;
  click?: () => void;
  submenu?: MenuItemTemplate[];
}

export interface MenuCommand {
  command: string;
  label: string;
  accelerator: string;
  /** false: displayed only; the renderer's keymap handles the key. */
  register: boolean;
}

/** The action's first single-key default, as a menu shows it ('a' -> 'A'). */
function defaultKey(command: string): string {
  const action = KEYMAP_ACTIONS.find((a) => a.id === command);
  const key = action?.defaults.find((d) => /^[a-z0-9]$/.test(d));
  if (!key) throw new Error(`app menu: keymap action '${command}' has no single-key default to show`);
  return key.toUpperCase();
}

const shown = (command: string, label: string): MenuCommand => ({ command, label, accelerator: defaultKey(command), register: false });

export const MENU_GROUPS: ReadonlyArray<{ label: string; commands: readonly MenuCommand[] }> = [
  {
    label: 'Triage',
    commands: [
      shown('decide.approve', 'Approve'),
      shown('decide.reject', 'Reject…'),
      shown('decide.correct', 'Correct…'),
      shown('decide.escalate', 'Escalate to Owner…'),
      shown('decide.defer', 'Defer'),
      shown('decide.reclassify', 'Reclassify…'),
      shown('decide.note', 'Add Note…'),
      shown('decide.undo', 'Undo Last Decision'),
      shown('item.next', 'Next Item'),
      shown('item.prev', 'Previous Item'),
    ],
  },
  {
    label: 'Go',
    commands: [
      { command: 'go.triage', label: 'Triage', accelerator: 'CmdOrCtrl+1', register: true },
      { command: 'go.queue', label: 'Queue', accelerator: 'CmdOrCtrl+2', register: true },
      { command: 'go.dashboard', label: 'Dashboard', accelerator: 'CmdOrCtrl+3', register: true },
      { command: 'go.sync', label: 'Sync and Conflicts', accelerator: 'CmdOrCtrl+4', register: true },
      { command: 'go.settings', label: 'Settings', accelerator: 'CmdOrCtrl+,', register: true },
      { command: 'app.palette', label: 'Command Palette…', accelerator: 'CmdOrCtrl+K', register: true },
      { command: 'sync.now', label: 'Sync Now', accelerator: 'CmdOrCtrl+Shift+S', register: true },
    ],
  },
  {
    // Restricted sites (DESIGN §11): the file picker opens in the window; a file can also be dropped on the Sync view.
    label: 'Bundles',
    commands: [
      { command: 'bundle.importWork', label: 'Import Work Bundle…', accelerator: 'CmdOrCtrl+O', register: true },
      { command: 'bundle.exportDecisions', label: 'Export Decisions Bundle…', accelerator: 'CmdOrCtrl+E', register: true },
      { command: 'bundle.importReceipt', label: 'Import Receipt…', accelerator: 'CmdOrCtrl+Shift+O', register: true },
      { command: 'bundle.checkout', label: 'Check Out Work for Offline…', accelerator: 'CmdOrCtrl+Shift+B', register: true },
    ],
  },
];

export interface MenuTemplateOptions {
  platform: NodeJS.Platform;
  sendCommand: (command: string) => void;
  devTools: boolean;
}

export function buildMenuTemplate(opts: MenuTemplateOptions): MenuItemTemplate[] {
  const mac = opts.platform === 'darwin';
  // macOS menus always handle their accelerators (registerAccelerator is Linux/Windows only), so a bare
  // key there goes into the label instead of the accelerator.
  const item = (c: MenuCommand): MenuItemTemplate =>
    mac && !c.register
      ? { label: `${c.label}  (${c.accelerator})`, click: () => opts.sendCommand(c.command) }
      : { label: c.label, accelerator: c.accelerator, registerAccelerator: c.register, click: () => opts.sendCommand(c.command) };
  const appMenu: MenuItemTemplate[] = mac
    ? [{ role: 'appMenu' }]
    : [{ label: 'File', submenu: [{ role: 'quit' }] }];
  return [
    ...appMenu,
    // Text fields need the standard edit roles (and their OS shortcuts) to cut, copy and paste.
    { role: 'editMenu' },
    ...MENU_GROUPS.map((g) => ({ label: g.label, submenu: g.commands.map(item) })),
    {
      label: 'View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(opts.devTools ? [{ role: 'toggleDevTools' }] : []),
      ],
    },
    {
      label: 'Help',
      submenu: [{ label: 'Keyboard Shortcuts', accelerator: '?', registerAccelerator: false, click: () => opts.sendCommand('app.help') }],
    },
  ];
}
