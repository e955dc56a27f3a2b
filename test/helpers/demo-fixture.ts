// A demo-seeded reference server plus one CentralClient per demo user: the common setup of the server
// matrix tests (test/server/matrix-*.test.ts).
import type { RunningServer, StartServerOptions } from '../../server/app';
import type { Queue } from '../../shared/domain';
import { CentralClient } from './central-client';
import { startTestServer } from './server';

// alice, bob: reviewers; olivia: owner + reviewer; omar: owner only; sam: supervisor; ingest: producer.
export const DEMO_USERS = ['alice', 'bob', 'olivia', 'omar', 'sam', 'ingest'] as const;
export type DemoUser = (typeof DEMO_USERS)[number];
export const demoToken = (name: DemoUser) => `demo-${name}`;

export interface DemoServer {
  url: string;
  dbFile: string;
  anon: CentralClient;
  as: Record<DemoUser, CentralClient>;
  ids: Record<DemoUser, string>;
  queues: Queue[];
  /** The in-process server (database handle, sweepLeases, addUser), when there is one. */
  running?: RunningServer;
  close(): Promise<void>;
}

export async function withDemoClients(server: { url: string; dbFile: string; close(): Promise<void>; server?: RunningServer }): Promise<DemoServer> {
  const anon = new CentralClient(server.url, null);
  const as = Object.fromEntries(DEMO_USERS.map((u) => [u, anon.as(demoToken(u))])) as Record<DemoUser, CentralClient>;
  const ids = {} as Record<DemoUser, string>;
  for (const u of DEMO_USERS) ids[u] = (await as[u].me()).id;
  const { queues } = await as.alice.queues();
  return { url: server.url, dbFile: server.dbFile, anon, as, ids, queues, running: server.server, close: () => server.close() };
}

export async function startDemoServer(opts: Partial<StartServerOptions> = {}): Promise<DemoServer> {
  return withDemoClients(await startTestServer({ ...opts, seed: 'demo' }));
}

/** A settable clock for a server started with `now`: tests move time instead of sleeping. */
export class TestClock {
  private t: number;
  constructor(start = Date.now()) { this.t = start; }
  now = (): Date => new Date(this.t);
  advanceMinutes(m: number): void { this.t += m * 60_000; }
}

/** A demo-seeded in-process server whose clock the test controls (startServer's `now`). */
export async function startClockedDemoServer(clock: TestClock): Promise<DemoServer> {
  return withDemoClients(await startTestServer({ seed: 'demo', now: clock.now }));
}
