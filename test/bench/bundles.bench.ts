// `npm run bench -- bundles [--items 10k]`: restricted-site bundles (DESIGN §11) at the scale of a long
// offline shift. Four steps, each against a raw file write or read of the same bytes in the same run:
//   checkout      server: lease N items to alice, seal the signed work bundle, write it (bundle CLI)
//   import work   desk: read the file, verify it in full, write N items into the cache
//   export        desk: N decisions out of the outbox, sealed and signed by the device key, written
//   import        server: read, verify, apply N decisions through the push path, write the receipt (bundle CLI)
//   receipt       desk: read and verify the receipt, settle N outbox rows
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { bundleCommand } from '../../server/bundle-cli';
import { MAX_INGEST_BATCH } from '../../shared/central-api';
import { demoCore, ok, tmpDir } from '../core/core-fixture';
import { CentralClient, ingestItems } from '../helpers/central-client';
import { startTestServer } from '../helpers/server';
import { sizesArg } from './bench-stats';

function rawBaseline(file: string, bytes: Uint8Array, direction: 'write' | 'read'): number {
  const t0 = performance.now();
  if (direction === 'write') writeFileSync(file, bytes);
  else readFileSync(file);
  return performance.now() - t0;
}

export async function run(): Promise<void> {
  const n = sizesArg(process.argv, 'items', [10_000])[0];
  const tmp = tmpDir('bench-bundles');
  const server = await startTestServer({ seed: 'demo', dbFile: tmp.file('central.sqlite') });
  const rows: { step: string; ms: number; rawMs: number; bytes: number }[] = [];
  try {
    const producer = new CentralClient(server.url, 'demo-ingest');
    const { queues } = await producer.as('demo-alice').queues();
    const items = ingestItems(queues[0].id, n, { source: 'bench', prefix: 'bundles' });
    for (let i = 0; i < n; i += MAX_INGEST_BATCH) await producer.ingest({ items: items.slice(i, i + MAX_INGEST_BATCH) });

    const desk = await demoCore(server.url, tmp.file('desk.sqlite'));
    await ok(desk, 'session.connectDemo', { user: 'alice' });
    while (!(await ok(desk, 'bundles.status', {})).deviceRegistered) await new Promise((r) => setTimeout(r, 20));
    await ok(desk, 'session.signOut', {});

    const workFile = tmp.file('work.bundle');
    let t0 = performance.now();
    await bundleCommand(['checkout', '--user', 'alice', '--count', String(n), '--hours', '72', '--out', workFile, '--db', server.dbFile]);
    let ms = performance.now() - t0;
    const work = readFileSync(workFile);
    rows.push({ step: `checkout ${n} items`, ms, rawMs: rawBaseline(tmp.file('raw-work'), work, 'write'), bytes: work.length });

    t0 = performance.now();
    const imported = await ok(desk, 'bundles.importWork', { bundle: readFileSync(workFile).toString('base64') });
    ms = performance.now() - t0;
    if (imported.items !== n) throw new Error(`imported ${imported.items} of ${n}`);
    rows.push({ step: `desk import ${n} items`, ms, rawMs: rawBaseline(workFile, work, 'read'), bytes: work.length });

    // N decisions in the outbox (bulk approve is the quickest honest way to make them).
    const ids = (await ok(desk, 'queue.page', { limit: 1000 })).rows.map((r) => r.id);
    for (let offset = 0; ids.length < n; offset += 1000) {
      const page = (await ok(desk, 'queue.page', { limit: 1000, offset: offset + 1000 })).rows;
      if (page.length === 0) break;
      ids.push(...page.map((r) => r.id));
    }
    for (let i = 0; i < ids.length; i += 1000) await ok(desk, 'triage.bulkApprove', { itemIds: ids.slice(i, i + 1000) });

    const decisionsFile = tmp.file('decisions.bundle');
    t0 = performance.now();
    const exported = await ok(desk, 'bundles.exportDecisions', {});
    const decisions = Buffer.from(exported.bundle, 'base64');
    writeFileSync(decisionsFile, decisions);
    ms = performance.now() - t0;
    rows.push({ step: `desk export ${exported.mutations} decisions`, ms, rawMs: rawBaseline(tmp.file('raw-decisions'), decisions, 'write'), bytes: decisions.length });

    const receiptFile = tmp.file('receipt.bundle');
    t0 = performance.now();
    const text = await bundleCommand(['import', decisionsFile, '--db', server.dbFile, '--out', receiptFile]);
    ms = performance.now() - t0;
    if (!text.includes(`${exported.mutations} applied`)) throw new Error(text);
    rows.push({ step: `server import ${exported.mutations} decisions`, ms, rawMs: rawBaseline(decisionsFile, decisions, 'read'), bytes: decisions.length });

    const receipt = readFileSync(receiptFile);
    t0 = performance.now();
    const settled = await ok(desk, 'bundles.importReceipt', { bundle: readFileSync(receiptFile).toString('base64') });
    ms = performance.now() - t0;
    if (settled.settled !== exported.mutations) throw new Error(`settled ${settled.settled}`);
    rows.push({ step: `desk receipt ${settled.settled} results`, ms, rawMs: rawBaseline(receiptFile, receipt, 'read'), bytes: receipt.length });
    await desk.close();
  } finally {
    await server.close();
    tmp.cleanup();
  }
  const count = (s: string) => Number(/\d+/.exec(s)![0]);
  console.log('step                              |    ms | items/s | MiB   | raw file ms | raw MiB/s | ratio');
  for (const r of rows) {
    const mib = r.bytes / 1024 / 1024;
    console.log(`${r.step.padEnd(34)}| ${r.ms.toFixed(0).padStart(5)} | ${(count(r.step) / (r.ms / 1000)).toFixed(0).padStart(7)} | ${mib.toFixed(1).padStart(5)} | ` +
      `${r.rawMs.toFixed(1).padStart(11)} | ${(mib / (r.rawMs / 1000)).toFixed(0).padStart(9)} | ${(r.ms / r.rawMs).toFixed(0)}x`);
  }
}
