// A raw HTTP client for browser-mode tests: node:http lets a test send any Host and Origin header,
// which fetch() would not.
import { request } from 'node:http';

export type RawResponse = { status: number; headers: Record<string, string | string[] | undefined>; body: string; json(): unknown };

export function rawRequest(opts: {
  port: number;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: opts.port,
        method: opts.method ?? 'GET',
        path: opts.path,
        headers: { host: `127.0.0.1:${opts.port}`, ...opts.headers },
        setHost: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
        });
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export function rpc(port: number, token: string | null, method: string, input: unknown, headers: Record<string, string> = {}) {
  return rawRequest({
    port,
    method: 'POST',
    path: `/rpc/${method}`,
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: JSON.stringify(input),
  });
}

/** Opens /events and collects parsed `event:`/`data:` frames until `until` says stop or the timeout. */
export function collectEvents(
  port: number,
  path: string,
  until: (events: { event: string; data: unknown }[]) => boolean,
  timeoutMs = 10_000,
  onOpen?: () => void,
): Promise<{ status: number; contentType: string | undefined; events: { event: string; data: unknown }[]; endedBy: 'server' | 'client' | 'timeout' }> {
  return new Promise((resolve, reject) => {
    const events: { event: string; data: unknown }[] = [];
    const req = request({ host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream' } }, (res) => {
      let buf = '';
      const finish = (endedBy: 'server' | 'client' | 'timeout') => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], events, endedBy });
      };
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      onOpen?.();
      if (res.statusCode !== 200) {
        res.resume();
        return finish('client');
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let idx: number;
        while ((idx = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, idx);
          buf = buf.slice(idx + 2);
          const name = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (name && data !== undefined) events.push({ event: name, data: JSON.parse(data) });
        }
        if (until(events)) finish('client');
      });
      res.on('end', () => finish('server'));
    });
    req.on('error', reject);
    req.end();
  });
}
