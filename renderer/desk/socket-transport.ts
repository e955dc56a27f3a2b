// Browser mode's persistent transport (issue 15 gap 2): desk calls over one WebSocket to electron/web's
// GET /desk, framed as over Electron's MessagePort ({ id, method, input } out, { id, result } back). A call is
// one small message each way on a connection that stays open, instead of a fetch with its request, headers
// and response body per call. Push events still come over server-sent events (the http transport's).
//
// The socket is a fast path, never a requirement: calls made while it connects, or when it cannot connect or
// dropped, go over HTTP (the fallback), and it is tried again a while later. A call in flight
// on a socket that drops is answered `desk_unreachable`, as a fetch that lost its connection is: the core
// may or may not have run it, and the renderer re-reads rather than assume. While the socket is open and no call
// is still on its way over HTTP, calls reach the core in the order made (`ordered`): the triage queue then sends
// a key's call without waiting for the previous answer, so several may be in flight when it drops.
import type { DeskEventName, DeskResult, ShellEventName } from '../../shared/desk-api';
import { DESK_METHOD_NAMES } from '../../shared/desk-names';
import type { DeskTransport } from './transport';

export interface SocketTransportOptions {
  /** ws://127.0.0.1:<port>/desk?token=<launch token> */
  url: string;
  /** The http transport: events, calls while the socket is down, and the boot's early answers. */
  fallback: DeskTransport;
  /** Whether an early answer waits for this call (desk/early-calls.ts): the fallback takes it. */
  hasEarlyAnswer?(method: string, input: unknown): boolean;
  WebSocketImpl?: typeof WebSocket;
  /** Wait before trying a dropped or refused socket again (default 2 s). */
  retryMs?: number;
  setTimer?(fn: () => void, ms: number): unknown;
}

/** The socket URL of a browser-mode page: same host and port, the launch token in the query. */
export function deskSocketUrl(origin: string, token: string): string {
  return `${origin.replace(/^http/, 'ws').replace(/\/$/, '')}/desk?token=${encodeURIComponent(token)}`;
}

type Reply = { id: number; result: DeskResult<unknown> };

/** A reply as the core frames it; checked by hand, not with zod (which stays out of the renderer bundle). */
function asReply(v: unknown): Reply | null {
  if (!v || typeof v !== 'object') return null;
  const { id, result } = v as { id?: unknown; result?: unknown };
  if (typeof id !== 'number' || !result || typeof result !== 'object' || typeof (result as { ok?: unknown }).ok !== 'boolean') return null;
  if (!(result as { ok: boolean }).ok) {
    const err = (result as { error?: { code?: unknown; message?: unknown } }).error;
    if (!err || typeof err.code !== 'string' || typeof err.message !== 'string') return null;
  }
  return { id, result: result as DeskResult<unknown> };
}

export function createSocketTransport(opts: SocketTransportOptions): DeskTransport {
  const WS = opts.WebSocketImpl ?? WebSocket;
  const retryMs = opts.retryMs ?? 2000;
  const setTimer = opts.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  let socket: WebSocket | null = null;
  let state: 'connecting' | 'open' | 'down' = 'down';
  let retryPending = false;
  let nextId = 1;
  /** Calls given to the fallback (HTTP), not answered yet: while any is, a call on the socket may overtake it. */
  let viaFallback = 0;
  const fallbackCall = (method: string, input: unknown): Promise<DeskResult<unknown>> => {
    viaFallback++;
    const answer = opts.fallback.call(method, input);
    void answer.finally(() => { viaFallback--; }).catch(() => undefined);
    return answer;
  };
  /** Sent on the socket, not answered yet. */
  const inFlight = new Map<number, (r: DeskResult<unknown>) => void>();

  const send = (method: string, input: unknown, resolve: (r: DeskResult<unknown>) => void) => {
    const id = nextId++;
    inFlight.set(id, resolve);
    try {
      socket!.send(JSON.stringify({ id, method, input: input ?? {} }));
    } catch {
      inFlight.delete(id);
      void fallbackCall(method, input).then(resolve);
    }
  };

  const down = () => {
    if (state === 'down') return;
    state = 'down';
    socket = null;
    for (const [id, resolve] of inFlight) {
      inFlight.delete(id);
      resolve({ ok: false, error: { code: 'desk_unreachable', message: 'The connection to the desk process closed while this call was running; check the item and try again' } });
    }
    if (!retryPending) {
      retryPending = true;
      setTimer(() => {
        retryPending = false;
        connect();
      }, retryMs);
    }
  };

  function connect(): void {
    if (state !== 'down') return;
    let ws: WebSocket;
    try {
      ws = new WS(opts.url);
    } catch {
      state = 'connecting';
      down();
      return;
    }
    socket = ws;
    state = 'connecting';
    ws.onopen = () => {
      if (socket !== ws) return;
      state = 'open';
    };
    ws.onmessage = (e: MessageEvent) => {
      let data: unknown;
      try {
        data = JSON.parse(String(e.data));
      } catch {
        return;
      }
      const id = (data as { id?: unknown } | null)?.id;
      const resolve = typeof id === 'number' ? inFlight.get(id) : undefined;
      if (!resolve) return;
      inFlight.delete(id as number);
      // An answer in a shape the page cannot read still ends its call, as over HTTP: a call left waiting would
      // hold the renderer's serial queue, and every later decision behind it, for good.
      resolve(asReply(data)?.result ?? { ok: false, error: { code: 'internal', message: 'The desk answered this call with an unexpected message' } });
    };
    ws.onclose = () => {
      if (socket === ws) down();
    };
    ws.onerror = () => {
      if (socket === ws) down();
    };
  }

  connect();

  return {
    kind: 'http',
    call(method, input) {
      if (!(DESK_METHOD_NAMES as readonly string[]).includes(method)) {
        return Promise.resolve({ ok: false, error: { code: 'unknown_method', message: `The desk has no method ${method}` } });
      }
      // Not open yet (the first moments of a page load) or down: HTTP, at once; nothing waits for the socket.
      if (state !== 'open' || opts.hasEarlyAnswer?.(method, input)) return fallbackCall(method, input);
      // Sent now, in the caller's task (a decision before the next item renders).
      return new Promise((resolve) => send(method, input, resolve));
    },
    // The socket is one ordered channel, and the core starts its calls in arrival order (electron/web/desk-socket.ts);
    // a call still on its way over HTTP could be overtaken.
    ordered: () => state === 'open' && viaFallback === 0,
    on(event: DeskEventName | ShellEventName, listener) {
      return opts.fallback.on(event, listener);
    },
  };
}
