// Runs the core in a utilityProcess and keeps it running: forks it, answers its token requests from the
// main-process SecretStore, hands MessagePorts to trusted frames, restarts it (with backoff, up to a limit)
// when it dies, reconnects every frame, and tells the windows. Main keeps one port of its own to send
// labor signals and the demo sign-in through the same dispatcher the renderer uses.
import { backoffCeiling } from '../core/backoff';
import { createDeskPortClient, type DeskPortClient } from '../common/desk-port-client';
import { DESK_IPC_CHANNELS, type DeskResult } from '../../shared/desk-api';
import { MainToUtilityMessage, UtilityToMainMessage } from '../core/utility-port';
import type { FrameLike, MainChannelLike, MainPortLike } from './electron-like';
import type { SecretStore } from '../core/secret-store';

export interface UtilityProcessLike {
  postMessage(message: unknown, transfer?: MainPortLike[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

export type ShellEventSink = (event: 'core.restarted' | 'app.notice', payload: unknown) => void;

export interface CoreHostOptions {
  fork(): UtilityProcessLike;
  createChannel(): MainChannelLike;
  secrets: SecretStore;
  shellEvent: ShellEventSink;
  /** Restarts allowed within restartWindowMs before giving up. */
  maxRestarts?: number;
  restartWindowMs?: number;
  backoffMs?: (attempt: number) => number;
  shutdownTimeoutMs?: number;
  now?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  log?: (message: string) => void;
  /** The core relayed the user's "Reveal logs": show the log folder. */
  revealLogs?: () => void;
}

export interface CoreHost {
  start(): void;
  /** Hand a fresh MessagePort to the core to this (already trusted) frame; remembered for restarts. */
  connectFrame(frame: FrameLike): void;
  /** Main's own desk call through the core's dispatcher. */
  call(method: string, input: unknown): Promise<DeskResult<unknown>>;
  stop(): Promise<void>;
  readonly restarts: number;
  readonly gaveUp: boolean;
}

/** Codes after which restarting cannot help (another instance owns the cache, bad options). */
const FATAL_NO_RESTART = new Set(['locked', 'bad_options']);

export function createCoreHost(opts: CoreHostOptions): CoreHost {
  const log = opts.log ?? ((m: string) => console.warn(m));
  const now = opts.now ?? Date.now;
  const later = opts.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
  const cancel = opts.clearTimeout ?? ((h) => clearTimeout(h as NodeJS.Timeout));
  const maxRestarts = opts.maxRestarts ?? 5;
  const windowMs = opts.restartWindowMs ?? 60_000;
  const backoff = opts.backoffMs ?? ((n: number) => backoffCeiling(n, { baseMs: 250, capMs: 5_000 }));

  let child: UtilityProcessLike | null = null;
  let stopping = false;
  let gaveUp = false;
  let restarts = 0;
  let restartTimes: number[] = [];
  let lastFatal: { code: string; message: string } | null = null;
  const frames = new Set<FrameLike>();
  const mainClient: DeskPortClient = createDeskPortClient(() => {});
  let exited: (() => void) | null = null;

  const post = (message: MainToUtilityMessage, transfer?: MainPortLike[]) => child?.postMessage(message, transfer);

  function openPort(): MainPortLike {
    const { port1, port2 } = opts.createChannel();
    post({ type: 'connect' }, [port1]);
    return port2;
  }

  function connectMainClient() {
    const port = openPort();
    port.on('message', (e) => mainClient.receive(e.data));
    port.start();
    mainClient.attach({ post: (m) => port.postMessage(m), close: () => port.close() });
  }

  function handOver(frame: FrameLike) {
    if (frame.detached) {
      frames.delete(frame);
      return;
    }
    const port = openPort();
    try {
      frame.postMessage(DESK_IPC_CHANNELS.port, null, [port]);
    } catch (err) {
      frames.delete(frame);
      log(`could not hand the core port to a frame: ${String(err)}`);
    }
  }

  async function answerSecret(msg: Extract<UtilityToMainMessage, { type: 'secret' }>, to: UtilityProcessLike) {
    try {
      let value: string | null = null;
      if (msg.op === 'get') value = await opts.secrets.get();
      else if (msg.op === 'set') {
        if (!msg.token) throw new Error('set without a token');
        await opts.secrets.set(msg.token);
      } else await opts.secrets.clear();
      to.postMessage({ type: 'secret-reply', id: msg.id, ok: true, value } satisfies MainToUtilityMessage);
    } catch (err) {
      to.postMessage({ type: 'secret-reply', id: msg.id, ok: false, message: String(err) } satisfies MainToUtilityMessage);
    }
  }

  function spawn() {
    lastFatal = null;
    const proc = opts.fork();
    child = proc;
    proc.on('message', (raw) => {
      const parsed = UtilityToMainMessage.safeParse(raw);
      if (!parsed.success) {
        log('ignored a malformed message from the core process');
        return;
      }
      const msg = parsed.data;
      if (msg.type === 'secret') void answerSecret(msg, proc);
      else if (msg.type === 'reveal-logs') opts.revealLogs?.();
      else if (msg.type === 'fatal') {
        lastFatal = { code: msg.code, message: msg.message };
        log(`core failed to start (${msg.code}): ${msg.message}`);
      }
    });
    proc.on('exit', (code) => onExit(proc, code));
    connectMainClient();
    for (const f of frames) handOver(f);
  }

  function onExit(proc: UtilityProcessLike, code: number) {
    if (proc !== child) return;
    child = null;
    mainClient.detach('the desk core stopped');
    if (stopping) {
      exited?.();
      return;
    }
    const reason = lastFatal ? `${lastFatal.code}: ${lastFatal.message}` : `core process exited with code ${code}`;
    const t = now();
    restartTimes = restartTimes.filter((x) => t - x < windowMs);
    if ((lastFatal && FATAL_NO_RESTART.has(lastFatal.code)) || restartTimes.length >= maxRestarts) {
      gaveUp = true;
      log(`core not restarted: ${reason}`);
      opts.shellEvent('core.restarted', { restarts, reason, gaveUp: true });
      opts.shellEvent('app.notice', { level: 'error', code: 'core_down', message: `The desk core stopped and could not be restarted (${reason}). Restart the app.` });
      return;
    }
    restartTimes.push(t);
    const delay = backoff(restartTimes.length - 1);
    log(`core died (${reason}); restarting in ${delay} ms`);
    later(() => {
      if (stopping) return;
      restarts++;
      spawn();
      opts.shellEvent('core.restarted', { restarts, reason, gaveUp: false });
    }, delay);
  }

  return {
    get restarts() {
      return restarts;
    },
    get gaveUp() {
      return gaveUp;
    },
    start() {
      if (child || stopping) return;
      spawn();
    },
    connectFrame(frame) {
      frames.add(frame);
      if (child) handOver(frame);
    },
    call(method, input) {
      if (!child && (gaveUp || stopping)) {
        return Promise.resolve({ ok: false, error: { code: 'internal', message: 'the desk core is not running' } });
      }
      return mainClient.call(method, input);
    },
    stop() {
      stopping = true;
      const proc = child;
      if (!proc) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = later(() => {
          log('core did not shut down in time; killing it');
          proc.kill();
          resolve();
        }, opts.shutdownTimeoutMs ?? 5_000);
        exited = () => {
          cancel(timer);
          resolve();
        };
        post({ type: 'shutdown' });
      });
    },
  };
}
