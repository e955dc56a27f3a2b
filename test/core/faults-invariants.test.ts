// The invariant checks must be able to fail, or the fault suites prove nothing: each broken world below
// (built as small SQLite files with the columns the checks read) must be reported.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultLedger } from '../helpers/fault-ledger';
import { checkStopped } from '../helpers/fault-invariants';

interface World {
  cache: { id: number; item: string; kind: string; state: string; hash: string; tag: string; code?: string }[];
  server: { id: number; item: string; kind: string; status: string; code: string; hash: string }[];
  last: number;
  decisions: { item: string; epoch: number; kind: string; comment: string }[];
}

describe('fault invariants catch broken worlds', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'desk-inv-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  let builds = 0;
  function build(w: World) {
    builds += 1;
    const cacheFile = join(dir, `cache-${builds}.sqlite`);
    const serverDbFile = join(dir, `server-${builds}.sqlite`);
    const c = new Database(cacheFile);
    c.exec(`CREATE TABLE mutations (mutation_id INTEGER PRIMARY KEY, item_id TEXT, kind TEXT, state TEXT, payload_hash TEXT,
      payload_json TEXT, base_version INTEGER, assignment_epoch INTEGER, at TEXT, labor_json TEXT, result_status TEXT, result_code TEXT)`);
    for (const m of w.cache) {
      c.prepare('INSERT INTO mutations VALUES (?, ?, ?, ?, ?, ?, 1, 1, ?, NULL, ?, ?)').run(
        m.id, m.item, m.kind, m.state, m.hash, JSON.stringify({ comment: m.tag }), new Date().toISOString(),
        m.code ? (m.code === 'client_diverged' ? 'rejected' : 'applied') : null, m.code ?? null);
    }
    c.close();
    const s = new Database(serverDbFile);
    s.exec(`CREATE TABLE client_mutations (client_id TEXT, mutation_id INTEGER, item_id TEXT, kind TEXT, payload_hash TEXT, status TEXT, code TEXT);
      CREATE TABLE clients (client_id TEXT PRIMARY KEY, last_mutation_id INTEGER);
      CREATE TABLE decisions (seq INTEGER PRIMARY KEY, item_id TEXT, assignment_epoch INTEGER, kind TEXT, comment TEXT);`);
    for (const m of w.server) {
      s.prepare('INSERT INTO client_mutations VALUES (?, ?, ?, ?, ?, ?, ?)').run('client-1', m.id, m.item, m.kind, m.hash, m.status, m.code);
    }
    s.prepare('INSERT INTO clients VALUES (?, ?)').run('client-1', w.last);
    for (const d of w.decisions) s.prepare('INSERT INTO decisions (item_id, assignment_epoch, kind, comment) VALUES (?, ?, ?, ?)').run(d.item, d.epoch, d.kind, d.comment);
    s.close();
    const ledger = new FaultLedger('t');
    ledger.clientId = 'client-1';
    for (const m of w.cache) {
      const { attempt } = ledger.decision(m.item, m.kind as 'approve', 'r', 1);
      attempt.tag = m.tag;
      attempt.acked = true;
      attempt.mutationId = m.id;
    }
    return { cacheFile, serverDbFile, ledger };
  }

  const healthy = (): World => ({
    cache: [
      { id: 1, item: 'a', kind: 'approve', state: 'settled', hash: 'h1', tag: 't#1', code: 'ok' },
      { id: 2, item: 'b', kind: 'approve', state: 'settled', hash: 'h2', tag: 't#2', code: 'ok' },
    ],
    server: [
      { id: 1, item: 'a', kind: 'approve', status: 'applied', code: 'ok', hash: 'h1' },
      { id: 2, item: 'b', kind: 'approve', status: 'applied', code: 'ok', hash: 'h2' },
    ],
    last: 2,
    decisions: [
      { item: 'a', epoch: 1, kind: 'approve', comment: 't#1' },
      { item: 'b', epoch: 1, kind: 'approve', comment: 't#2' },
    ],
  });

  it('a healthy world passes', async () => {
    expect((await checkStopped(build(healthy()))).violations).toEqual([]);
  });

  it('a decision lost on the way to the server', async () => {
    const w = healthy();
    w.server.pop();
    w.last = 1;
    w.decisions.pop();
    expect((await checkStopped(build(w))).violations.join('\n')).toMatch(/inv1: cached mutation 2 .* has no result on the server/);
  });

  it('an (item, epoch) decided twice', async () => {
    const w = healthy();
    w.decisions.push({ item: 'a', epoch: 1, kind: 'reject', comment: 'other' });
    expect((await checkStopped(build(w))).violations.join('\n')).toMatch(/inv2: item a epoch 1 decided twice/);
  });

  it('an outbox that did not drain', async () => {
    const w = healthy();
    w.cache[1].state = 'sent';
    expect((await checkStopped(build(w))).violations.join('\n')).toMatch(/inv4: cache mutation 2 .* still sent/);
  });

  it('a reused mutation id not answered client_diverged', async () => {
    const w = healthy();
    w.cache[1].hash = 'other';
    expect((await checkStopped(build(w))).violations.join('\n')).toMatch(/inv1: cached mutation 2 .* differs from the server's/);
    w.cache[1].code = 'client_diverged';
    w.cache[1].state = 'rejected';
    expect((await checkStopped(build(w))).violations).toEqual([]);
  });

  it('an applied outcome missing from the decisions feed, and a gap in the server ids', async () => {
    const w = healthy();
    w.decisions.pop();
    w.server.shift();
    const v = (await checkStopped(build(w))).violations.join('\n');
    expect(v).toMatch(/inv1: t#2 .* was applied but is not in the decisions feed/);
    expect(v).toMatch(/mutation 1 has no stored result/);
  });
});
