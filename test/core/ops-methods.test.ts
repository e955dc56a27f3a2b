// The operations desk methods (`ops.*`) against the real reference server: a reviewer is refused in the
// core before anything reaches the network; an owner reads the escalations leased to them, with why they
// came; a supervisor's reassignment reaches the reviewer's next pull.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/index';
import { DESK_METHOD_NAMES, type DeskMethod } from '../../shared/desk-api';
import { OPS_METHOD_ROLES, mayCallOpsMethod } from '../../shared/ops-access';
import { startTestServer, type TestServer } from '../helpers/server';
import { demoCore, ok, tmpDir } from './core-fixture';

const OPS_METHODS = DESK_METHOD_NAMES.filter((m) => m.startsWith('ops.'));

/** A valid input for every ops method, so the refusal tested is the role gate, not the schema. */
const VALID_INPUT: Partial<Record<DeskMethod, unknown>> = {
  'ops.escalations': {},
  'ops.assign': { itemIds: ['itm-1'], assigneeId: 'bob' },
};

let server: TestServer;
const tmp = tmpDir('ops');
const cores: Core[] = [];

async function deskFor(user: 'alice' | 'bob' | 'olivia' | 'sam', serverUrl = server.url): Promise<Core> {
  const core = await demoCore(serverUrl, tmp.file(`${user}-${cores.length}.sqlite`));
  cores.push(core);
  await ok(core, 'session.connectDemo', { user });
  return core;
}

beforeAll(async () => {
  server = await startTestServer({ seed: 'demo' });
});
afterAll(async () => {
  for (const c of cores) await c.close();
  await server?.close();
  tmp.cleanup();
});

describe('the role gate of ops methods', () => {
  it('every ops method has a role rule and a test input (a new method cannot slip past the gate untested)', () => {
    expect(OPS_METHODS.length).toBeGreaterThan(0);
    for (const m of OPS_METHODS) {
      expect(Object.hasOwn(OPS_METHOD_ROLES, m), `${m} has a role rule`).toBe(true);
      expect(Object.hasOwn(VALID_INPUT, m), `${m} has a test input`).toBe(true);
      expect(mayCallOpsMethod(['reviewer'], m), `${m} is refused to reviewers`).toBe(false);
    }
  });

  it('refuses a reviewer every ops method in the core, before any request reaches the server', async () => {
    // A server that only knows who alice is: any other request it sees is counted.
    const seen: string[] = [];
    const fake: Server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (path === '/v1/me') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'alice', name: 'Alice', roles: ['reviewer'] }));
        return;
      }
      seen.push(`${req.method} ${path}`);
      res.writeHead(500).end();
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
      const core = await demoCore(url, tmp.file('alice-fake.sqlite'));
      cores.push(core);
      await ok(core, 'session.connect', { serverUrl: url, token: 'whatever' });
      for (const m of OPS_METHODS) {
        const r = await core.call(m, VALID_INPUT[m]);
        expect(r, m).toMatchObject({ ok: false, error: { code: 'forbidden' } });
        if (!r.ok) expect(r.error.message, m).toMatch(/reviewer/);
      }
      expect(seen).toEqual([]);
    } finally {
      await new Promise((r) => fake.close(r));
    }
  });

  it('refuses the real demo reviewer too, and answers not_signed_in when signed out', async () => {
    const alice = await deskFor('alice');
    for (const m of OPS_METHODS) {
      const r = await alice.call(m, VALID_INPUT[m]);
      expect(r, m).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    await ok(alice, 'session.signOut', {});
    const r = await alice.call('ops.escalations', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'not_signed_in' } });
  });

  it('checks the input before the role: bad input is bad_input for everyone', async () => {
    const sam = await deskFor('sam');
    const r = await sam.call('ops.assign', { itemIds: [], assigneeId: 'bob' });
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_input' } });
  });
});

describe('escalations and reassignment', () => {
  it("an item alice escalates reaches its owner's escalations, with who, why and her note", async () => {
    const alice = await deskFor('alice');
    await ok(alice, 'settings.set', { claimTargetSize: 40 });
    await ok(alice, 'sync.now', {});
    // Find an item whose queue olivia owns.
    const page = await ok(alice, 'queue.page', { limit: 200 });
    const queues = (await ok(alice, 'queue.list', {})).queues;
    const owned = new Set(queues.filter((q) => q.ownerId === 'olivia').map((q) => q.id));
    const row = page.rows.find((r) => owned.has(r.queueId));
    expect(row, 'alice holds an item of a queue olivia owns').toBeDefined();
    const queue = queues.find((q) => q.id === row!.queueId)!;
    const reason = queue.reasonCodes[0];
    await ok(alice, 'triage.open', { itemId: row!.id });
    await ok(alice, 'triage.decide', { itemId: row!.id, kind: 'escalate', payload: { reasonCode: reason.code, comment: 'total looks doctored' } });
    const after = await ok(alice, 'sync.now', {});
    expect(after.pending).toBe(0);

    const olivia = await deskFor('olivia');
    await ok(olivia, 'sync.now', {});
    const { escalations } = await ok(olivia, 'ops.escalations', {});
    const mine = escalations.find((e) => e.item.id === row!.id);
    expect(mine).toBeDefined();
    expect(mine!.item.status).toBe('escalated');
    expect(mine!.item.escalation).toMatchObject({ by: 'alice', reasonCode: reason.code, comment: 'total looks doctored' });
    expect(mine!.reasonLabel).toBe(reason.label);
    expect(escalations.every((e) => e.item.status === 'escalated' && e.item.assigneeId === 'olivia')).toBe(true);

    // Decided with the ordinary triage path, it leaves the escalations at once.
    await ok(olivia, 'triage.open', { itemId: row!.id });
    await ok(olivia, 'triage.decide', { itemId: row!.id, kind: 'approve', payload: {} });
    const again = await ok(olivia, 'ops.escalations', {});
    expect(again.escalations.some((e) => e.item.id === row!.id)).toBe(false);
  });

  it("a supervisor's reassignment reaches the reviewer's next pull", async () => {
    const bob = await deskFor('bob');
    const alice = await deskFor('alice');
    await ok(alice, 'settings.set', { claimTargetSize: 10 });
    await ok(alice, 'sync.now', {});
    const fromAlice = (await ok(alice, 'queue.page', { limit: 3 })).rows.map((r) => r.id);
    expect(fromAlice).toHaveLength(3);

    const sam = await deskFor('sam');
    const res = await ok(sam, 'ops.assign', { itemIds: fromAlice, assigneeId: 'bob' });
    expect(res.assigned.map((a) => a.itemId).sort()).toEqual([...fromAlice].sort());
    expect(res.assigned.every((a) => a.assigneeId === 'bob')).toBe(true);

    await ok(bob, 'sync.now', {});
    for (const id of fromAlice) {
      const d = await ok(bob, 'item.get', { itemId: id });
      expect(d.item.assigneeId).toBe('bob');
    }
    const unknown = await sam.call('ops.assign', { itemIds: ['no-such-item'], assigneeId: 'bob' });
    expect(unknown).toMatchObject({ ok: false });
  });
});
