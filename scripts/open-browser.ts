// Opens a URL in the system's browser if it has one; says so and carries on if it does not.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

function onPath(cmd: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

function opener(url: string): [string, string[]] | null {
  if (process.env.BROWSER && process.env.BROWSER !== 'none') return [process.env.BROWSER, [url]];
  if (process.platform === 'darwin') return ['open', [url]];
  if (process.platform === 'win32') return ['cmd', ['/c', 'start', '""', url]];
  if (onPath('xdg-open') && (process.env.DISPLAY || process.env.WAYLAND_DISPLAY)) return ['xdg-open', [url]];
  return null;
}

/** Returns false when there is no way to open a browser here. */
export function openBrowser(url: string): boolean {
  const cmd = opener(url);
  if (!cmd) return false;
  try {
    const child = spawn(cmd[0], cmd[1], { stdio: 'ignore', detached: true, windowsVerbatimArguments: process.platform === 'win32' });
    child.on('error', () => console.log(`start: could not run '${cmd[0]}'; open the URL above yourself.`));
    child.unref();
    return true;
  } catch {
    return false;
  }
}
