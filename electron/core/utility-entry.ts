// Entry of the core's utilityProcess (bundled to dist/electron/core.cjs). Plain Node: it only sees
// process.parentPort, which Electron provides to utility processes. It creates the core, serves its
// dispatcher on every MessagePort main hands over, and asks main for the token (safeStorage lives there).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { FIRST_PAINT_HOLD_MS } from '../../shared/desk-names';
import { createCore, type CoreOptions, type SecretStore } from './index';
import {
  MainToUtilityMessage,
  createRemoteSecretStore,
  serveDispatcherOnPort,
  type UtilityPortLike,
  type UtilityToMainMessage,
} from './utility-port';

interface ParentPortLike {
  on(event: 'message', listener: (e: { data: unknown; ports?: readonly UtilityPortLike[] }) => void): unknown;
  postMessage(message: unknown): void;
}

export const UtilityArgs = z.object({
  cacheFile: z.string().min(1),
  demoServer: z.url().optional(),
  /** `--server`: the central API offered on the sign-in screen. */
  server: z.url().optional(),
  /** `--log-dir`: the log folder in the app-data folder (core.N.log). */
  logDir: z.string().min(1).optional(),
});
export type UtilityArgs = z.infer<typeof UtilityArgs>;

/** `--cache-file=<path> [--demo-server=<url>] [--server=<url>] [--log-dir=<path>]`, as core-host passes them. */
export function parseUtilityArgs(argv: readonly string[]): UtilityArgs {
  const get = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  return UtilityArgs.parse({ cacheFile: get('cache-file'), demoServer: get('demo-server'), server: get('server'), logDir: get('log-dir') });
}

/**
 * The core's options in Electron's core process. Like `npm start`, the boot's first sync and the WAL checkpointer
 * wait for the renderer's first item painted, at most FIRST_PAINT_HOLD_MS (issue 15 gap 4).
 */
export function utilityCoreOptions(args: UtilityArgs, secrets: SecretStore, revealLogs: () => boolean): CoreOptions {
  return {
    cacheFile: args.cacheFile, secrets,
    firstPaintHoldMs: FIRST_PAINT_HOLD_MS,
    ...(args.demoServer ? { demo: { serverUrl: args.demoServer } } : {}),
    ...(args.server ? { serverUrl: args.server } : {}),
    ...(args.logDir ? { logDir: args.logDir, revealLogs } : {}),
  };
}

export function runUtility(parentPort: ParentPortLike, argv: readonly string[], exit: (code: number) => void): void {
  const post = (m: UtilityToMainMessage) => parentPort.postMessage(m);
  const secrets = createRemoteSecretStore(post);
  let args: UtilityArgs;
  try {
    args = parseUtilityArgs(argv);
  } catch (err) {
    post({ type: 'fatal', code: 'bad_options', message: `core options: ${String(err)}` });
    exit(2);
    return;
  }
  // First run (or a fresh --user-data-dir): the profile folder may not exist yet.
  mkdirSync(path.dirname(args.cacheFile), { recursive: true });
  const core = createCore(utilityCoreOptions(args, secrets, () => { post({ type: 'reveal-logs' }); return true; }));
  core.then(
    () => post({ type: 'ready' }),
    (err: unknown) => {
      const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : 'start_failed';
      post({ type: 'fatal', code, message: err instanceof Error ? err.message : String(err) });
      exit(1);
    },
  );

  // Registered at once: parentPort queues messages until a listener exists, and calls wait for the core.
  parentPort.on('message', (e) => {
    const parsed = MainToUtilityMessage.safeParse(e.data);
    if (!parsed.success) return;
    const msg = parsed.data;
    if (msg.type === 'connect') {
      const port = e.ports?.[0];
      if (port) serveDispatcherOnPort(core, port);
    } else if (msg.type === 'secret-reply') {
      secrets.onReply(msg);
    } else if (msg.type === 'shutdown') {
      core
        .then((c) => c.close())
        .catch(() => {})
        .finally(() => exit(0));
    }
  });
}

const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
if (parentPort) runUtility(parentPort, process.argv, (code) => process.exit(code));
