// Shared setup of the core suites: a settable monotonic + wall clock, tmp cache files, and a core
// signed in to a real demo-seeded reference server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeskInput, DeskMethod, DeskOutput } from '../../shared/desk-api';
import { createCore, type Core, type CoreOptions } from '../../electron/core/index';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Item, Queue } from '../../shared/domain';

export class FakeClock {
  private mono = 1_000;
  constructor(private readonly wallBase = Date.parse('2026-11-28T09:00:00.000Z')) {}
  monotonicMs = (): number => this.mono;
  now = (): Date => new Date(this.wallBase + this.mono);
  advance(ms: number): void { this.mono += ms; }
}

export function tmpDir(prefix: string): { dir: string; file(name: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `desk-core-${prefix}-`));
  return { dir, file: (n) => join(dir, n), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Calls a desk method and throws with the error when it does not answer ok. */
export async function ok<M extends DeskMethod>(core: Core, method: M, input: DeskInput<M>): Promise<DeskOutput<M>> {
  const r = await core.call(method, input);
  if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`);
  return r.value as DeskOutput<M>;
}

export async function demoCore(serverUrl: string, cacheFile: string, extra: Partial<CoreOptions> = {}): Promise<Core> {
  return createCore({ cacheFile, demo: { serverUrl }, autoSync: false, ...extra });
}

// ---------- a scripted central API for protocol tests (real HTTP on 127.0.0.1) ----------

export const SCRIPT_QUEUE: Queue = {
  id: 'q1', name: 'Invoices', workflow: 'invoice-extraction', stage: 'post-to-ledger', exceptionClass: 'confidence',
  ownerId: 'olivia', ownerName: 'Olivia', slaTargetMinutes: 240, idleThresholdSec: 60,
  reasonCodes: [{ code: 'wrong_total', label: 'Wrong total' }],
};

export function scriptItem(i: number, over: Partial<Item> = {}): Item {
  const t = new Date(Date.UTC(2026, 10, 28, 8, 0, i)).toISOString();
  return {
    id: `itm-${i}`, source: 'erp', externalId: `inv-${i}`, queueId: 'q1', workflow: 'invoice-extraction', stage: 'post-to-ledger',
    exceptionClass: 'confidence', title: `Invoice ${i} total mismatch`, confidence: 0.5, reasons: [], input: { n: i }, output: { total: i },
    status: 'leased', assigneeId: 'alice', assignmentEpoch: 1, leaseExpiresAt: null, version: 1, createdAt: t, enqueuedAt: t, slaDueAt: t,
    outcome: null, notes: [], escalation: null, ...over,
  };
}

export function scriptPage(over: Record<string, unknown> = {}) {
  return {
    cursor: 'c.1', hasMore: false, reset: false, upserts: [], removals: [], queues: [SCRIPT_QUEUE], results: [], lastMutationId: 0,
    serverTime: new Date().toISOString(), ...over,
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** /v1/me answers alice, /v1/claims nothing; everything else goes to `handle` with the parsed JSON body. */
export async function scriptedServer(handle: (path: string, body: unknown, req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      if (path === '/v1/me') return sendJson(res, 200, { id: 'alice', name: 'Alice', roles: ['reviewer'] });
      if (path === '/v1/claims') return sendJson(res, 200, { items: [] });
      const text = Buffer.concat(chunks).toString('utf8');
      handle(path, text ? JSON.parse(text) : undefined, req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** What a scripted-server test opened (a core, its server, its tmp dir), closed after each test in that order. */
export type Opened = { core?: Core; close?: () => Promise<void>; cleanup?: () => void };

/** Registers the afterEach that closes everything pushed on the returned list. */
export function closedAfterEach(afterEach: (fn: () => Promise<void>) => void): Opened[] {
  const open: Opened[] = [];
  afterEach(async () => {
    for (const o of open.splice(0)) {
      await o.core?.close();
      await o.close?.();
      o.cleanup?.();
    }
  });
  return open;
}
