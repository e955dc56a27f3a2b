// Where `npm start` keeps its data between runs: the demo server's database and the desk's cache.
import { homedir } from 'node:os';
import { join } from 'node:path';

const APP_DIR = 'exception-desk';

export function appDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (env.EXCEPTION_DESK_DATA_DIR) return env.EXCEPTION_DESK_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_DIR);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_DIR);
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), APP_DIR);
}
