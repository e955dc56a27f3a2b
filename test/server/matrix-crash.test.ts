// The server process is killed with SIGKILL in the middle of a stream of pushes, then restarted on the same
// database (DESIGN §10 "No lost work"): nothing is applied twice, every result is obtainable (a re-push
// answers `duplicate` with the stored result, a pull returns them). On SQLite the killed process was the
// file's only writer and `PRAGMA integrity_check` must be ok; on PostgreSQL (DB_KIND) the killed process is
// one API node, and a fresh node on the same database must find every committed batch whole and nothing else.
// Also: SIGTERM during a push lets that push finish and closes the database cleanly.
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Mutation, MutationResult } from '../../shared/central-api';
import type { Item } from '../../shared/domain';
import { CentralClient, approvals, ingestItems, mutationFor, newClientId } from '../helpers/central-client';
import { integrityCheck, openProbe } from '../helpers/db-snapshot';
import { DB_KIND, newDatabaseTarget, spawnServer, type SpawnedServer } from '../helpers/server';

const dir = mkdtempSync(join(tmpdir(), 'desk-crash-'));
const children: SpawnedServer[] = [];
afterAll(async () => {
  for (const c of children) await c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const BATCH = 20;
const BATCHES = 15;

interface Stream { who: 'alice' | 'bob'; clientId: string; batches: Mutation[][]; acked: Map<number, MutationResult> }

function buildStream(who: 'alice' | 'bob', items: Item[], reasonOf: (it: Item) => string): Stream {
  // A mix of kinds so the replay checks more than approvals.
  const mutations = items.map((it, i) => {
    const id = i + 1;
    if (i % 7 === 3) return mutationFor('reject', it, id, { reasonCode: reasonOf(it) });
    if (i % 11 === 5) return mutationFor('correct', it, id, { correctedOutput: { total: i } });
    return approvals([it], id)[0];
  });
  const batches: Mutation[][] = [];
  for (let i = 0; i < mutations.length; i += BATCH) batches.push(mutations.slice(i, i + BATCH));
  return { who, clientId: newClientId(`crash-${who}`), batches, acked: new Map() };
}

/** Pushes batch after batch until the server dies; returns how many batches were acknowledged. */
async function pushUntilDead(client: CentralClient, s: Stream, onAck: (n: number) => void): Promise<number> {
  let n = 0;
  for (const batch of s.batches) {
    try {
      const res = await client.push({ clientId: s.clientId, mutations: batch });
      for (const r of res.results) s.acked.set(r.mutationId, r);
      n += 1;
      onAck(n);
    } catch {
      return n; // connection refused / reset: the server is gone
    }
  }
  return n;
}

/** Ingests batch after batch until the server dies; returns how many batches were acknowledged. */
async function ingestUntilDead(client: CentralClient, batchAt: (b: number) => ReturnType<typeof ingestItems>, max: number): Promise<number> {
  let n = 0;
  for (let b = 0; b < max; b++) {
    try { await client.ingest({ items: batchAt(b) }); n += 1; } catch { return n; }
  }
  return n;
}

async function countBySource(target: string, source: string): Promise<number> {
  const db = await openProbe(target);
  try {
    return Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM items WHERE source = ?', source))!.n);
  } finally {
    await db.close();
  }
}

/** SQLite: the file a killed or stopped writer left is sound. PostgreSQL keeps its own files (nothing to check here). */
function expectSoundFile(target: string): void {
  if (DB_KIND === 'sqlite') expect(integrityCheck(target)).toBe('ok');
}

describe('SIGKILL in the middle of a stream of pushes (and of ingests)', () => {
  it('restarts on the same database with nothing applied twice, every result obtainable, and a sound file', async () => {
    const dbFile = await newDatabaseTarget(dir);
    const first = await spawnServer({ dbFile, seed: 'demo' });
    children.push(first);
    const anon = new CentralClient(first.url);
    const alice = anon.as('demo-alice');
    const bob = anon.as('demo-bob');
    const { queues } = await alice.queues();
    const q = queues[0];
    const aliceItems = (await alice.claim({ count: BATCH * BATCHES, queueIds: [q.id], leaseMinutes: 600 })).items;
    const bobItems = (await bob.claim({ count: BATCH * BATCHES, leaseMinutes: 600 })).items;
    expect(aliceItems.length).toBe(BATCH * BATCHES);
    expect(bobItems.length).toBe(BATCH * BATCHES);
    const reasons = new Map(queues.map((x) => [x.id, x.reasonCodes[0].code]));
    const reasonOf = (it: Item) => reasons.get(it.queueId)!;
    const streams = [buildStream('alice', aliceItems, reasonOf), buildStream('bob', bobItems, reasonOf)];

    // A producer ingests at the same time.
    // As many batches as it takes for the kill to meet one (ingest outpaces pushes on PostgreSQL).
    const ingestBatchAt = (b: number) => ingestItems(q.id, 50, { source: 'crash-ingest', start: b * 50 });
    const INGEST_MAX = 1000;

    // Kill the server right after alice's 6th acknowledged batch, with pushes of both streams in flight.
    let killed = false;
    const killAfter = 6;
    const acks = await Promise.all([
      pushUntilDead(alice, streams[0], (n) => {
        if (n === killAfter && !killed) {
          killed = true;
          setTimeout(() => void first.kill('SIGKILL'), 3);
        }
      }),
      pushUntilDead(bob, streams[1], () => undefined),
      ingestUntilDead(anon.as('demo-ingest'), ingestBatchAt, INGEST_MAX),
    ]);
    expect(await first.stopped).toBeNull();
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(killed).toBe(true);
    expect(acks[0]).toBeGreaterThanOrEqual(killAfter);
    // Every stream really died mid-way.
    expect(acks[0]).toBeLessThan(BATCHES);
    expect(acks[1]).toBeLessThan(BATCHES);
    expect(acks[2]).toBeLessThan(INGEST_MAX);
    // The acknowledged batches and the one in flight when the server died.
    const ingestBatches = Array.from({ length: acks[2] + 1 }, (_, b) => ingestBatchAt(b));
    // The file is sound even before anyone recovers it.
    expectSoundFile(dbFile);

    const second = await spawnServer({ dbFile });
    children.push(second);
    const anon2 = new CentralClient(second.url);
    const clients = { alice: anon2.as('demo-alice'), bob: anon2.as('demo-bob') };

    for (const s of streams) {
      const client = clients[s.who];
      // What survived: every acknowledged mutation, and maybe the batch that was in flight.
      const before = await client.pullAll({ clientId: s.clientId, limit: 1000 });
      const lastSettled = before.at(-1)!.lastMutationId!;
      expect(lastSettled).toBeGreaterThanOrEqual(s.acked.size);
      expect(lastSettled % BATCH, 'a batch commits whole or not at all').toBe(0);
      const pulledResults = new Map(before.flatMap((p) => p.results).map((r) => [r.mutationId, r]));
      for (const [id, r] of s.acked) expect(pulledResults.get(id), `${s.who} #${id} via pull`).toMatchObject({ status: r.status, code: r.code });

      // The client does not know what the server kept: it re-sends the whole stream.
      for (const batch of s.batches) {
        const res = await client.push({ clientId: s.clientId, mutations: batch });
        for (const r of res.results) {
          const acked = s.acked.get(r.mutationId);
          if (r.mutationId <= lastSettled) {
            expect(r.status, `${s.who} #${r.mutationId}`).toBe('duplicate');
            if (acked) expect(r.code).toBe(acked.code);
          } else {
            expect(r.status, `${s.who} #${r.mutationId}`).toBe('applied');
          }
          s.acked.set(r.mutationId, r);
        }
      }
      const all = s.batches.flat();
      expect(s.acked.size).toBe(all.length);
      // Every result is obtainable through pull too.
      const after = await client.pullAll({ clientId: s.clientId, limit: 1000 });
      expect(after.at(-1)!.lastMutationId).toBe(all.length);
      const ids = new Set(after.flatMap((p) => p.results.map((r) => r.mutationId)));
      for (const m of all) expect(ids.has(m.mutationId), `${s.who} #${m.mutationId} result via pull`).toBe(true);
    }

    // The producer re-sends every batch: whatever the crash kept is `existing`, the rest is created once.
    const kept = await countBySource(dbFile, 'crash-ingest');
    expect([acks[2] * 50, (acks[2] + 1) * 50], 'acknowledged batches survive; the in-flight one is all or nothing').toContain(kept);
    const producer = anon2.as('demo-ingest');
    let created = 0;
    for (const batch of ingestBatches) created += (await producer.ingest({ items: batch })).created;
    expect(created).toBe(ingestBatches.length * 50 - kept);
    const again = await producer.ingest({ items: ingestBatches[0] });
    expect(again.created).toBe(0);

    expect(await second.kill('SIGTERM')).toBe(0);
    expectSoundFile(dbFile);

    // Ingest: every item exactly once.
    const dbi = await openProbe(dbFile);
    try {
      const n = await dbi.get<{ n: number; d: number }>(`SELECT COUNT(*) AS n, COUNT(DISTINCT external_id) AS d FROM items WHERE source = 'crash-ingest'`);
      expect(n).toEqual({ n: ingestBatches.length * 50, d: ingestBatches.length * 50 });
      const created = await dbi.get<{ n: number }>(`SELECT COUNT(*) AS n FROM item_events ev JOIN items i ON i.id = ev.item_id WHERE i.source = 'crash-ingest' AND ev.type = 'created'`);
      expect(created!.n).toBe(ingestBatches.length * 50);
    } finally {
      await dbi.close();
    }

    // Nothing applied twice: one outcome and one `decided` event per item, and every item decided.
    const itemIds = [...aliceItems, ...bobItems].map((i) => i.id);
    const db = await openProbe(dbFile);
    try {
      const marks = itemIds.map(() => '?').join(',');
      const outcomes = await db.all<{ item_id: string; n: number }>(`SELECT item_id, COUNT(*) AS n FROM decisions WHERE item_id IN (${marks}) GROUP BY item_id`, ...itemIds);
      const decided = await db.all<{ item_id: string; n: number }>(`SELECT item_id, COUNT(*) AS n FROM item_events WHERE type = 'decided' AND item_id IN (${marks}) GROUP BY item_id`, ...itemIds);
      const resolved = (await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM items WHERE status = 'resolved' AND id IN (${marks})`, ...itemIds))!;
      expect(outcomes).toHaveLength(itemIds.length);
      expect(outcomes.filter((o) => o.n !== 1)).toEqual([]);
      expect(decided).toHaveLength(itemIds.length);
      expect(decided.filter((o) => o.n !== 1)).toEqual([]);
      expect(resolved.n).toBe(itemIds.length);
      const clientsRows = await db.all<{ client_id: string; last_mutation_id: number }>(`SELECT client_id, last_mutation_id FROM clients WHERE client_id IN (?, ?)`, streams[0].clientId, streams[1].clientId);
      expect(clientsRows.map((r) => r.last_mutation_id)).toEqual([BATCH * BATCHES, BATCH * BATCHES]);
    } finally {
      await db.close();
    }
  }, 180_000); // two server processes and 600 pushes; PostgreSQL on a loaded machine takes longer
});

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  for (const t0 = Date.now(); !check(); await new Promise((r) => setTimeout(r, 5))) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting for the server log');
  }
}

interface LogLine { msg?: string; reqId?: string; req?: { url?: string } }
function logLines(output: string): LogLine[] {
  return output.split('\n').flatMap((line) => {
    try { return [JSON.parse(line) as LogLine]; } catch { return []; }
  });
}

describe('SIGTERM while a push is in flight', () => {
  it('finishes the push, then exits 0 with a sound file', async () => {
    const file = await newDatabaseTarget(dir, 'graceful');
    const server = await spawnServer({ dbFile: file, seed: 'demo' });
    children.push(server);
    const alice = new CentralClient(server.url, 'demo-alice');
    const { items } = await alice.claim({ count: 500, leaseMinutes: 600 });
    const clientId = newClientId('graceful');
    // Send the headers and half the body; once the server has seen the request and begun shutting down,
    // send the rest. The push is then certainly in flight when SIGTERM arrives.
    const body = Buffer.from(JSON.stringify({ clientId, mutations: approvals(items, 1) }));
    const req = httpRequest(new URL('/v1/sync/push', server.url), {
      method: 'POST', agent: false,
      headers: { authorization: 'Bearer demo-alice', 'content-type': 'application/json', 'content-length': body.length },
    });
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => { text += c.toString('utf8'); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
    });
    req.write(body.subarray(0, body.length >> 1));
    const seen = (pred: (l: LogLine) => boolean) => logLines(server.output()).some(pred);
    await until(() => seen((l) => l.msg === 'incoming request' && l.req?.url === '/v1/sync/push'));
    const exit = server.kill('SIGTERM');
    await until(() => seen((l) => /shutting down/.test(l.msg ?? '')));
    req.end(body.subarray(body.length >> 1));
    const res = await response.catch((err: Error) => ({ status: -1, text: `${err.message}\n${server.output().slice(-2000)}` }));
    expect(res.status, res.text.slice(0, 3000)).toBe(200);
    expect((JSON.parse(res.text) as { lastMutationId: number }).lastMutationId).toBe(500);
    expect(await exit).toBe(0);
    const order = logLines(server.output()).flatMap((l) =>
      (l.msg === 'request completed' ? ['request completed'] : /shutting down|database closed/.test(l.msg ?? '') ? [l.msg!] : [])).slice(-3);
    expect(order, server.output().slice(-3000)).toEqual(['shutting down: finishing in-flight requests', 'request completed', 'server stopped; database closed']);
    expectSoundFile(file);
    const db = await openProbe(file);
    try {
      // The push's own outcomes (the demo seed's history has decisions of its own).
      const marks = items.map(() => '?').join(',');
      expect((await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM decisions WHERE kind = 'approve' AND item_id IN (${marks})`, ...items.map((i) => i.id)))!.n).toBe(500);
      expect((await db.get<{ n: number }>('SELECT last_mutation_id AS n FROM clients WHERE client_id = ?', clientId))!.n).toBe(500);
    } finally {
      await db.close();
    }
  });
});
