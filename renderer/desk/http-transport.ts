// Browser mode (electron/web): POST /rpc/<method> with the launch token; events over SSE.
import type { DeskEventName, DeskResult, ShellEventName } from '../../shared/desk-api';
import { DESK_EVENT_NAMES, DESK_METHOD_NAMES } from '../../shared/desk-names';
import type { DeskTransport } from './transport';

export interface HttpTransportOptions {
  baseUrl: string;
  token: string;
  fetchImpl?: typeof fetch;
  EventSourceImpl?: typeof EventSource;
  /**
   * The response of a call this page load already sent for the same method and input (early-calls.ts),
   * taken once; undefined, or null (it failed to reach the desk), and the transport sends the call itself.
   */
  earlyResponse?(method: string, input: unknown): Promise<Response | null> | undefined;
}

/** The request of one desk call: POST /rpc/<method>, the input as JSON, the launch token as Bearer. */
export function rpcRequest(baseUrl: string, token: string, method: string, input: unknown): [string, RequestInit] {
  return [`${baseUrl.replace(/\/$/, '')}/rpc/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(input ?? {}),
  }];
}

function isDeskResult(v: unknown): v is DeskResult<unknown> {
  if (!v || typeof v !== 'object' || typeof (v as { ok?: unknown }).ok !== 'boolean') return false;
  if ((v as { ok: boolean }).ok) return true;
  const err = (v as { error?: { code?: unknown; message?: unknown } }).error;
  return !!err && typeof err.code === 'string' && typeof err.message === 'string';
}

export function createHttpTransport(opts: HttpTransportOptions): DeskTransport {
  const base = opts.baseUrl.replace(/\/$/, '');
  const doFetch = opts.fetchImpl ?? fetch.bind(globalThis);
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let source: EventSource | null = null;

  const ensureSource = () => {
    if (source) return;
    const ES = opts.EventSourceImpl ?? EventSource;
    // EventSource cannot send headers, so the token travels in the query (same origin, loopback only).
    source = new ES(`${base}/events?token=${encodeURIComponent(opts.token)}`);
    for (const name of DESK_EVENT_NAMES) {
      source.addEventListener(name, (e) => {
        let payload: unknown;
        try {
          payload = JSON.parse((e as MessageEvent<string>).data);
        } catch {
          return;
        }
        for (const l of listeners.get(name) ?? []) l(payload);
      });
    }
  };

  return {
    kind: 'http',
    async call(method, input) {
      if (!(DESK_METHOD_NAMES as readonly string[]).includes(method)) {
        return { ok: false, error: { code: 'unknown_method', message: `The desk has no method ${method}` } };
      }
      let res: Response;
      try {
        // No early answer to take: the request leaves now, in the caller's task (a decision's call before the next
        // item renders), not after an await of nothing.
        const early = opts.earlyResponse?.(method, input);
        res = (early && (await early)) ?? (await doFetch(...rpcRequest(base, opts.token, method, input)));
      } catch (e) {
        return { ok: false, error: { code: 'desk_unreachable', message: `The desk process is not reachable (${e instanceof Error ? e.message : String(e)})` } };
      }
      let body: unknown;
      try {
        body = await res.json();
      } catch {
        return { ok: false, error: { code: 'internal', message: `The desk answered ${res.status} without a JSON body` } };
      }
      if (isDeskResult(body)) return body;
      return { ok: false, error: { code: 'internal', message: `The desk answered ${res.status} with an unexpected body` } };
    },
    on(event: DeskEventName | ShellEventName, listener) {
      // Browser mode has no shell: its events never come, and asking for them opens no stream.
      if (!(DESK_EVENT_NAMES as readonly string[]).includes(event)) return () => undefined;
      ensureSource();
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
  };
}
