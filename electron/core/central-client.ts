// HTTP client for the central API v1. Every response is size-limited, parsed as JSON and validated
// with the shared zod schema before anyone sees it; failures become one of three typed errors.
import { z } from 'zod';
import {
  AssignmentResponse, Me, MutationResult, Problem, PullResponse, PushResponse, QueuesResponse, RemovalReason, type AssignmentRequest,
  type ClaimRequest, type ClaimResponse, type LeaseRenewRequest, type PushRequest,
} from '../../shared/central-api';
import { Id, Item } from '../../shared/domain';
import {
  BundleCheckoutResponse, BundleKeyResponse, DeviceRegistrationResponse, type BundleCheckoutRequest, type DeviceRegistration,
} from '../../shared/bundle-format';
import { compileSafeParse } from '../../shared/fast-parse';
import { neverReachedServer } from './connect-failure';

/** The server could not be reached (refused, reset, timed out, DNS). */
export class NetworkError extends Error {
  override name = 'NetworkError';
  /** True only when the connection was never established, so the request cannot have reached the server. */
  constructor(message: string, readonly neverSent = false) {
    super(message);
  }
}
/** The server answered with an error status (problem details when it sent them). */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(readonly status: number, readonly problem: Problem | null, readonly retryAfterMs: number | null, message: string) {
    super(message);
  }
}
/** The server answered 2xx with a body that is not what the contract says (malformed, truncated, oversize). */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

export interface CentralClientOptions {
  baseUrl: string;
  token: string;
  timeoutMs?: number;
  maxBodyBytes?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/** An item copy from the server that failed the Item schema: skipped, and reported in the sync status. */
export interface Quarantined { itemId: string | null; problem: string }
export type PullPage = PullResponse & { quarantined: Quarantined[] };

// The page's frame is checked strictly; item copies one by one (see CentralClient.pull).
const LenientPullResponse = PullResponse.extend({
  upserts: z.array(z.unknown()),
  removals: z.array(z.object({ itemId: Id, reason: RemovalReason, item: z.unknown().optional() })),
  results: z.array(MutationResult.extend({ item: z.unknown() })),
});
// item: absent in a lean result (PushRequest.leanResults).
const LenientPushResponse = PushResponse.extend({ results: z.array(MutationResult.extend({ item: z.unknown().optional() })) });
const LenientClaimResponse = z.object({ items: z.array(z.unknown()) });
const LenientRenewResponse = z.object({ items: z.array(z.unknown()), notRenewed: z.array(Id) });

/**
 * Item.safeParse with a fast path compiled from the same schema (every pulled item passes here, on the core's
 * thread): what it does not accept at once, zod decides, so a quarantine message is zod's as before.
 */
const safeParseItem = compileSafeParse(Item);

function keepValidItems(raw: unknown[], quarantined: Quarantined[]): Item[] {
  const items: Item[] = [];
  for (const x of raw) {
    const r = safeParseItem(x);
    if (r.success) items.push(r.data);
    else quarantined.push({ itemId: idOf(x), problem: firstProblem(r.error.issues) });
  }
  return items;
}

/**
 * The item copy a removal or a result carries, or null when it fails the schema. Nothing is skipped then
 * (the removal still removes, the result still settles), so nothing is quarantined either.
 */
function validItemOrNull(raw: unknown): Item | null {
  if (raw === null || raw === undefined) return null;
  const r = safeParseItem(raw);
  return r.success ? r.data : null;
}

function idOf(x: unknown): string | null {
  const id = (x as { id?: unknown } | null)?.id;
  return typeof id === 'string' && Id.safeParse(id).success ? id : null;
}

function firstProblem(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  const first = issues[0];
  return first ? `${first.path.map(String).join('.') || '(item)'}: ${first.message}` : 'invalid';
}

export class CentralClient {
  private readonly base: string;
  constructor(private readonly opts: CentralClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
  }

  me(signal?: AbortSignal): Promise<Me> {
    return this.request('GET', '/v1/me', undefined, Me, signal);
  }
  queues(signal?: AbortSignal): Promise<QueuesResponse> {
    return this.request('GET', '/v1/queues', undefined, QueuesResponse, signal);
  }
  /** Claimed items; one that fails the Item schema is quarantined, not a failed claim. */
  async claim(body: ClaimRequest, signal?: AbortSignal): Promise<ClaimResponse & { quarantined: Quarantined[] }> {
    const res = await this.request('POST', '/v1/claims', body, LenientClaimResponse, signal);
    const quarantined: Quarantined[] = [];
    return { items: keepValidItems(res.items, quarantined), quarantined };
  }
  /** Renews leases I hold (same epoch); item copies that fail the Item schema are quarantined like claims. */
  async renewLeases(body: LeaseRenewRequest, signal?: AbortSignal): Promise<ClaimResponse & { notRenewed: string[]; quarantined: Quarantined[] }> {
    const res = await this.request('POST', '/v1/leases/renew', body, LenientRenewResponse, signal);
    const quarantined: Quarantined[] = [];
    return { items: keepValidItems(res.items, quarantined), notRenewed: res.notRenewed, quarantined };
  }
  /**
   * One pull page. An item that fails the Item schema does not fail the page: it is quarantined (reported,
   * skipped) and the rest of the page applies, so one bad item can never stop a desk from syncing.
   */
  async pull(q: { cursor: string | null; limit: number; clientId: string }, signal?: AbortSignal): Promise<PullPage> {
    const params = new URLSearchParams({ limit: String(q.limit), clientId: q.clientId });
    if (q.cursor) params.set('cursor', q.cursor);
    const raw = await this.request('GET', `/v1/sync/pull?${params}`, undefined, LenientPullResponse, signal);
    if (raw.upserts.length + raw.removals.length > q.limit || raw.results.length > 100_000) {
      throw new ProtocolError(`pull page too large: ${raw.upserts.length} upserts, ${raw.removals.length} removals for limit ${q.limit}`);
    }
    const quarantined: Quarantined[] = [];
    const upserts = keepValidItems(raw.upserts, quarantined);
    // A removal or a result stands without its item copy: the removal still removes, the result still settles.
    const removals = raw.removals.map((r) => ({ itemId: r.itemId, reason: r.reason, item: validItemOrNull(r.item) }));
    const results = raw.results.map((r) => ({ ...r, item: validItemOrNull(r.item) }));
    return { ...raw, upserts, removals, results, quarantined };
  }
  // Restricted-site bundles (DESIGN §11).
  bundleKey(signal?: AbortSignal): Promise<BundleKeyResponse> {
    return this.request('GET', '/v1/bundles/key', undefined, BundleKeyResponse, signal);
  }
  registerDevice(body: DeviceRegistration, signal?: AbortSignal): Promise<z.infer<typeof DeviceRegistrationResponse>> {
    return this.request('POST', '/v1/bundles/devices', body, DeviceRegistrationResponse, signal);
  }
  bundleCheckout(body: BundleCheckoutRequest, signal?: AbortSignal): Promise<BundleCheckoutResponse> {
    return this.request('POST', '/v1/bundles/checkout', body, BundleCheckoutResponse, signal);
  }
  /** Results settle their mutations even when the item copy they carry fails the schema (it is quarantined). */
  async push(body: PushRequest, signal?: AbortSignal): Promise<PushResponse & { quarantined: Quarantined[] }> {
    const raw = await this.request('POST', '/v1/sync/push', body, LenientPushResponse, signal);
    if (raw.results.length > body.mutations.length) {
      throw new ProtocolError(`push answered ${raw.results.length} results for ${body.mutations.length} mutations`);
    }
    // A lean result (PushRequest.leanResults) has no item: the desk applies the mutation itself (sync-engine.ts).
    const results = raw.results.map((r) => ({ ...r, item: r.item === undefined && r.version !== undefined ? undefined : validItemOrNull(r.item) }));
    return { ...raw, results, quarantined: [] };
  }

  /** A supervisor's reassignment (DESIGN §5). */
  assign(body: AssignmentRequest, signal?: AbortSignal): Promise<AssignmentResponse> {
    return this.request('POST', '/v1/assignments', body, AssignmentResponse, signal);
  }
  /** A read of the operations API (metrics, reviews), validated with the caller's schema. */
  getJson<S extends z.ZodType>(path: string, schema: S, signal?: AbortSignal): Promise<z.infer<S>> {
    return this.request('GET', path, undefined, schema, signal);
  }
  /** A write of the operations API (rollbacks, overrides, reviews), validated with the caller's schema. */
  postJson<S extends z.ZodType>(path: string, body: unknown, schema: S, signal?: AbortSignal): Promise<z.infer<S>> {
    return this.request('POST', path, body, schema, signal);
  }

  private async request<S extends z.ZodType>(method: string, path: string, body: unknown, schema: S, outer?: AbortSignal): Promise<z.infer<S>> {
    const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 30_000);
    const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: {
          authorization: `Bearer ${this.opts.token}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal,
      });
    } catch (e) {
      throw new NetworkError(`${method} ${path}: ${describe(e)}`, neverReachedServer(e));
    }
    let text: string;
    try {
      text = await readLimited(res, this.opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    } catch (e) {
      if (e instanceof ProtocolError) throw e;
      throw new NetworkError(`${method} ${path}: response cut off: ${describe(e)}`);
    }
    if (!res.ok) {
      let problem: Problem | null = null;
      try {
        const p = Problem.safeParse(JSON.parse(text));
        if (p.success) problem = p.data;
      } catch { /* not JSON: keep the status */ }
      const ra = res.headers.get('retry-after');
      const retryAfterMs = ra && /^\d+$/.test(ra) ? Number(ra) * 1000 : null;
      throw new HttpError(res.status, problem, retryAfterMs, `${method} ${path}: HTTP ${res.status}${problem ? ` ${problem.title}${problem.detail ? `: ${problem.detail}` : ''}` : ''}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ProtocolError(`${method} ${path}: response is not valid JSON (${text.length} bytes${text.length ? `, starts ${JSON.stringify(text.slice(0, 40))}` : ''})`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new ProtocolError(`${method} ${path}: response does not match the contract: ${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid'}`);
    }
    return parsed.data;
  }
}

async function readLimited(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > max) {
    await res.body?.cancel();
    throw new ProtocolError(`response of ${declared} bytes exceeds the ${max}-byte limit`);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new ProtocolError(`response exceeds the ${max}-byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    if (e.name === 'TimeoutError') return 'timed out';
    if (e.name === 'AbortError') return 'aborted';
    return cause?.code ?? cause?.message ?? e.message;
  }
  return String(e);
}
