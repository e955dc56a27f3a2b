// Fine-grained A/B aid for the server bench (not a bench itself): `npx tsx test/bench/server-ab.ts <other checkout> [--items 20k]`
// starts this checkout's server and the other's in this one process (no sockets: Fastify's inject, so the
// route's parse, validation, handler and serialization run and HTTP does not), each on its own fresh demo
// database, and sends both the same requests, alternating which goes first, request by request: ingest
// batches, claims (until every item is leased), then push batches with lean results asked for. The process's CPU time
// per request is summed per side, and so is its wall time (which CPU misses: a commit's fsync, a checkpoint).
// Alternating single requests makes a loaded machine disturb both sides alike, which whole runs seconds apart
// do not. --pause-ms P waits P ms after each request, as a client building its next body does (the server
// bench's client takes ~25 ms a batch): work a server leaves to the background (wal-checkpointer.ts) then
// runs in that pause, as it would there, instead of inside the other side's next request.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { MAX_CLAIM_COUNT, MAX_INGEST_BATCH, MAX_PUSH_BATCH } from '../../shared/central-api';
import type { Item } from '../../shared/domain';
import { startServer as startThis, type RunningServer } from '../../server/app';
import { approvals, ingestItems, newClientId } from '../helpers/central-client';
import { loadAverage, sizesArg, spread } from './bench-stats';

const other = process.argv[2];
if (!other || other.startsWith('--')) throw new Error('usage: server-ab.ts <other checkout> [--items 20k]');
const [n] = sizesArg(process.argv, 'items', [20_000]);
const [pauseMs] = sizesArg(process.argv, 'pause-ms', [0]);
const pause = () => new Promise((resolve) => setTimeout(resolve, pauseMs));
const { startServer: startOther } = await import(pathToFileURL(join(other, 'server', 'app.ts')).href) as { startServer: typeof startThis };

const dir = mkdtempSync(join(tmpdir(), 'desk-server-ab-'));
const options = (name: string) => ({ dbFile: join(dir, `${name}.sqlite`), seed: 'demo' as const, port: 0, logger: false, maxLeasedPerUser: 1_000_000 });
const sides: { name: string; server: RunningServer; cpuMs: number[]; wallMs: number[] }[] = [
  { name: 'this', server: await startThis(options('this')), cpuMs: [], wallMs: [] },
  { name: 'other', server: await startOther(options('other')), cpuMs: [], wallMs: [] },
];

async function send(server: RunningServer, token: string, url: string, body: unknown): Promise<unknown> {
  const res = await server.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  if (res.statusCode !== 200 && res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return JSON.parse(res.body);
}

/** Sends `body(side)` to both sides, the first side alternating with `k`; records each request's process CPU and wall time. */
async function both(k: number, token: string, url: string, body: (side: number) => unknown): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const s of k % 2 === 0 ? [0, 1] : [1, 0]) {
    const payload = body(s);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    out[s] = await send(sides[s].server, token, url, payload);
    sides[s].wallMs.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    sides[s].cpuMs.push((c.user + c.system) / 1000);
    if (pauseMs > 0) await pause();
  }
  return out;
}

function report(phase: string): void {
  const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);
  for (const what of ['cpuMs', 'wallMs'] as const) {
    const [a, b] = sides.map((s) => s[what].splice(0));
    const per = spread(a.map((x, i) => x / b[i]));
    console.log(`  ${phase.padEnd(8)} ${what === 'cpuMs' ? 'CPU ' : 'wall'} this ${sum(a).toFixed(0)} ms, other ${sum(b).toFixed(0)} ms: ratio ${(sum(a) / sum(b)).toFixed(3)}` +
      ` (per request min / median / max ${per.min.toFixed(3)} / ${per.median.toFixed(3)} / ${per.max.toFixed(3)}; ${a.length} requests; ${await0()})`);
  }
}
let load = '';
const await0 = () => load;

try {
  load = await loadAverage();
  console.log(`server A/B in one process: this checkout over ${other}, ${n} items, ${pauseMs} ms pause after each request, ${load}`);
  const queueId = (JSON.parse((await sides[0].server.app.inject({ method: 'GET', url: '/v1/queues', headers: { authorization: 'Bearer demo-alice' } })).body) as { queues: { id: string }[] }).queues[0].id;
  const rows = ingestItems(queueId, n, { source: 'bench', prefix: 'ab' });
  for (let i = 0, k = 0; i < n; i += MAX_INGEST_BATCH, k++) await both(k, 'demo-ingest', '/v1/exceptions', () => ({ items: rows.slice(i, i + MAX_INGEST_BATCH) }));
  load = await loadAverage();
  report('ingest');
  // Both databases hold the same open items, so both sides' claims come back the same size, request by request.
  const claimed: Item[][] = [[], []];
  for (let k = 0; ; k++) {
    const got = await both(k, 'demo-alice', '/v1/claims', () => ({ count: MAX_CLAIM_COUNT, queueIds: [queueId], leaseMinutes: 600 })) as { items: Item[] }[];
    got.forEach((g, s) => claimed[s].push(...g.items));
    if (got[0].items.length !== got[1].items.length) throw new Error(`claims differ: ${got[0].items.length} here, ${got[1].items.length} there`);
    if (got[0].items.length < MAX_CLAIM_COUNT) break;
  }
  load = await loadAverage();
  report('claim');
  const mutations = claimed.map((items) => approvals(items.filter((it) => it.source === 'bench').slice(0, n), 1));
  const clientId = newClientId('ab');
  for (let i = 0, k = 0; i < n; i += MAX_PUSH_BATCH, k++) {
    await both(k, 'demo-alice', '/v1/sync/push', (s) => ({ clientId, mutations: mutations[s].slice(i, i + MAX_PUSH_BATCH), leanResults: true }));
  }
  load = await loadAverage();
  report('push');
} finally {
  for (const s of sides) await s.server.close();
  rmSync(dir, { recursive: true, force: true });
}
