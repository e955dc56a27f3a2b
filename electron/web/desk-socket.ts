// Browser mode's persistent transport (issue 15 gap 2): one WebSocket per page at GET /desk, carrying the
// same framing as Electron's MessagePort ({ id, method, input } in, { id, result } out), answered by the same
// dispatcher. Calls only: push events stay on server-sent events (/events), which the page keeps open whatever
// carries its calls. A call then costs one message each way on a connection that stays
// open, not an HTTP request with its headers, routing and a fetch in the page. Checked without zod (as the
// rest of this folder at load: `npm start` prints its URL before the schemas load); the dispatcher parses
// every input with the method's schema, as for /rpc.
// The same guards as /rpc: our Host only, our Origin only (a browser always sends it on a WebSocket, so a
// page of another site is refused), and the launch token (in the query: a browser's WebSocket cannot send
// headers), compared in constant time. The protocol itself (handshake, framing, masking, fragmentation,
// ping/pong, size limit, UTF-8) is the `ws` package's, loaded at the first upgrade so it costs the start
// nothing.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { DeskDispatcher, DeskResult } from '../../shared/desk-api';
import { tokenMatches } from './launch-token';
import { checkHost, checkOrigin } from './origin-guard';

/** RFC 6455 §7.4.1 close codes the desk socket sends itself (`ws` sends the protocol's own). */
const CLOSE_NORMAL = 1000;
const CLOSE_UNSUPPORTED_DATA = 1003;
const CLOSE_INVALID_DATA = 1007;

export const DESK_SOCKET_PATH = '/desk';

export interface DeskSockets {
  count(): number;
  closeAll(): void;
}

function refuse(socket: Duplex, status: number, text: string, reason: string): void {
  const body = JSON.stringify({ ok: false, error: { code: status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : 'bad_input', message: reason } });
  socket.end(`HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/** Serves the desk socket on `server`'s upgrade requests; other upgrade paths are refused. */
export function attachDeskSockets(server: Server, opts: { core: DeskDispatcher; token: string; port: () => number; maxMessageBytes: number }): DeskSockets {
  const live = new Set<() => void>();

  let sockets: Promise<WebSocketServer> | null = null;
  const socketServer = () => (sockets ??= import('ws').then(({ WebSocketServer }) =>
    new WebSocketServer({ noServer: true, maxPayload: opts.maxMessageBytes, perMessageDeflate: false, clientTracking: false })));

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== DESK_SOCKET_PATH) return refuse(socket, 404, 'Not Found', `no socket at ${url.pathname}`);
    const host = checkHost(req.headers.host, opts.port());
    if (!host.ok) return refuse(socket, 403, 'Forbidden', host.reason);
    const origin = checkOrigin(req.headers.origin, req.headers.host ?? '', opts.port());
    if (!origin.ok) return refuse(socket, 403, 'Forbidden', origin.reason);
    if (!tokenMatches(opts.token, url.searchParams.get('token'))) return refuse(socket, 401, 'Unauthorized', 'missing or wrong launch token; open the launch URL again');
    // `ws` answers a handshake that is not WebSocket version 13 with a 400 of its own.
    void socketServer().then((wss) => {
      if (socket.destroyed) return;
      wss.handleUpgrade(req, socket, head, (ws) => {
        // Small messages both ways: send each at once.
        (socket as Duplex & { setNoDelay?(on: boolean): void }).setNoDelay?.(true);
        serve(ws);
      });
    });
  });

  function serve(ws: WebSocket): void {
    const post = (message: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const stop = () => ws.close(CLOSE_NORMAL);
    live.add(stop);
    ws.on('close', () => live.delete(stop));
    // A protocol error (an unmasked frame, a message over the limit, bad UTF-8): `ws` closes with its code.
    ws.on('error', () => live.delete(stop));
    const call = (data: unknown) => {
      const req = data as { id?: unknown; method?: unknown; input?: unknown } | null;
      const id = req && typeof req === 'object' ? req.id : undefined;
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return; // no id to answer: nothing to do
      if (typeof req!.method !== 'string' || req!.method.length > 100) {
        return post({ id, result: { ok: false, error: { code: 'bad_input', message: 'malformed desk request: method must be a name' } } });
      }
      // Calls start in arrival order, at once (as over Electron's port); the dispatcher never throws, but a core
      // that did still answers the page.
      const internal = (e: unknown): DeskResult<unknown> => ({ ok: false, error: { code: 'internal', message: e instanceof Error ? e.message : String(e) } });
      let answer: Promise<DeskResult<unknown>>;
      try {
        answer = Promise.resolve(opts.core.call(req!.method, req!.input === undefined ? {} : req!.input));
      } catch (e) {
        answer = Promise.resolve(internal(e));
      }
      void answer.catch(internal).then((result) => post({ id, result }));
    };
    ws.on('message', (raw, isBinary) => {
      if (isBinary) return ws.close(CLOSE_UNSUPPORTED_DATA);
      let data: unknown;
      try {
        // binaryType is `ws`'s default, nodebuffer: a whole message (its fragments joined) is one Buffer.
        data = JSON.parse((raw as Buffer).toString('utf8'));
      } catch {
        return ws.close(CLOSE_INVALID_DATA);
      }
      call(data);
    });
  }

  return {
    count: () => live.size,
    closeAll() {
      for (const stop of [...live]) stop();
    },
  };
}
