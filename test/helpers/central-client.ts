// A tiny typed client for the central API v1, for tests and benches: every success body is parsed with
// the shared schema (so a server that drifts from the contract fails the test that touched it), and every
// refusal is checked to be RFC 9457 problem+json. Also builds mutations with a correct payloadHash.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  AssignmentRequest, AssignmentResponse, ClaimRequest, ClaimResponse, DecisionsResponse, Health,
  IngestRequest, IngestResponse, Me, Mutation, MutationPayload, Problem, PullResponse, PushRequest,
  PushResponse, QueuesResponse, mutationHashInput,
} from '../../shared/central-api';
import type { Item, Labor, MutationKind } from '../../shared/domain';

export interface RawResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body is JSON, else the text (or null when empty). */
  body: unknown;
}

export class ApiError extends Error {
  constructor(readonly method: string, readonly path: string, readonly response: RawResponse) {
    super(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body).slice(0, 500)}`);
  }
}

type Query = Record<string, string | number | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

export interface RequestOptions {
  token?: string | null;
  /** Sent as-is instead of JSON.stringify(body). */
  rawBody?: string;
  contentType?: string;
  signal?: AbortSignal;
}

export class CentralClient {
  constructor(readonly baseUrl: string, readonly token: string | null = null) {}

  as(token: string | null): CentralClient {
    return new CentralClient(this.baseUrl, token);
  }

  async request(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<RawResponse> {
    const token = opts.token === undefined ? this.token : opts.token;
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (opts.rawBody !== undefined) payload = opts.rawBody;
    else if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
    const res = await fetch(this.baseUrl + path, { method, headers, body: payload, signal: opts.signal });
    const text = await res.text();
    let parsed: unknown = text === '' ? null : text;
    if (text !== '' && /json/.test(res.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed };
  }

  /** A 2xx answer parsed with `schema`; anything else throws ApiError. */
  async expectOk<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown): Promise<z.infer<S>> {
    const res = await this.request(method, path, body);
    if (res.status < 200 || res.status > 299) throw new ApiError(method, path, res);
    const parsed = schema.safeParse(res.body);
    if (!parsed.success) {
      throw new Error(`${method} ${path}: response does not match the contract: ${z.prettifyError(parsed.error)}`);
    }
    return parsed.data;
  }

  /** A refusal: checks the status and that the body is problem+json; returns the problem. */
  async expectProblem(status: number | number[], method: string, path: string, body?: unknown, opts?: RequestOptions): Promise<Problem> {
    const res = await this.request(method, path, body, opts);
    return assertProblem(res, status, `${method} ${path}`);
  }

  health() { return this.expectOk(Health, 'GET', '/v1/health'); }
  me() { return this.expectOk(Me, 'GET', '/v1/me'); }
  queues() { return this.expectOk(QueuesResponse, 'GET', '/v1/queues'); }
  ingest(req: IngestRequest) { return this.expectOk(IngestResponse, 'POST', '/v1/exceptions', req); }
  claim(req: ClaimRequest) { return this.expectOk(ClaimResponse, 'POST', '/v1/claims', req); }
  assign(req: AssignmentRequest) { return this.expectOk(AssignmentResponse, 'POST', '/v1/assignments', req); }
  pull(q: { cursor?: string; limit?: number; clientId?: string } = {}) {
    return this.expectOk(PullResponse, 'GET', withQuery('/v1/sync/pull', q));
  }
  push(req: PushRequest) { return this.expectOk(PushResponse, 'POST', '/v1/sync/push', req); }
  decisions(q: { cursor?: string; limit?: number } = {}) {
    return this.expectOk(DecisionsResponse, 'GET', withQuery('/v1/decisions', q));
  }

  /** Every row of the feed, paged from the start. */
  async decisionsAll(): Promise<DecisionsResponse['decisions']> {
    const out: DecisionsResponse['decisions'] = [];
    for (let cursor: string | undefined, more = true; more;) {
      const page = await this.decisions({ cursor, limit: 1000 });
      out.push(...page.decisions);
      cursor = page.cursor;
      more = page.hasMore;
    }
    return out;
  }

  /** The feed's cursor past everything recorded so far (pages to the end: the demo seed alone holds over a thousand rows). */
  async decisionsCursorAtEnd(): Promise<string> {
    let page = await this.decisions({ limit: 1000 });
    while (page.hasMore) page = await this.decisions({ cursor: page.cursor, limit: 1000 });
    return page.cursor;
  }

  /** Pulls page after page until hasMore is false; returns every page. */
  async pullAll(q: { cursor?: string; limit?: number; clientId?: string } = {}, maxPages = 200): Promise<PullResponse[]> {
    const pages: PullResponse[] = [];
    let cursor = q.cursor;
    for (let i = 0; i < maxPages; i++) {
      const page = await this.pull({ ...q, cursor });
      pages.push(page);
      cursor = page.cursor;
      if (!page.hasMore) return pages;
    }
    throw new Error(`pull did not finish within ${maxPages} pages`);
  }
}

export function assertProblem(res: RawResponse, status: number | number[], what: string): Problem {
  const allowed = Array.isArray(status) ? status : [status];
  if (!allowed.includes(res.status)) {
    throw new Error(`${what}: expected ${allowed.join('/')} but got ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
  }
  const ct = res.headers.get('content-type') ?? '';
  if (!ct.startsWith('application/problem+json')) throw new Error(`${what}: expected application/problem+json, got '${ct}'`);
  const parsed = Problem.safeParse(res.body);
  if (!parsed.success) throw new Error(`${what}: body is not a problem: ${z.prettifyError(parsed.error)}`);
  if (parsed.data.status !== res.status) throw new Error(`${what}: problem.status ${parsed.data.status} != HTTP ${res.status}`);
  return parsed.data;
}

// ---------- mutations ----------

export function payloadHashOf(m: Pick<Mutation, 'kind' | 'itemId' | 'baseVersion' | 'assignmentEpoch' | 'payload'>): string {
  return createHash('sha256').update(mutationHashInput(m)).digest('hex');
}

export function laborFor(at: Date, activeMs = 4_000): Labor {
  return {
    activeMs, idleMs: 0, wallMs: activeMs, segments: 1,
    openedAt: new Date(at.getTime() - activeMs).toISOString(), decidedAt: at.toISOString(), rework: false,
  };
}

/** A mutation on `item` as its holder saw it, with a correct payloadHash. */
export function mutationFor<K extends MutationKind>(
  kind: K,
  item: Pick<Item, 'id' | 'version' | 'assignmentEpoch'>,
  mutationId: number,
  payload: MutationPayload<K>,
  opts: { at?: Date; labor?: boolean; baseVersion?: number; assignmentEpoch?: number } = {},
): Mutation {
  const at = opts.at ?? new Date();
  const base = {
    kind, itemId: item.id,
    baseVersion: opts.baseVersion ?? item.version,
    assignmentEpoch: opts.assignmentEpoch ?? item.assignmentEpoch,
    payload,
  };
  return {
    ...base,
    mutationId,
    at: at.toISOString(),
    ...(opts.labor === false ? {} : { labor: laborFor(at) }),
    payloadHash: payloadHashOf(base as Pick<Mutation, 'kind' | 'itemId' | 'baseVersion' | 'assignmentEpoch' | 'payload'>),
  } as Mutation;
}

/** Approves each item, numbering mutations from `firstId`. */
export function approvals(items: Pick<Item, 'id' | 'version' | 'assignmentEpoch'>[], firstId: number): Mutation[] {
  return items.map((it, i) => mutationFor('approve', it, firstId + i, {}));
}

let clientSeq = 0;
export function newClientId(label = 'test'): string {
  clientSeq += 1;
  return `${label}-${process.pid}-${clientSeq}-${Math.random().toString(36).slice(2, 10)}`;
}

// ---------- ingest ----------

/** `n` believable ingest items for `queueId`, deterministic by (source, prefix, index). */
export function ingestItems(queueId: string, n: number, opts: { source?: string; prefix?: string; start?: number } = {}) {
  const source = opts.source ?? 'test-pipeline';
  const prefix = opts.prefix ?? 'ext';
  const start = opts.start ?? 0;
  return Array.from({ length: n }, (_, k) => {
    const i = start + k;
    return {
      source,
      externalId: `${prefix}-${i}`,
      queueId,
      title: `Invoice INV-${100000 + i} total does not match line items`,
      summary: 'Extracted total differs from the sum of line items by more than 1%.',
      confidence: 0.42 + (i % 50) / 100,
      reasons: [{ code: 'total_mismatch', message: 'Total 1,204.50 vs lines 1,190.00', severity: 'warning' as const, field: 'total' }],
      input: { documentId: `doc-${i}`, pages: 2 },
      output: { vendor: 'Acme GmbH', total: 1204.5, currency: 'EUR', lines: [{ sku: 'A-1', qty: 2, price: 595 }] },
    };
  });
}
