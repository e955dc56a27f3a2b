// The UI bench's core process (forked by ui-core-channel.ts): the desk core, its browser mode (the page's HTTP and
// socket transport) and the timing kept inside the core (call durations, the work trace with the commits, its
// event-loop delay and long blocks, UI_BENCH_CPU_PROF), on a thread of its own as in the product. Nothing else runs
// here: Playwright, the page's figures and the feeder are in the bench's process.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createCore } from '../../electron/core/index';
import { memorySecretStore } from '../../electron/core/secret-store';
import { startBrowserMode } from '../../electron/web/index';
import type { DeskEventName, DeskResult } from '../../shared/desk-api';
import { BLOCK_MS, coreRequest, type CoreReply, type CoreRequest } from './ui-core-channel';
import { durableRecorder } from './durable-breakdown';

type Core = Awaited<ReturnType<typeof createCore>>;
type Web = Awaited<ReturnType<typeof startBrowserMode>>;

// One token store for every core of the run, so a core opened again on the cache (the core A/B) is signed in.
const secrets = memorySecretStore();
let coreOptions: Parameters<typeof createCore>[0] | undefined;
// The browser mode talks to whichever core is current (the core A/B swaps it between blocks); calls that arrive
// during a swap wait for it.
let current: Core | undefined;
let swapping: Promise<void> = Promise.resolve();
const listeners = new Set<(name: DeskEventName, payload: unknown) => void>();
const fanOut = (name: DeskEventName, payload: unknown) => { for (const l of listeners) l(name, payload); };
let unsubscribe = () => undefined as void;
const webs = new Map<string, Web>();

// How long each triage.decide / triage.open took from the browser mode's call to its answer (the commit included).
const inCore: Record<'decide' | 'open', number[]> = { decide: [], open: [] };
const trace = durableRecorder();
// The renderer-build A/B keeps its own record of the core's calls (its figures are printed apart).
let recorder = trace;
let timing = false;
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
let blocks: ReturnType<typeof watchBlocks> | undefined;
let profile: { stop(): Promise<void> } | undefined;

const core = (): Core => {
  if (!current) throw new Error('no core open');
  return current;
};

const timed = {
  call: async (m: string, input: unknown) => {
    await swapping;
    const s = performance.now();
    const r = timing && m === 'triage.decide'
      ? await recorder.decide((input as { itemId: string }).itemId, () => core().call(m as never, input as never))
      : await core().call(m as never, input as never);
    if (timing && (m === 'triage.decide' || m === 'triage.open')) inCore[m === 'triage.decide' ? 'decide' : 'open'].push(performance.now() - s);
    return r;
  },
  onEvent: (l: (name: DeskEventName, payload: unknown) => void) => { listeners.add(l); return () => { listeners.delete(l); }; },
} as Core;

async function open(make: typeof createCore): Promise<void> {
  current = await make(coreOptions!);
  unsubscribe = current.onEvent(fanOut);
}

async function swapCore(make: typeof createCore): Promise<void> {
  let done!: () => void;
  swapping = new Promise((resolve) => { done = resolve; });
  try {
    unsubscribe();
    await core().close();
    await open(make);
  } finally {
    done();
  }
}

async function handle(req: CoreRequest): Promise<unknown> {
  switch (req.op) {
    case 'open':
      coreOptions = { cacheFile: req.cacheFile, demo: { serverUrl: req.serverUrl }, syncIntervalMs: 1000, secrets, logDir: req.logDir };
      await open(createCore);
      return null;
    case 'call': {
      await swapping;
      const r = (await core().call(req.method as never, req.input as never)) as DeskResult<unknown>;
      if (!r.ok) throw new Error(`${req.method}: ${r.error.code}: ${r.error.message}`);
      return r.value ?? null;
    }
    case 'now':
      return performance.timeOrigin + performance.now();
    case 'web': {
      const web = await startBrowserMode({ core: timed, staticDir: req.staticDir });
      webs.set(web.launchUrl, web);
      return { launchUrl: web.launchUrl };
    }
    case 'closeWeb':
      await webs.get(req.launchUrl)?.close();
      webs.delete(req.launchUrl);
      return null;
    case 'watchBlocks':
      blocks = watchBlocks();
      return null;
    case 'startDecisions':
      timing = true;
      trace.start();
      loopDelay.enable();
      profile = await startCpuProfile();
      return null;
    case 'stopDecisions': {
      timing = false;
      trace.stop();
      loopDelay.disable();
      blocks?.stop();
      await profile?.stop();
      const ms = (ns: number) => ns / 1e6;
      return {
        inCore, calls: trace.calls, spans: trace.spans, blocks: blocks?.list ?? [],
        loopDelay: { p50: ms(loopDelay.percentile(50)), p95: ms(loopDelay.percentile(95)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) },
      };
    }
    case 'startAbRecorder':
      recorder = durableRecorder();
      recorder.start();
      timing = true;
      return null;
    case 'stopAbRecorder': {
      timing = false;
      recorder.stop();
      const calls = recorder.calls;
      recorder = trace;
      return { calls };
    }
    case 'swapCore': {
      if (req.which === 'current') await swapCore(createCore);
      else await swapCore((await import(req.comparePath!) as { createCore: typeof createCore }).createCore);
      return null;
    }
    case 'close':
      for (const web of webs.values()) await web.close();
      webs.clear();
      unsubscribe();
      await current?.close();
      current = undefined;
      return null;
  }
}

/**
 * The core's event loop held up for BLOCK_MS or more, each with its epoch start (a 5 ms timer that runs late by
 * more than BLOCK_MS). The bench lines them up with the decisions' timeline after the initial sync.
 */
function watchBlocks(): { list: { at: number; ms: number }[]; stop(): void } {
  const list: { at: number; ms: number }[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const late = now - last - 5;
    if (late >= BLOCK_MS) list.push({ at: performance.timeOrigin + last, ms: late });
    last = now;
  }, 5);
  return { list, stop: () => clearInterval(timer) };
}

/** UI_BENCH_CPU_PROF=file.cpuprofile: a CPU profile of the core's process (core, browser mode) while decisions run. */
async function startCpuProfile(): Promise<{ stop(): Promise<void> }> {
  const file = process.env.UI_BENCH_CPU_PROF;
  if (!file) return { stop: async () => undefined };
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

const send = (reply: CoreReply) => process.send!(reply);
// Requests run one after another, as the bench sends them (it awaits each).
let queue: Promise<void> = Promise.resolve();
process.on('message', (raw) => {
  const parsed = coreRequest.safeParse(raw);
  if (!parsed.success) {
    const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number' ? (raw as { id: number }).id : -1;
    return send({ id, ok: false, error: `malformed request: ${parsed.error.message}` });
  }
  const req = parsed.data;
  queue = queue.then(() => handle(req)).then(
    (value) => send({ id: req.id, ok: true, value }),
    (e: unknown) => send({ id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
  ).then(() => { if (req.op === 'close') process.disconnect(); });
});
// The bench's process gone (a crash, Ctrl-C): the core closes too instead of syncing on alone.
process.on('disconnect', () => { void current?.close().finally(() => process.exit(0)); if (!current) process.exit(0); });
