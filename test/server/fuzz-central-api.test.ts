// Generated bad input over every route of the central API (issue 8, Tests): arbitrary JSON values, raw bytes
// in several encodings and content types, sizes around the limits, arbitrary query strings and credentials.
// Whatever arrives, the answer is never a 5xx; a refusal is a clear problem+json (4xx) and commits nothing
// (read beside the server: SQLite's data_version does not move; on PostgreSQL no transaction id handed out
// meanwhile committed, db-snapshot.ts watchCommits); a 2xx only for input the route's own zod schema accepts.
// And the desk's check agrees with the server: a push the shared schema accepts is never refused as
// malformed, one it refuses always is. Runs are bounded so the suite takes seconds. Runs on both databases.
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../server/routes';
import type { RouteSpec } from '../../server/routes/define';
import { PROBLEM_TYPES, Problem, PushRequest } from '../../shared/central-api';
import type { Item, Role } from '../../shared/domain';
import { DEFAULT_BODY_LIMIT, MAX_JSON_VALUE_DEPTH } from '../../shared/limits';
import { mutationFor } from '../helpers/central-client';
import { changedTables, snapshotOf, watchCommits, type CommitWatch, type DbSnapshot } from '../helpers/db-snapshot';
import { demoToken, startDemoServer, type DemoServer, type DemoUser } from '../helpers/demo-fixture';
import { startPgCluster, stopPgCluster, type PgCluster } from '../helpers/pg-cluster';
import { DB_KIND } from '../helpers/server';

const SEED = 8_2026;
const RUNS = 12;

let demo: DemoServer;
let commits: CommitWatch;
let held: Item[];
let before: DbSnapshot;
let watchSawTheClaim = false;
// PostgreSQL: a cluster of its own, since transaction ids are handed out cluster-wide and watchCommits reads
// them: suites running meanwhile on the shared cluster would look like commits of this server. Without
// autovacuum, whose ANALYZE after the demo seed commits too (a CI run failed 'a 400 committed a change').
let ownCluster: PgCluster | null = null;
beforeAll(async () => {
  if (DB_KIND === 'postgres') {
    ownCluster = await startPgCluster(undefined, { autovacuum: false });
    const admin = new pg.Client({ connectionString: ownCluster.url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE fuzz');
    await admin.end();
  }
  demo = await startDemoServer(ownCluster ? { dbFile: ownCluster.url('fuzz') } : {});
  commits = await watchCommits(demo.dbFile);
  await commits.mark();
  held = (await demo.as.alice.claim({ count: 3, queueIds: [demo.queues[0].id] })).items;
  watchSawTheClaim = await commits.committedSinceMark();
  before = await snapshotOf(demo.dbFile);
});
afterAll(async () => {
  await commits?.close();
  await demo?.close();
  if (ownCluster) stopPgCluster(ownCluster.dir);
});


const USER_FOR_ROLE: Partial<Record<Role, DemoUser>> = { reviewer: 'alice', owner: 'olivia', supervisor: 'sam', producer: 'ingest' };
function callerOf(r: RouteSpec): string | null {
  if (r.access === 'public') return null;
  if (r.access === 'any-user') return demoToken('alice');
  const user = r.access.map((role) => USER_FOR_ROLE[role]).find((u) => u !== undefined);
  if (!user) throw new Error(`no demo user has a role of ${r.method} ${r.path}`);
  return demoToken(user);
}

const bodyRoutes = apiRoutes.filter((r) => r.body !== undefined);
const queryRoutes = apiRoutes.filter((r) => r.query !== undefined);

interface Answer { status: number; contentType: string; text: string; committed: boolean }

async function send(method: string, pathAndQuery: string, opts: { token?: string | null; body?: Uint8Array | string; contentType?: string | null } = {}):
Promise<Answer> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined && opts.contentType !== null) headers['content-type'] = opts.contentType ?? 'application/json';
  await commits.mark();
  const res = await fetch(demo.url + pathAndQuery, { method, headers, body: opts.body as BodyInit | undefined });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, committed: await commits.committedSinceMark() };
}

const KNOWN_TYPES = new Set<string>(Object.values(PROBLEM_TYPES));

/** The contract for any input: no 5xx; a refusal is a problem with a known type and commits nothing. */
function expectClearAnswer(a: Answer, what: string): boolean {
  expect(a.status, `${what}: ${a.text.slice(0, 300)}`).toBeLessThan(500);
  if (a.status >= 400) {
    expect(a.contentType, what).toMatch(/^application\/problem\+json/);
    const p = Problem.parse(JSON.parse(a.text));
    expect(KNOWN_TYPES.has(p.type), `${what}: problem type ${p.type}`).toBe(true);
    expect(p.detail ?? '', what).not.toBe('');
    expect(a.committed, `${what}: a ${a.status} committed a change`).toBe(false);
    return false;
  }
  return true;
}

const parsesAs = (schema: RouteSpec['body'], text: string): boolean => {
  try { return schema!.safeParse(JSON.parse(text)).success; } catch { return false; }
};

// Objects shaped like each route's body with wrong values in them reach further into the schemas than
// random JSON does.
const nearMissBody = fc.dictionary(
  fc.constantFrom('items', 'count', 'queueIds', 'leaseMinutes', 'itemIds', 'assigneeId', 'clientId', 'mutations', 'publicKey', 'deviceId',
    'bundle', 'reviewerId', 'source', 'externalId', 'input', 'output', '__proto__', 'constructor'),
  fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.array(fc.dictionary(fc.constantFrom('kind', 'mutationId', 'itemId', 'payload', 'labor', 'at', 'source'),
    fc.jsonValue({ maxDepth: 2 })), { maxLength: 3 })),
  { maxKeys: 5 },
);

it('the commit watch has teeth: it saw the claim commit', () => {
  expect(watchSawTheClaim).toBe(true);
});

describe('every body route: arbitrary JSON, raw bytes, content types and sizes', () => {
  it.each(bodyRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', async (name, route) => {
    const token = callerOf(route);
    await fc.assert(fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 6 }), nearMissBody), async (value) => {
      const text = JSON.stringify(value) ?? 'null';
      const a = await send(route.method, route.path, { token, body: text });
      if (expectClearAnswer(a, `${name} ${text.slice(0, 200)}`)) expect(parsesAs(route.body, text), `${name} accepted ${text.slice(0, 200)}`).toBe(true);
    }), { seed: SEED, numRuns: RUNS * 2 });

    const contentTypes = fc.constantFrom('application/json', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x', 'application/octet-stream', null);
    const rawBodies = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
      fc.string({ maxLength: 200 }).map((s) => Buffer.from(`{"x":"${s}"}`, 'utf16le')),
      fc.constantFrom('', '{', '{"a":1}}', '\uFEFF{}', '[]', 'null', '0', '"str"', '{"a":1e400}', '{"a":"\\ud800"}', '{"__proto__":{"p":1}}',
        '{"constructor":{"prototype":{"p":1}}}', `${'['.repeat(5000)}${']'.repeat(5000)}`),
    );
    await fc.assert(fc.asyncProperty(rawBodies, contentTypes, async (body, contentType) => {
      const a = await send(route.method, route.path, { token, body, contentType });
      const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
      if (expectClearAnswer(a, `${name} raw ${contentType}`)) expect(parsesAs(route.body, text), `${name} accepted raw ${text.slice(0, 100)}`).toBe(true);
    }), { seed: SEED, numRuns: RUNS * 2 });

    // Sizes around the route's limit: over it is 413, under it is whatever the content deserves, never 5xx.
    const limit = route.bodyLimit ?? DEFAULT_BODY_LIMIT;
    await fc.assert(fc.asyncProperty(fc.constantFrom(limit - 64, limit + 1, limit + 4096), fc.constantFrom('"', '[1,'), async (size, filler) => {
      const head = filler === '"' ? '{"pad":"' : '{"pad":[';
      const tail = filler === '"' ? '"}' : '1]}';
      const fill = filler === '"' ? 'x'.repeat(Math.max(0, size - head.length - tail.length)) : '1,'.repeat(Math.max(0, Math.floor((size - head.length - tail.length) / 2)));
      const a = await send(route.method, route.path, { token, body: head + fill + tail });
      expectClearAnswer(a, `${name} ${size} bytes`);
      if (size > limit) expect(a.status).toBe(413);
    }), { seed: SEED, numRuns: 3 });
  });
});

describe('every route: arbitrary queries and credentials', () => {
  const queryValue = fc.oneof(fc.string({ maxLength: 40 }), fc.integer().map(String), fc.constantFrom('', '-1', '0', '1e3', 'NaN', '1.5', 'c.x.1', 's.x.1.a', '%', '%zz', '%00', 'x'.repeat(300)));
  const queryString = fc.array(fc.tuple(fc.constantFrom('cursor', 'limit', 'clientId', 'since', 'queueId', 'x', 'limit[]', '__proto__'), queryValue), { maxLength: 4 })
    .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${v.startsWith('%') ? v : encodeURIComponent(v)}`).join('&'));

  it.each(queryRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', async (name, route) => {
    const token = callerOf(route);
    await fc.assert(fc.asyncProperty(queryString, async (qs) => {
      const a = await send(route.method, `${route.path}?${qs}`, { token });
      if (expectClearAnswer(a, `${name}?${qs}`)) {
        const params = Object.fromEntries(new URLSearchParams(qs));
        // A 2xx means the schema took it (repeated keys aside, which Fastify turns into arrays the schema refuses).
        if (!/(^|&)([^=]+)=.*&\2=/.test(qs)) expect(route.query!.safeParse(params).success, `${name} accepted ?${qs}`).toBe(true);
      }
    }), { seed: SEED, numRuns: RUNS * 2 });
  });

  const credential = fc.oneof(
    fc.string({ minLength: 1, maxLength: 60 }).filter((s) => /^[\x21-\x7e]+$/.test(s)).map((s) => `Bearer ${s}`),
    fc.constantFrom('Bearer', 'Bearer ', 'Basic YWxpY2U6eA==', 'bearer demo-nobody', 'Bearer demo-alice extra', `Bearer ${'a'.repeat(5000)}`),
  );
  it.each(apiRoutes.filter((r) => r.access !== 'public').map((r) => [`${r.method} ${r.path}`, r] as const))('%s with a made-up credential', async (name, route) => {
    await fc.assert(fc.asyncProperty(credential, async (authorization) => {
      await commits.mark();
      const res = await fetch(demo.url + route.path, { method: route.method, headers: { authorization, 'content-type': 'application/json' },
        body: route.method === 'POST' ? '{}' : undefined });
      const text = await res.text();
      const a = { status: res.status, contentType: res.headers.get('content-type') ?? '', text, committed: await commits.committedSinceMark() };
      expectClearAnswer(a, `${name} ${authorization.slice(0, 40)}`);
      expect(a.status).toBe(401);
    }), { seed: SEED, numRuns: RUNS });
  });
});

describe('the desk can know in advance what the server refuses', () => {
  // A push the shared PushRequest schema accepts is never refused as malformed, and one it refuses always is:
  // the desk validates with that schema before a mutation enters its outbox (issue 8 item 8).
  const forbidden = fc.constantFrom('', '"__proto__":{"p":1},', '"constructor":{"prototype":{}},', '"constructor":1,', '"prototype":{},');
  const correction = fc.tuple(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
    fc.integer({ min: 0, max: MAX_JSON_VALUE_DEPTH + 4 }), forbidden)
    .map(([inner, depth, bad]) => {
      let text = JSON.stringify(inner);
      if (bad) text = `{${bad}${text.slice(1)}`.replace(/,}$/, '}');
      for (let i = 0; i < depth; i++) text = `{"n":${text}}`;
      return text;
    });
  const nearLimit = (n: number) => fc.integer({ min: n - 3, max: n + 3 });
  const mutationText = fc.oneof(
    fc.tuple(correction, nearLimit(4000)).map(([c, len]) => ({ kind: 'correct' as const, raw: c, comment: 'c'.repeat(len) })),
    fc.tuple(nearLimit(4000), fc.constantFrom('x', '\u0000', '\uD800', '\u{1F600}')).map(([len, ch]) => ({ kind: 'note' as const, text: ch.repeat(len) })),
  );

  it('a push is refused as malformed exactly when the shared schema refuses it', async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(mutationText, async (spec) => {
      n += 1;
      // An epoch alice never held: a well-formed push settles as rejected / not_assigned and changes no item.
      const item = { ...held[n % held.length], assignmentEpoch: 999 };
      const m = spec.kind === 'correct'
        ? mutationFor('correct', item, 1, { correctedOutput: { placeholder: true }, comment: spec.comment })
        : mutationFor('note', item, 1, { text: spec.text });
      let text = JSON.stringify({ clientId: `fuzz-agree-${n}-${SEED}`, mutations: [m] });
      if (spec.kind === 'correct') text = text.replace('{"placeholder":true}', spec.raw);
      const desk = PushRequest.safeParse(JSON.parse(text)).success;
      const a = await send('POST', '/v1/sync/push', { token: demoToken('alice'), body: text });
      const accepted = expectClearAnswer(a, `push ${text.slice(0, 200)}`);
      expect(accepted, `desk check says ${desk ? 'fine' : 'refused'}, server answered ${a.status}: ${a.text.slice(0, 200)}`).toBe(desk);
      if (accepted) expect(JSON.parse(a.text)).toMatchObject({ results: [{ status: 'rejected' }] });
    }), { seed: SEED, numRuns: RUNS * 4 });
  });
});

describe('after all of it', () => {
  it('only accepted requests changed anything: items, events and decisions are as they were', async () => {
    // Accepted pushes of the agreement property added clients and their rejected results, and the first
    // GET /v1/bundles/key made the bundle signing key (meta); nothing else moves.
    const accepted = ['clients', 'client_mutations', 'change_log', 'meta'];
    expect(changedTables(before, await snapshotOf(demo.dbFile)).filter((t) => !accepted.includes(t))).toEqual([]);
  });
});
