// Profiling aid for the server bench (not a bench itself): `npx tsx test/bench/server-profile.ts [--items 20k] [--phase ingest|push]`
// runs the server bench's ingest, claim and push phases against a server child started with --cpu-prof, and
// prints where the server's CPU went in each phase: self time by function and by file (the phases are cut
// apart by the profile's sample timestamps). The raw .cpuprofile is kept for a closer look.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_CLAIM_COUNT, MAX_INGEST_BATCH, MAX_PUSH_BATCH } from '../../shared/central-api';
import type { Item } from '../../shared/domain';
import { CentralClient, approvals, ingestItems, newClientId } from '../helpers/central-client';
import { spawnServer } from '../helpers/server';
import { sizesArg } from './bench-stats';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

async function startProfiledServer(dbFile: string, profDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = await spawnServer({ dbFile, seed: 'demo', maxLeasedPerUser: 1_000_000, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir] });
  return { url: server.url, stop: async () => { await server.kill('SIGTERM'); } };
}

/** Each sample taken between t0 and t1 (profile microseconds): its node id and the time it stands for (ms). */
function forEachSample(p: Profile, t0: number, t1: number, visit: (nodeId: number, ms: number) => void): void {
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    if (t < t0 || t > t1) continue;
    visit(p.samples[i], (p.timeDeltas[i + 1] ?? 0) / 1000);
  }
}

/** Self time (ms) by key over the samples taken between t0 and t1 (profile microseconds). */
function selfTimes(p: Profile, t0: number, t1: number, keyOf: (n: ProfileNode) => string): Map<string, number> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  forEachSample(p, t0, t1, (nodeId, dt) => {
    const key = keyOf(byId.get(nodeId)!);
    out.set(key, (out.get(key) ?? 0) + dt);
  });
  return out;
}

/** Inclusive time (ms) of frames matching `pick` (counted once per sample even when recursive). */
function inclusiveTimes(p: Profile, t0: number, t1: number, keyOf: (n: ProfileNode) => string | null): Map<string, number> {
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  forEachSample(p, t0, t1, (nodeId, dt) => {
    const seen = new Set<string>();
    for (let id: number | undefined = nodeId; id !== undefined; id = parent.get(id)) {
      const key = keyOf(byId.get(id)!);
      if (key && !seen.has(key)) { seen.add(key); out.set(key, (out.get(key) ?? 0) + dt); }
    }
  });
  return out;
}

const short = (url: string) => url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '').replace(/.*node_modules\//, 'nm/');
const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);

const [n] = sizesArg(process.argv, 'items', [20_000]);
const dir = mkdtempSync(join(tmpdir(), 'desk-server-profile-'));
const profDir = join(dir, 'prof');
const server = await startProfiledServer(join(dir, 'central.sqlite'), profDir);
const reviewer = new CentralClient(server.url, 'demo-alice');
const producer = reviewer.as('demo-ingest');
const queueId = (await reviewer.queues()).queues[0].id;
const rows = ingestItems(queueId, n, { source: 'bench', prefix: 'prof' });
const marks: { name: string; t0: number; t1: number }[] = [];
// Profile timestamps are the server's monotonic microseconds; the client's performance.timeOrigin + now() maps to
// wall time, and so does the server's: both are cut on the wall clock (same machine).
const wallUs = () => (performance.timeOrigin + performance.now()) * 1000;
let t0 = wallUs();
for (let i = 0; i < n; i += MAX_INGEST_BATCH) await producer.ingest({ items: rows.slice(i, i + MAX_INGEST_BATCH) });
marks.push({ name: 'ingest', t0, t1: wallUs() });
t0 = wallUs();
const claimed: Item[] = [];
for (;;) {
  const { items } = await reviewer.claim({ count: MAX_CLAIM_COUNT, queueIds: [queueId], leaseMinutes: 600 });
  claimed.push(...items);
  if (items.length < MAX_CLAIM_COUNT) break;
}
marks.push({ name: 'claim', t0, t1: wallUs() });
const mine = claimed.filter((i) => i.source === 'bench').slice(0, n);
const mutations = approvals(mine, 1);
const clientId = newClientId('prof');
const lean = process.argv.includes('--lean');
t0 = wallUs();
for (let i = 0; i < n; i += MAX_PUSH_BATCH) {
  await reviewer.push({ clientId, mutations: mutations.slice(i, i + MAX_PUSH_BATCH), leanResults: lean });
}
marks.push({ name: 'push', t0, t1: wallUs() });
await server.stop();
const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'))!;
const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as Profile;
// The profile's clock is monotonic (hrtime); map it to wall time with its last sample, taken just before exit.
const offset = wallUs() - profile.endTime;
const fnKey = (nd: ProfileNode) => `${nd.callFrame.functionName || '(anon)'} ${short(nd.callFrame.url)}:${nd.callFrame.lineNumber + 1}`;
const fileKey = (nd: ProfileNode) => short(nd.callFrame.url) || nd.callFrame.functionName;
const only = process.argv.find((a, i) => process.argv[i - 1] === '--phase');
for (const m of marks) {
  if (only && m.name !== only) continue;
  const a = m.t0 - offset;
  const b = m.t1 - offset;
  const self = selfTimes(profile, a, b, fnKey);
  const total = [...self.values()].reduce((x, y) => x + y, 0);
  console.log(`\n== ${m.name}: wall ${((m.t1 - m.t0) / 1000).toFixed(0)} ms, server samples ${total.toFixed(0)} ms (idle included) ==`);
  console.log('-- self by file');
  for (const [k, v] of top(selfTimes(profile, a, b, fileKey), 25)) console.log(`${v.toFixed(0).padStart(7)}  ${k}`);
  console.log('-- self by function');
  for (const [k, v] of top(self, 40)) console.log(`${v.toFixed(0).padStart(7)}  ${k}`);
  console.log('-- inclusive by function (project code and a few libraries)');
  const inc = inclusiveTimes(profile, a, b, (nd) => (/server\/|shared\/|fastify|zod|kysely|better-sqlite3/.test(nd.callFrame.url) || /^(JSON|stringify|parse)/.test(nd.callFrame.functionName) ? fnKey(nd) : null));
  for (const [k, v] of top(inc, 60)) console.log(`${v.toFixed(0).padStart(7)}  ${k}`);
}
console.log(`\nprofile: ${join(profDir, file)}`);
