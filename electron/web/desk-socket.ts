// Browser mode's persistent transport (issue 15 gap 2): one WebSocket per page at GET /desk, carrying the
// same framing as Electron's MessagePort ({ id, method, input } in, { id, result } out), answered by the same
// dispatcher. Calls only: push events stay on server-sent events (/events), which the page keeps open whatever
// carries its calls. A call then costs one message each way on a connection that stays
// open, not an HTTP request with its headers, routing and a fetch in the page. Checked without zod (as the
// rest of this folder at load: `npm start` prints its URL before the schemas load); the dispatcher parses
// every input with the method's schema, as for /rpc.
// The same guards as /rpc: our Host only, our Origin only (a browser always sends it on a WebSocket, so a
// page of another site is refused), and the launch token (in the query: a browser's WebSocket cannot send
// headers), compared in constant time.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { DeskDispatcher, DeskResult } from '../../shared/desk-api';
import { tokenMatches } from './launch-token';
import { checkHost, checkOrigin } from './origin-guard';
import { acceptKey, closeFrame, createFrameReader, isClientKey, pongFrame, textFrame, CLOSE_INVALID_DATA, CLOSE_NORMAL } from './ws-frames';

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

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== DESK_SOCKET_PATH) return refuse(socket, 404, 'Not Found', `no socket at ${url.pathname}`);
    const host = checkHost(req.headers.host, opts.port());
    if (!host.ok) return refuse(socket, 403, 'Forbidden', host.reason);
    const origin = checkOrigin(req.headers.origin, req.headers.host ?? '', opts.port());
    if (!origin.ok) return refuse(socket, 403, 'Forbidden', origin.reason);
    if (!tokenMatches(opts.token, url.searchParams.get('token'))) return refuse(socket, 401, 'Unauthorized', 'missing or wrong launch token; open the launch URL again');
    const key = req.headers['sec-websocket-key'];
    if (req.method !== 'GET' || req.headers.upgrade?.toLowerCase() !== 'websocket' || req.headers['sec-websocket-version'] !== '13' || !isClientKey(key)) {
      return refuse(socket, 400, 'Bad Request', 'not a WebSocket (version 13) handshake');
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${acceptKey(key)}\r\n\r\n`);
    // Small messages both ways: send each at once.
    (socket as Duplex & { setNoDelay?(on: boolean): void }).setNoDelay?.(true);
    serve(socket, head);
  });

  function serve(socket: Duplex, head: Buffer): void {
    const reader = createFrameReader(opts.maxMessageBytes);
    let open = true;
    const post = (message: unknown) => {
      if (open && !socket.destroyed) socket.write(textFrame(JSON.stringify(message)));
    };
    const end = (code: number) => {
      if (!open) return;
      open = false;
      live.delete(stop);
      if (!socket.destroyed) socket.end(closeFrame(code));
    };
    const stop = () => end(CLOSE_NORMAL);
    live.add(stop);
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
    const take = (chunk: Buffer) => {
      for (const ev of reader.push(chunk)) {
        if (ev.kind === 'text') {
          let data: unknown;
          try {
            data = JSON.parse(ev.text);
          } catch {
            return end(CLOSE_INVALID_DATA);
          }
          call(data);
        } else if (ev.kind === 'ping') {
          if (open) socket.write(pongFrame(ev.payload));
        } else if (ev.kind === 'close') return end(CLOSE_NORMAL);
        else if (ev.kind === 'error') return end(ev.code);
      }
    };
    socket.on('data', take);
    socket.on('close', () => end(CLOSE_NORMAL));
    if (head.length > 0) take(head);
  }

  return {
    count: () => live.size,
    closeAll() {
      for (const stop of [...live]) stop();
    },
  };
}
