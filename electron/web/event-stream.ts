// Server-sent events: each desk push event becomes `event: <name>` + `data: <json>`. A comment line
// every `heartbeatMs` keeps idle proxies and the browser from timing the stream out.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeskDispatcher } from '../../shared/desk-api';
import { SECURITY_HEADERS } from '../common/renderer-security';

export type EventStreams = {
  open(req: IncomingMessage, res: ServerResponse): void;
  closeAll(): void;
  count(): number;
};

export function createEventStreams(dispatcher: DeskDispatcher, heartbeatMs = 15_000): EventStreams {
  const live = new Set<() => void>();

  return {
    open(req, res) {
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write('retry: 2000\n\n');
      const off = dispatcher.onEvent((name, payload) => {
        res.write(`event: ${name}\ndata: ${JSON.stringify(payload ?? null)}\n\n`);
      });
      const beat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
      beat.unref();
      let done = false;
      const end = () => {
        if (done) return;
        done = true;
        off();
        clearInterval(beat);
        live.delete(end);
        if (!res.writableEnded) res.end();
      };
      live.add(end);
      req.on('close', end);
      res.on('error', end);
    },
    closeAll() {
      for (const end of [...live]) end();
    },
    count: () => live.size,
  };
}
