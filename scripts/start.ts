// `npm start`: the desk on this machine. Builds what is missing, runs the reference server with the
// demo seed (data under the app-data folder, so it survives restarts) unless `--server URL` names a
// real central API, then opens Electron if its binary is here, or browser mode if not.
//
//   npm start                         embedded demo server, signed in as alice
//   npm start -- --server URL         a real central API; sign in with a token in the desk
//   options: --port N (browser mode port, default free)  --no-open (print the URL only)
//            --timings (the startup trace: named marks from process start to the first item painted)
//
// `npm start` runs this file as a prebuilt bundle through scripts/start.mjs; `tsx scripts/start.ts` runs it as is.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { createCore } from '../electron/core/index';
import { createDeferredDispatcher, startBrowserMode, type DeferredDispatcher } from '../electron/web/index';
import { appDataDir } from './app-data';
import { ensureBuilt } from './build';
import { ROOT, RENDERER_OUT } from './build-steps';
import { electronBinary } from './electron-binary';
import { openBrowser } from './open-browser';
import { FIRST_ITEM_PAINTED, FIRST_PAINT_HOLD_MS } from '../shared/desk-names';
import type { DeskDispatcher, SessionInfo } from '../shared/desk-api';
import type { StartServerOptions } from '../server/app';
import { createStartupTrace } from './startup-trace';

const trace = createStartupTrace(process.env.DESK_STARTUP_TRACE);
trace.mark('start script running');

type Closer = { name: string; close: () => Promise<unknown> };
type DemoServerOptions = Pick<StartServerOptions, 'dbFile' | 'seed' | 'logDir'>;

const { values: args } = parseArgs({
  options: {
    server: { type: 'string' },
    port: { type: 'string' },
    'no-open': { type: 'boolean', default: false },
    timings: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

if (args.help) {
  console.log('usage: npm start [-- --server URL] [--port N] [--no-open] [--timings]');
  process.exit(0);
}

const closers: Closer[] = [];
/** Closed before `closers` (browser mode: its calls must not reach a closed core). */
const closeFirst: Closer[] = [];

let shutdownPromise: Promise<never> | null = null;
// Idempotent: Ctrl+C reaches both npm's launcher and this process, so a second signal must wait for the
// first shutdown instead of cutting it short.
function shutdown(code: number): Promise<never> {
  shutdownPromise ??= (async () => {
    for (const c of [...closeFirst, ...closers.reverse()]) {
      try {
        await c.close();
      } catch (e) {
        console.error(`start: closing ${c.name} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    process.exit(code);
  })();
  return shutdownPromise;
}

function fail(message: string): Promise<never> {
  console.error(`start: ${message}`);
  return shutdown(1);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => {
    console.log('\nstart: shutting down...');
    void shutdown(0);
  });
  process.on('SIGTERM', () => void shutdown(0));

  let serverUrlArg: string | null = null;
  if (args.server !== undefined) {
    try {
      serverUrlArg = new URL(args.server).toString().replace(/\/$/, '');
    } catch {
      return void (await fail(`--server '${args.server}' is not a URL (example: --server https://desk-api.example.com)`));
    }
  }
  const port = args.port === undefined ? 0 : Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return void (await fail(`--port '${args.port}' is not a port number`));

  const dataDir = appDataDir();
  mkdirSync(dataDir, { recursive: true });
  const electron = electronBinary(ROOT);

  console.log(`start: data folder ${dataDir}`);
  await ensureBuilt({ electron: electron !== null });
  trace.mark('build checked');

  // Browser mode listens and prints its URL before the demo server, the cache and the sign-in are ready, so
  // the browser opens the tab, loads the page and evaluates the renderer meanwhile (issue 15 gap 4); its
  // calls wait for the signed-in core (electron/web/deferred-dispatcher.ts).
  const deskCore = createDeferredDispatcher();
  if (!electron) await startWeb(deskCore, port);

  const demo = serverUrlArg === null;
  // The demo server's identity is its database (its `serverId`), kept in the data folder: the desk binds its
  // cache to that id, so the new port every launch changes nothing (the old port may be taken by now).
  const demoDb = join(dataDir, 'demo-central.sqlite');
  const firstRun = demo && !existsSync(demoDb);
  const demoOptions: DemoServerOptions = { dbFile: demoDb, seed: firstRun ? 'demo' : undefined, logDir: join(dataDir, 'logs') };

  if (electron) {
    const serverUrl = demo ? await startDemoServer(demoOptions, 0, firstRun) : serverUrlArg!;
    const main = join(ROOT, 'dist', 'electron', 'main.cjs');
    const flags = serverUrl === '' ? [] : [demo ? `--demo-server=${serverUrl}` : `--server=${serverUrl}`];
    console.log(`start: launching Electron (${electron})`);
    const child: ChildProcess = spawn(electron, [main, ...flags], { stdio: 'inherit', cwd: ROOT });
    closers.push({
      name: 'electron',
      close: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      },
    });
    child.on('exit', (code) => void shutdown(code ?? 0));
    // Electron's core runs in its own process: the trace ends at the launch here.
    trace.mark('Electron launched');
    if (args.timings) console.log(trace.format());
    return;
  }

  // The core is loaded here, after the URL is out, not with this script: evaluating its modules took part of
  // the time before the URL was printed, which the browser now spends opening the tab (issue 15 gap 4).
  const { createCore: openCore } = await import('../electron/core/index');
  // Its own mark: evaluating the core's modules (~120 ms here) and opening the cache (~70 ms) are separate levers.
  trace.mark('desk core loaded');
  if (serverUrlArg !== null) console.log(`start: using the central API at ${serverUrlArg}; sign in with your token in the desk.`);
  // An existing demo database: the desk opens on its cache, signed in again from it, and the demo server starts
  // after the first item is painted, on a port taken now (the cache's demo session points there). Loading and
  // starting the server (Fastify, Kysely, its routes and schemas: ~160 ms of CPU on this thread) no longer
  // comes before the first item (issue 15 gap 4). A new database is seeded and signed in to first, as before.
  const early = demo && !firstRun;
  const demoTarget = !demo ? null : { serverUrl: early ? `http://127.0.0.1:${await freeLoopbackPort()}` : await startDemoServer(demoOptions, 0, firstRun) };
  let demoListening: (url: string) => void = () => undefined;
  const demoServerUp = new Promise<string>((resolve) => { demoListening = resolve; });
  let paintedOrHeld: () => void = () => undefined;
  const firstPaintOrHold = new Promise<void>((resolve) => { paintedOrHeld = resolve; });

  const cacheFile = join(dataDir, demo ? 'desk-cache-demo.sqlite' : 'desk-cache.sqlite');
  let core: Awaited<ReturnType<typeof createCore>>;
  try {
    core = await openCore({
      cacheFile, logDir: join(dataDir, 'logs'),
      ...(demoTarget ? (demoTarget.serverUrl ? { demo: demoTarget } : {}) : { serverUrl: serverUrlArg! }),
      firstPaintHoldMs: FIRST_PAINT_HOLD_MS,
      // No sync cycle before the demo server listens (it would fail and back off).
      ...(early ? { syncHold: demoServerUp } : {}),
      onStartupMark: (name) => {
        if (name === FIRST_ITEM_PAINTED) paintedOrHeld();
        // Only the first of each: a reload of the page paints a first item again.
        if (trace.has(name)) return;
        trace.mark(name);
        if (args.timings && name === FIRST_ITEM_PAINTED) console.log(trace.format());
      },
    });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    deskCore.failed(`could not open the desk cache: ${msg}`);
    return void (await fail(`could not open the desk cache ${cacheFile}: ${msg}\n(is another 'npm start' running?)`));
  }
  closers.push({ name: 'desk core', close: () => core.close() });
  trace.mark('desk core open');

  /** The demo server on the port the desk's session points at; if that port was taken meanwhile, on another, and signs in there. */
  const startEarlyDemoServer = async (): Promise<void> => {
    const port = Number(new URL(demoTarget!.serverUrl).port);
    const url = await startDemoServer(demoOptions, port, false);
    if (url !== '' && url !== demoTarget!.serverUrl) {
      demoTarget!.serverUrl = url;
      await signInToDemo(core);
    }
    demoListening(url);
  };

  const got = early ? await core.call('session.get', {}) : null;
  const session = got?.ok ? (got.value as SessionInfo) : null;
  const restored = session !== null && session.signedIn && session.demo && !session.needsToken && session.user?.id === DEMO_USER;
  if (restored) {
    trace.mark('signed in');
    console.log(`start: signed in to the demo as ${DEMO_USER} (from the cache; the demo server starts after the first item is painted)`);
    // An empty queue paints no item: the server starts at once (the sync brings the work).
    void core.call('triage.next', { fromItemId: null, direction: 'next' }).then((r) => { if (r.ok && (r.value as { itemId: string | null }).itemId === null) paintedOrHeld(); });
    setTimeout(paintedOrHeld, FIRST_PAINT_HOLD_MS);
    void firstPaintOrHold.then(() => (shutdownPromise ? demoListening('') : startEarlyDemoServer()));
  } else {
    if (early) await startEarlyDemoServer();
    if (demoTarget?.serverUrl) await signInToDemo(core);
  }
  // The page's calls, waiting since it loaded, go to the core now (after the sign-in, so the first
  // session.get already says signed in).
  deskCore.ready(core);
  trace.mark('desk core serving');
  // Meanwhile the renderer's first reads run once, while the browser still loads the page, so their
  // validators and statements are compiled when its calls come. A step at a time: a page request that
  // arrives meanwhile is served between two steps.
  void core.warmUp().then(() => trace.mark('desk core warm'), () => undefined);
  if (args.timings) {
    console.log(trace.format());
    console.log(`start: the trace is printed again when the desk reports '${FIRST_ITEM_PAINTED}'.`);
  }
}

const DEMO_USER = 'alice';

/** Never fatal: whatever the sign-in says, the desk opens on its cache (its queue and unsynced decisions). */
async function signInToDemo(core: DeskDispatcher): Promise<void> {
  const signedIn = await core.call('session.connectDemo', { user: DEMO_USER });
  trace.mark('signed in');
  if (signedIn.ok) console.log(`start: signed in to the demo as ${DEMO_USER}`);
  else console.error(`start: demo sign-in failed (${signedIn.error.code}: ${signedIn.error.message}); the desk opens on its cache.`);
}

/**
 * Starts the embedded demo server (on `port`, or a free one if that is taken); its URL, or '' when it did not
 * start: the desk still opens on its cache, decisions are kept and sync once a server answers.
 */
async function startDemoServer(options: DemoServerOptions, port: number, firstRun: boolean): Promise<string> {
  const { startServer } = await import('../server/app');
  try {
    let server;
    try {
      server = await startServer({ ...options, port, logger: false });
    } catch (e) {
      if (port === 0 || (e as { code?: unknown }).code !== 'EADDRINUSE') throw e;
      server = await startServer({ ...options, port: 0, logger: false });
    }
    const running = server;
    // Closed after the core (closers close in reverse), so the core's last sync never meets a closed server.
    closers.unshift({ name: 'demo server', close: () => running.close() });
    trace.mark('demo server listening');
    console.log(`start: demo central API at ${server.url} (${firstRun ? 'new database, demo data seeded' : 'existing database'}: ${options.dbFile})`);
    return server.url;
  } catch (e) {
    console.error(`start: the demo central API did not start (${e instanceof Error ? e.message : String(e)}); the desk opens on its cache, offline.`);
    return '';
  }
}

/** A port free on 127.0.0.1 now (the demo server listens there a moment later). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Browser mode over the (not yet ready) core: listens, prints the launch URL and opens the browser. */
async function startWeb(deskCore: DeferredDispatcher, port: number): Promise<void> {
  console.log('start: Electron is not available on this machine (no binary under node_modules/electron/dist);');
  console.log('start: running browser mode instead: the same desk, served on 127.0.0.1 to your browser.');
  const web = await startBrowserMode({ core: deskCore, staticDir: RENDERER_OUT, port });
  // Closed before the core and the demo server, so no call reaches a closed core.
  closeFirst.push({ name: 'browser mode', close: () => web.close() });
  trace.mark('browser mode listening');
  console.log('');
  console.log(`  Exception Desk is running. Open this URL (it carries this launch's key):`);
  console.log(`  ${web.launchUrl}`);
  console.log('');
  if (!args['no-open'] && !process.env.CI) {
    if (openBrowser(web.launchUrl)) console.log('start: opened your browser.');
    else console.log('start: no browser found to open; copy the URL above into one.');
  }
  console.log('start: press Ctrl+C to stop.');
}

main().catch((e: unknown) => void fail(e instanceof Error ? (e.stack ?? e.message) : String(e)));
