// Profiling and A/B aid for the initial sync (issue 15 gap 1; not a bench of its own):
//   npx tsx test/bench/pull-profile.ts [--items 100k] [--runs 3] [--prof] [--other <checkout>] [--other-core] [--other-server]
// Seeds a server database once (ingest + claim for alice, kept in the tmp dir by size and reused), then per run
// copies it, starts a server on the copy and syncs a fresh core cache from it, printing wall time and CPU ms per
// 1k items of the core (this process) and the server (its /proc stat). With --other, runs alternate between
// this checkout and the other (its core with --other-core, its server with --other-server, both by default),
// and the medians' ratios are printed. The seed (leases of 7 days) is made by this checkout's server: delete
// it (desk-pull-seed-<n>.sqlite in the tmp dir) after a server schema change. Run it under the bench lock. --prof profiles both sides of the first run of this checkout and
// prints self time by function.
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { createCore as CreateCore } from '../../electron/core/index';
import { memorySecretStore } from '../../electron/core/secret-store';
import { CentralClient, ingestItems } from '../helpers/central-client';
import { spawnServer } from '../helpers/server';
import { loadAverage, pct, sizesArg } from './bench-stats';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const arg = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i < 0 ? undefined : process.argv[i + 1]; };
const [n] = sizesArg(process.argv, 'items', [100_000]);
const runs = Number(arg('runs') ?? 3);
const prof = process.argv.includes('--prof');
const other = arg('other');
const otherCore = process.argv.includes('--other-core') || !process.argv.includes('--other-server');
const otherServer = process.argv.includes('--other-server') || !process.argv.includes('--other-core');

async function startServer(root: string, dbFile: string, profDir: string | null): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const server = await spawnServer({ root, dbFile, maxLeasedPerUser: 1_000_000, seed: existsSync(dbFile) ? undefined : 'demo',
    nodeArgs: profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [] });
  return { url: server.url, child: server.child, stop: async () => { await server.kill('SIGTERM'); } };
}

async function seed(file: string): Promise<void> {
  const building = `${file}.building`;
  rmSync(building, { force: true });
  const server = await startServer(ROOT, building, null);
  try {
    const ingest = new CentralClient(server.url, 'demo-ingest');
    const alice = new CentralClient(server.url, 'demo-alice');
    const { queues } = await alice.queues();
    for (let b = 0; b * 1000 < n; b++) {
      await ingest.ingest({ items: ingestItems(queues[b % queues.length].id, Math.min(1000, n - b * 1000), { source: 'bench', prefix: `b${b}`, start: b * 1000 }) });
    }
    for (let claimed = 0; claimed < n;) {
      const { items } = await alice.claim({ count: Math.min(1000, n - claimed), leaseMinutes: 7 * 24 * 60 });
      if (items.length === 0) break;
      claimed += items.length;
    }
  } finally {
    await server.stop();
  }
  renameSync(building, file);
}

function cpuMs(pid?: number): number {
  if (pid === undefined) { const c = process.cpuUsage(); return (c.user + c.system) / 1000; }
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const short = (url: string) => url.replace(/^file:\/\//, '').replace(/.*\/work\/wt\/[^/]+\//, '').replace(/.*node_modules\//, 'nm/');
function printSelf(label: string, p: Profile): void {
  const byId = new Map(p.nodes.map((nd) => [nd.id, nd]));
  const self = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const nd = byId.get(p.samples[i])!;
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    if (nd.callFrame.functionName === '(idle)') continue;
    total += dt;
    const k = `${nd.callFrame.functionName || '(anon)'} ${short(nd.callFrame.url)}:${nd.callFrame.lineNumber + 1}`;
    self.set(k, (self.get(k) ?? 0) + dt);
    const f = short(nd.callFrame.url) || nd.callFrame.functionName;
    byFile.set(f, (byFile.get(f) ?? 0) + dt);
  }
  const top = (m: Map<string, number>, k: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k);
  console.log(`\n== ${label}: ${total.toFixed(0)} ms busy ==\n-- self by file`);
  for (const [k, v] of top(byFile, 20)) console.log(`${v.toFixed(0).padStart(7)}  ${k}`);
  console.log('-- self by function');
  for (const [k, v] of top(self, 45)) console.log(`${v.toFixed(0).padStart(7)}  ${k}`);
  // Inclusive time of the project's functions (each counted once per sample, however deep the recursion).
  const parent = new Map<number, number>();
  for (const nd of p.nodes) for (const c of nd.children ?? []) parent.set(c, nd.id);
  const inclusive = new Map<string, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    if (byId.get(p.samples[i])!.callFrame.functionName === '(idle)') continue;
    const seen = new Set<string>();
    for (let id: number | undefined = p.samples[i]; id !== undefined; id = parent.get(id)) {
      const cf = byId.get(id)!.callFrame;
      if (!/(electron|server|shared)\//.test(cf.url) && !/^(run|all|get|stringify|parse|toString)$/.test(cf.functionName)) continue;
      const k = `${cf.functionName || '(anon)'} ${short(cf.url)}:${cf.lineNumber + 1}`;
      if (!seen.has(k)) { seen.add(k); inclusive.set(k, (inclusive.get(k) ?? 0) + dt); }
    }
  }
  console.log('-- inclusive (project code)');
  for (const [k, v] of top(inclusive, 40)) console.log(`${v.toFixed(0).padStart(7)}  ${k}`);
}

interface Sample { wall: number; core: number; server: number }

async function oneRun(dir: string, seedFile: string, k: number, root: string, coreRoot: string, profile: boolean): Promise<Sample> {
  const dbFile = join(dir, `server-${k}.sqlite`);
  copyFileSync(seedFile, dbFile);
  const profDir = profile ? join(dir, `prof-${k}`) : null;
  const server = await startServer(root, dbFile, profDir);
  const { createCore } = await import(pathToFileURL(join(coreRoot, 'electron', 'core', 'index.ts')).href) as { createCore: typeof CreateCore };
  const core = await createCore({ cacheFile: join(dir, `cache-${k}.sqlite`), autoSync: false, secrets: memorySecretStore() });
  const session = profile ? new Session() : null;
  try {
    if (session) { session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.setSamplingInterval', { interval: 200 }); await session.post('Profiler.start'); }
    const [core0, server0] = [cpuMs(), cpuMs(server.child.pid)];
    const t0 = performance.now();
    const call = async (method: string, input: object) => {
      const r = await core.call(method as never, input as never) as { ok: boolean; value?: { assigned: number; state: string; lastError?: string }; error?: unknown };
      if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
      return r.value!;
    };
    await call('session.connect', { serverUrl: server.url, token: 'demo-alice' });
    let status = await call('sync.now', {});
    while (status.assigned < n && status.state !== 'error') {
      await sleep(20);
      status = await call('sync.status', {});
      if (status.state !== 'syncing' && status.assigned < n) status = await call('sync.now', {});
    }
    if (status.assigned < n) throw new Error(`sync stopped at ${status.assigned}/${n}: ${status.lastError}`);
    const sample = { wall: performance.now() - t0, core: cpuMs() - core0, server: cpuMs(server.child.pid) - server0 };
    if (session) printSelf(`core ${coreRoot}`, (await session.post('Profiler.stop')).profile as Profile);
    return sample;
  } finally {
    session?.disconnect();
    await core.close();
    await server.stop();
    if (profDir) printSelf(`server ${root}`, JSON.parse(readFileSync(join(profDir, readdirSync(profDir)[0]), 'utf8')) as Profile);
    rmSync(dbFile, { force: true });
  }
}

const seedFile = join(tmpdir(), `desk-pull-seed-${n}.sqlite`);
if (!existsSync(seedFile)) { console.log(`seeding ${seedFile}`); await seed(seedFile); }
const dir = mkdtempSync(join(tmpdir(), 'desk-pull-profile-'));
try {
  const sides: Record<'this' | 'other', Sample[]> = { this: [], other: [] };
  for (let k = 0; k < runs * (other ? 2 : 1); k++) {
    const isOther = other !== undefined && k % 2 === 0;
    const s = await oneRun(dir, seedFile, k, isOther && otherServer ? other : ROOT, isOther && otherCore ? other : ROOT, prof && !isOther && sides.this.length === 0);
    (isOther ? sides.other : sides.this).push(s);
    console.log(`${isOther ? 'other' : 'this '} ${(n / s.wall * 1000).toFixed(0)} items/s; CPU per 1k: core ${(s.core / n * 1000).toFixed(1)} ms, server ${(s.server / n * 1000).toFixed(1)} ms (${await loadAverage()})`);
  }
  const med = (xs: Sample[], key: keyof Sample) => pct(xs.map((x) => x[key]), 50);
  if (other) {
    console.log(`this / other, medians of ${runs}: wall ${(med(sides.this, 'wall') / med(sides.other, 'wall')).toFixed(2)}, ` +
      `core CPU ${(med(sides.this, 'core') / med(sides.other, 'core')).toFixed(2)}, server CPU ${(med(sides.this, 'server') / med(sides.other, 'server')).toFixed(2)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
