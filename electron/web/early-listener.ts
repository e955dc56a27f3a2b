// A loopback listener taken before the HTTP app exists, so `npm start` can print the launch URL (and the browser
// can open its tab and send its first request) while Fastify and browser mode are still loading (issue 15 gap 4).
// Connections that arrive meanwhile wait paused, unread, and are served by the app once it is handed the
// listener: nothing is answered before every guard of browser mode is in place.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';

/** Browser mode listens on loopback only (README: why it is safe on a shared machine). */
export const LOOPBACK_HOST = '127.0.0.1';

export interface EarlyListener {
  port: number;
  /** From now on `http` serves every connection, the ones that arrived before included. Once only. */
  handOver(http: HttpServer): void;
  /** Connections accepted and waiting for the hand-over. */
  waiting(): number;
  /** Stops accepting and closes every connection it accepted, handed over or still waiting. */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1:`port` (0: a free port). */
export async function listenEarly(port: number): Promise<EarlyListener> {
  const waiting: Socket[] = [];
  // Every connection still open: an HTTP server that never listened does not track (nor close) its connections.
  const open = new Set<Socket>();
  let serve: ((socket: Socket) => void) | null = null;
  // pauseOnConnect: no byte is read until the HTTP server has the socket (its parser reads from there).
  const server: Server = createServer({ pauseOnConnect: true }, (socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    if (serve) serve(socket);
    else waiting.push(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let closing: Promise<void> | null = null;
  return {
    port: (server.address() as AddressInfo).port,
    waiting: () => waiting.length,
    handOver(http) {
      if (serve) throw new Error('this listener was already handed over');
      serve = (socket) => {
        http.emit('connection', socket);
        socket.resume();
      };
      for (const socket of waiting.splice(0)) serve(socket);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        waiting.length = 0;
        for (const socket of open) socket.destroy();
      });
      return closing;
    },
  };
}
