// The UI bench's core in a process of its own (issue 15): as in the product (`npm start`, Electron), the desk core
// and its browser mode run in a child process and Playwright, the page and the feeder in the bench's. Sharing one
// thread, Playwright's own work (stack captures, protocol messages) ran right in front of the core's decision calls
// and counted as the product's "sent -> core call starts" wait. The child is test/bench/ui-core-process.ts; this
// file is the channel between the two (fork IPC): every message checked with the schemas below on arrival.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { z } from 'zod';

/** The core's thread held up this long or more counts as a block (its process watches; the bench prints them). */
export const BLOCK_MS = 30;

const span = z.object({ name: z.string(), start: z.number(), ms: z.number() });
const coreCall = z.object({ itemId: z.string(), start: z.number(), end: z.number(), spans: z.array(span) });

/** What the bench asks of the core's process; `id` pairs a request with its reply. */
export const coreRequest = z.discriminatedUnion('op', [
  z.object({ id: z.number(), op: z.literal('open'), cacheFile: z.string(), serverUrl: z.string(), logDir: z.string().optional() }),
  z.object({ id: z.number(), op: z.literal('call'), method: z.string(), input: z.unknown() }),
  /** Epoch ms on the core's clock (performance.timeOrigin + now), for lining the clocks up. */
  z.object({ id: z.number(), op: z.literal('now') }),
  z.object({ id: z.number(), op: z.literal('web'), staticDir: z.string() }),
  z.object({ id: z.number(), op: z.literal('closeWeb'), launchUrl: z.string() }),
  /** The core's thread held up >= 30 ms, from now on (each with its epoch start). */
  z.object({ id: z.number(), op: z.literal('watchBlocks') }),
  /** The main decisions: calls timed, work trace on, event-loop delay on, UI_BENCH_CPU_PROF started. */
  z.object({ id: z.number(), op: z.literal('startDecisions') }),
  z.object({ id: z.number(), op: z.literal('stopDecisions') }),
  /** The renderer-build A/B: its own record of the core's decide calls. */
  z.object({ id: z.number(), op: z.literal('startAbRecorder') }),
  z.object({ id: z.number(), op: z.literal('stopAbRecorder') }),
  /** The core A/B: close the core and open this one or the other build's on the same cache. */
  z.object({ id: z.number(), op: z.literal('swapCore'), which: z.enum(['current', 'compare']), comparePath: z.string().optional() }),
  z.object({ id: z.number(), op: z.literal('close') }),
]);
export type CoreRequest = z.infer<typeof coreRequest>;
type Op = CoreRequest['op'];

const nothing = z.null();
/** The value each request answers with. */
export const replyValue = {
  open: nothing,
  call: z.unknown(),
  now: z.number(),
  web: z.object({ launchUrl: z.string() }),
  closeWeb: nothing,
  watchBlocks: nothing,
  startDecisions: nothing,
  stopDecisions: z.object({
    inCore: z.object({ decide: z.array(z.number()), open: z.array(z.number()) }),
    calls: z.array(coreCall),
    spans: z.array(span),
    loopDelay: z.object({ p50: z.number(), p95: z.number(), p99: z.number(), max: z.number() }),
    blocks: z.array(z.object({ at: z.number(), ms: z.number() })),
  }),
  startAbRecorder: nothing,
  stopAbRecorder: z.object({ calls: z.array(coreCall) }),
  swapCore: nothing,
  close: nothing,
} satisfies Record<Op, z.ZodType>;

export const coreReply = z.union([
  z.object({ id: z.number(), ok: z.literal(true), value: z.unknown() }),
  z.object({ id: z.number(), ok: z.literal(false), error: z.string() }),
]);
export type CoreReply = z.infer<typeof coreReply>;

type Ask<O extends Op> = Omit<Extract<CoreRequest, { op: O }>, 'id' | 'op'>;
export interface CoreProcess {
  ask<O extends Op>(op: O, ...args: keyof Ask<O> extends never ? [] : [Ask<O>]): Promise<z.infer<(typeof replyValue)[O]>>;
  /** Asks the core to close, then waits for its process to end. */
  close(): Promise<void>;
}

/** Forks the core's process (under tsx, as the bench runs) and opens a core on `cacheFile`. */
export async function forkCore(opts: Ask<'open'>): Promise<CoreProcess> {
  const core = connectCore(CORE_PROCESS);
  await core.ask('open', opts);
  return core;
}

export const CORE_PROCESS = join(import.meta.dirname, 'ui-core-process.ts');

/** The channel to a freshly forked `entry`, nothing opened yet (forkCore; the channel's own test forks other ends). */
export function connectCore(entry: string): CoreProcess {
  const child: ChildProcess = fork(entry, [], {
    execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const waiting = new Map<number, { op: Op; resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    for (const w of waiting.values()) w.reject(new Error(`the core's process ended (${code ?? signal}) before answering ${w.op}`));
    waiting.clear();
    resolve();
  }));
  // A reply that does not fit the channel or its request, or answers nothing asked: every waiting request fails
  // with why, and the core's process is ended (its figures could not be trusted).
  const broken = (why: string) => {
    for (const w of waiting.values()) w.reject(new Error(`${w.op}: ${why}`));
    waiting.clear();
    child.kill();
  };
  child.on('message', (raw) => {
    const reply = coreReply.safeParse(raw);
    if (!reply.success) return broken(`the core's process sent a malformed reply: ${reply.error.message}`);
    const w = waiting.get(reply.data.id);
    if (!w) return broken(`the core's process answered request ${reply.data.id}, which is not waiting`);
    waiting.delete(reply.data.id);
    if (!reply.data.ok) return w.reject(new Error(`${w.op}: ${reply.data.error}`));
    const value = replyValue[w.op].safeParse(reply.data.value);
    if (!value.success) {
      waiting.set(reply.data.id, w);
      return broken(`malformed answer from the core's process: ${value.error.message}`);
    }
    w.resolve(value.data);
  });
  const ask: CoreProcess['ask'] = (op, ...args) => new Promise((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, { op, resolve: resolve as (v: unknown) => void, reject });
    child.send(coreRequest.parse({ id, op, ...(args[0] ?? {}) }), (e) => {
      if (e && waiting.delete(id)) reject(new Error(`${op}: not sent to the core's process: ${e.message}`));
    });
  });
  return {
    ask,
    async close() {
      if (child.exitCode === null && child.signalCode === null) await ask('close').catch(() => undefined);
      // The core's process leaves when its channel closes (it does so itself after 'close').
      if (child.connected) child.disconnect();
      await exited;
    },
  };
}
