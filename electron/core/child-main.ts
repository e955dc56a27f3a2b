// Runs a core in a forked child process (fault tests SIGKILL it at will). Options come from
// DESK_CORE_OPTIONS (JSON) and/or argv: `--options <json>`, `--cache-file F`, `--token-file F`,
// `--demo-server URL`. Requests arrive on process IPC as {id, method, input} and are answered
// {id, result}; events go out as {event, payload}. Calls that arrive while the core is still opening wait.
import { createCore, type Core, type CoreOptions } from './index';
import { memorySecretStore, plaintextFileSecretStore } from './secret-store';
import type { DeskResult } from '../../shared/desk-api';

interface ChildOptions {
  cacheFile?: string;
  autoSync?: boolean;
  syncIntervalMs?: number;
  laborCheckpointMs?: number;
  tokenFile?: string;
  demoServer?: string;
}

function readOptions(argv: string[], env: NodeJS.ProcessEnv): ChildOptions {
  let o: ChildOptions = {};
  const merge = (json: string | undefined, from: string) => {
    if (!json) return;
    try { o = { ...o, ...(JSON.parse(json) as ChildOptions) }; } catch { throw new Error(`${from} is not valid JSON`); }
  };
  merge(env.DESK_CORE_OPTIONS, 'DESK_CORE_OPTIONS');
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--options') merge(value(), '--options');
    else if (flag === '--cache-file') o.cacheFile = value();
    else if (flag === '--token-file') o.tokenFile = value();
    else if (flag === '--demo-server') o.demoServer = value();
  }
  return o;
}

type Request = { id: number; method: string; input: unknown };

async function main(): Promise<void> {
  if (!process.send) throw new Error('child-main must be started with an IPC channel (child_process.fork)');
  const send = (msg: unknown) => { if (process.connected) process.send!(msg); };
  const queued: Request[] = [];
  let core: Core | null = null;
  let failure: DeskResult<never> | null = null;

  const answer = (req: Request) => {
    if (failure) { send({ id: req.id, result: failure }); return; }
    if (!core) { queued.push(req); return; }
    void core.call(req.method, req.input).then((result) => send({ id: req.id, result }));
  };
  process.on('message', (raw: unknown) => {
    const m = raw as Partial<Request>;
    if (m && typeof m.id === 'number' && typeof m.method === 'string') answer({ id: m.id, method: m.method, input: m.input });
  });
  const shutdown = async (code: number) => {
    await core?.close().catch(() => undefined);
    process.exit(code);
  };
  process.on('disconnect', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  const o = readOptions(process.argv.slice(2), process.env);
  if (!o.cacheFile) throw new Error('child-main needs a cache file (--cache-file or DESK_CORE_OPTIONS.cacheFile)');
  const opts: CoreOptions = {
    cacheFile: o.cacheFile,
    secrets: o.tokenFile ? plaintextFileSecretStore(o.tokenFile) : memorySecretStore(),
    autoSync: o.autoSync,
    syncIntervalMs: o.syncIntervalMs,
    laborCheckpointMs: o.laborCheckpointMs,
    ...(o.demoServer ? { demo: { serverUrl: o.demoServer } } : {}),
  };
  try {
    core = await createCore(opts);
  } catch (e) {
    const code = (e as { code?: string }).code === 'locked' ? 'locked' : 'internal';
    failure = { ok: false, error: { code, message: e instanceof Error ? e.message : String(e) } };
    for (const req of queued.splice(0)) answer(req);
    console.error(`[core child] ${failure.error.message}`);
    setTimeout(() => process.exit(3), 50);
    return;
  }
  core.onEvent((event, payload) => send({ event, payload }));
  for (const req of queued.splice(0)) answer(req);
  send({ ready: true, pid: process.pid });
}

main().catch((e) => {
  console.error('[core child] fatal:', e);
  process.exit(2);
});
