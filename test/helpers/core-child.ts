// Runs the workstation core in a forked child process (electron/core/child-main.ts under tsx), so a fault
// test can SIGKILL it at any moment and start it again on the same cache file. Calls are typed with the
// desk API table; a call in flight when the child dies rejects with CoreChildGone.
// Uses electron/core/child-main.ts: bundled once with esbuild (fast restarts), or under tsx on request.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { DeskEventName, DeskInput, DeskMethod, DeskOutput, DeskResult } from '../../shared/desk-api';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const childMain = fileURLToPath(new URL('../../electron/core/child-main.ts', import.meta.url));

let bundled: Promise<string> | null = null;

/**
 * child-main bundled once per test process (esbuild, packages left external). A fault suite restarts the
 * core dozens of times; plain node on one bundle starts in a fraction of tsx transpiling every module.
 * It lives under node_modules/.cache so bare imports (better-sqlite3, zod) resolve from the repo.
 * FAULT_CHILD_TSX=1 runs the sources under tsx instead.
 */
function childEntry(): Promise<{ file: string; execArgv: string[] }> {
  if (process.env.FAULT_CHILD_TSX === '1') return Promise.resolve({ file: childMain, execArgv: ['--import', 'tsx'] });
  bundled ??= (async () => {
    const dir = join(repoRoot, 'node_modules', '.cache', 'desk-fault-tests');
    const outfile = join(dir, `child-main-${process.pid}.mjs`);
    // Workers killed by the pool never run 'exit' handlers: sweep bundles older than an hour.
    for (const f of existsSync(dir) ? readdirSync(dir) : []) {
      const file = join(dir, f);
      if (Date.now() - statSync(file).mtimeMs > 3_600_000) rmSync(file, { force: true });
    }
    await build({ entryPoints: [childMain], bundle: true, platform: 'node', format: 'esm', target: 'node22', packages: 'external', outfile, logLevel: 'silent' });
    process.once('exit', () => rmSync(outfile, { force: true }));
    return outfile;
  })();
  return bundled.then((file) => ({ file, execArgv: [] }));
}

export interface CoreChildOptions {
  cacheFile: string;
  autoSync?: boolean;
  syncIntervalMs?: number;
  /** Keep the session token in this file (plaintext: test harness only) so a restarted core is signed in. */
  tokenFile?: string;
  /** Extra environment for the child (merged over process.env). */
  env?: Record<string, string>;
  /** How long to wait for the first answered call. */
  readyTimeoutMs?: number;
}

export class CoreChildGone extends Error {
  constructor(
    readonly method: string,
    readonly exit: { code: number | null; signal: NodeJS.Signals | null },
  ) {
    super(`core child exited (code ${exit.code}, signal ${exit.signal}) during ${method}`);
  }
}

export class CoreCallFailed extends Error {
  constructor(
    readonly method: string,
    readonly error: { code: string; message: string; details?: unknown },
  ) {
    super(`${method} failed: ${error.code}: ${error.message}`);
  }
}

export interface CoreChild {
  readonly pid: number;
  readonly options: CoreChildOptions;
  /** Answers the DeskResult; rejects only if the child dies (CoreChildGone) or times out. */
  call<M extends DeskMethod>(method: M, input: DeskInput<M>, timeoutMs?: number): Promise<DeskResult<DeskOutput<M>>>;
  /** Like call, but throws CoreCallFailed on an error result. */
  ok<M extends DeskMethod>(method: M, input: DeskInput<M>, timeoutMs?: number): Promise<DeskOutput<M>>;
  onEvent(listener: (name: DeskEventName, payload: unknown) => void): () => void;
  /** Called as each call's answer arrives (ok or error), before the caller sees it: a test can act at the Nth answer. */
  onAnswer(listener: (method: string) => void): () => void;
  /** SIGKILL (default) or another signal; resolves once the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  readonly alive: boolean;
  /** The answer to the readiness probe (session.get): an error here is e.g. `locked`. */
  readonly firstAnswer: DeskResult<unknown>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The child's last output lines, for failure messages. */
  log(): string;
}

/** The child reads its options from DESK_CORE_OPTIONS (JSON) and from `--options <json>` on argv. */
function childOptionsJson(o: CoreChildOptions): string {
  return JSON.stringify({ cacheFile: o.cacheFile, autoSync: o.autoSync, syncIntervalMs: o.syncIntervalMs, tokenFile: o.tokenFile });
}

export async function startCoreChild(options: CoreChildOptions): Promise<CoreChild> {
  const json = childOptionsJson(options);
  const argv = ['--options', json, '--cache-file', options.cacheFile];
  if (options.tokenFile) argv.push('--token-file', options.tokenFile);
  const entry = await childEntry();
  const child: ChildProcess = fork(entry.file, argv, {
    cwd: repoRoot,
    execArgv: entry.execArgv,
    env: { ...process.env, ...options.env, DESK_CORE_OPTIONS: json },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  const logLines: string[] = [];
  const keep = (chunk: Buffer): void => {
    logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (logLines.length > 200) logLines.splice(0, logLines.length - 200);
  };
  // A send racing the child's death surfaces as an async 'error' (EPIPE); the exit handler settles calls.
  child.on('error', () => undefined);
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  let nextId = 1;
  let alive = true;
  const pending = new Map<number, { method: string; resolve: (r: DeskResult<unknown>) => void; reject: (e: Error) => void }>();
  const listeners = new Set<(name: DeskEventName, payload: unknown) => void>();
  const answerListeners = new Set<(method: string) => void>();

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      alive = false;
      const exit = { code, signal };
      for (const [, p] of pending) p.reject(new CoreChildGone(p.method, exit));
      pending.clear();
      resolve(exit);
    });
  });

  child.on('message', (raw: unknown) => {
    const msg = raw as { id?: number; result?: DeskResult<unknown>; event?: DeskEventName; payload?: unknown };
    if (typeof msg?.id === 'number' && msg.result !== undefined) {
      const p = pending.get(msg.id);
      if (p) {
        pending.delete(msg.id);
        for (const l of [...answerListeners]) l(p.method);
        p.resolve(msg.result);
      }
    } else if (typeof msg?.event === 'string') {
      for (const l of listeners) l(msg.event, msg.payload);
    }
  });

  const call = <M extends DeskMethod>(method: M, input: DeskInput<M>, timeoutMs = 30_000): Promise<DeskResult<DeskOutput<M>>> => {
    if (!alive) return Promise.reject(new CoreChildGone(method, { code: child.exitCode, signal: child.signalCode }));
    const id = nextId++;
    return new Promise<DeskResult<DeskOutput<M>>>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`core child: ${method} got no answer in ${timeoutMs} ms\n${logLines.slice(-20).join('\n')}`));
      }, timeoutMs);
      pending.set(id, {
        method,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r as DeskResult<DeskOutput<M>>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      try {
        child.send({ id, method, input }, (err) => {
          if (err) void err; // the exit handler rejects the call with CoreChildGone
        });
      } catch (e) {
        pending.delete(id);
        clearTimeout(timer);
        reject(new CoreChildGone(method, { code: child.exitCode, signal: child.signalCode }));
        void e;
      }
    });
  };

  let firstAnswer: DeskResult<unknown> = { ok: false, error: { code: 'internal', message: 'no answer yet' } };
  const handle: CoreChild = {
    pid: child.pid ?? -1,
    get firstAnswer() {
      return firstAnswer;
    },
    options,
    call,
    async ok(method, input, timeoutMs) {
      const r = await call(method, input, timeoutMs);
      if (!r.ok) throw new CoreCallFailed(method, r.error);
      return r.value;
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onAnswer(listener) {
      answerListeners.add(listener);
      return () => answerListeners.delete(listener);
    },
    async kill(signal = 'SIGKILL') {
      if (alive) child.kill(signal);
      await exited;
    },
    get alive() {
      return alive;
    },
    exited,
    log: () => logLines.join('\n'),
  };

  // Ready when the first call is answered (the child may still be opening the cache when we first ask).
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    try {
      firstAnswer = await call('session.get', {}, 5_000);
      return handle;
    } catch (e) {
      if (!alive || Date.now() > deadline) {
        await handle.kill();
        throw new Error(`core child did not become ready: ${(e as Error).message}\n${handle.log()}`, { cause: e });
      }
    }
  }
}
