// Command-line options of the desktop app: `--demo-server=<url>` (embedded demo: the core signs in as
// alice via session.connectDemo) or `--server=<url>` (the central API to offer on the sign-in screen),
// and `--user-data-dir=<absolute dir>`.
import path from 'node:path';
import { z } from 'zod';
import { APP_START_URL } from './app-protocol';

const HttpUrl = z.url({ protocol: /^https?$/ });

export interface ShellArgs {
  demoServer: string | null;
  /** `--user-data-dir=<dir>`: where the cache and the encrypted token live (tests and second profiles). */
  userDataDir: string | null;
  server: string | null;
  /** Host of --server, so links to it may open in the system browser. */
  serverHost: string | null;
  startUrl: string;
}

export function parseShellArgs(argv: readonly string[]): ShellArgs {
  const get = (name: string) => {
    const hit = argv.find((a) => a.startsWith(`--${name}=`));
    if (hit === undefined) return null;
    const value = hit.slice(name.length + 3);
    const parsed = HttpUrl.safeParse(value);
    if (!parsed.success) throw new Error(`--${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
    return parsed.data;
  };
  const demoServer = get('demo-server');
  const server = get('server');
  const dirArg = argv.find((a) => a.startsWith('--user-data-dir='))?.slice('--user-data-dir='.length) ?? null;
  if (dirArg !== null && !path.isAbsolute(dirArg)) throw new Error(`--user-data-dir must be an absolute path, got ${JSON.stringify(dirArg)}`);
  return {
    demoServer,
    userDataDir: dirArg,
    server,
    serverHost: server ? new URL(server).hostname : null,
    startUrl: server ? `${APP_START_URL}?server=${encodeURIComponent(server)}` : APP_START_URL,
  };
}
