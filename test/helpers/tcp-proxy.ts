// A loopback TCP proxy in front of the reference server for fault tests. The test controls it: cut every
// connection, refuse new ones, stall (accept but forward nothing for a while), and drop a response after
// the server committed it (forward the request, swallow the response bytes, destroy the client socket).
// It keeps its own port while the server behind it restarts on another one (setTarget).
import net from 'node:net';

export interface ProxyStats {
  connections: number;
  cuts: number;
  refused: number;
  stalls: number;
  /** Requests matched by a drop rule and forwarded to the server. */
  dropsArmed: number;
  /** Responses swallowed after the server answered (so after it committed). */
  responsesDropped: number;
}

export interface TcpProxy {
  readonly url: string;
  readonly port: number;
  readonly stats: ProxyStats;
  /** Point the proxy at a (restarted) server; open connections to the old one are cut. */
  setTarget(port: number, host?: string): void;
  /** Destroy every open connection, both sides. */
  cutAll(): number;
  /** While on, new connections are accepted and destroyed at once (a dead network path). */
  setRefusing(on: boolean): void;
  /** Accept, but forward nothing either way for `ms`; then flush (or cut, with thenCut). */
  stall(ms: number, opts?: { thenCut?: boolean }): Promise<void>;
  /**
   * The next `count` requests whose request line matches `requestLine` (e.g. /^POST \/v1\/sync\/push/) are
   * forwarded, and their responses swallowed: the client socket is destroyed as the first response byte
   * arrives.
   */
  dropResponses(requestLine: RegExp, count?: number): void;
  /**
   * Calls `listener` as each request whose request line matches arrives, before it is forwarded (so a test
   * can act at the Nth push or pull, an event count rather than a sleep). Returns the unsubscribe.
   */
  onRequest(requestLine: RegExp, listener: (line: string) => void): () => void;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  dropArmed: boolean;
  heldToUpstream: Buffer[];
  heldToClient: Buffer[];
}

export async function startTcpProxy(opts: { targetPort: number; targetHost?: string; port?: number }): Promise<TcpProxy> {
  let targetPort = opts.targetPort;
  let targetHost = opts.targetHost ?? '127.0.0.1';
  let refusing = false;
  let stalled = false;
  const dropRules: { re: RegExp; left: number }[] = [];
  const taps = new Set<{ re: RegExp; listener: (line: string) => void }>();
  const pairs = new Set<Pair>();
  const stats: ProxyStats = { connections: 0, cuts: 0, refused: 0, stalls: 0, dropsArmed: 0, responsesDropped: 0 };

  const destroyPair = (p: Pair): void => {
    pairs.delete(p);
    p.client.destroy();
    p.upstream.destroy();
  };

  // HTTP/1.1 clients write each request's head in one chunk; its first line names method and path.
  const firstLineOf = (chunk: Buffer): string => chunk.subarray(0, Math.min(chunk.length, 300)).toString('latin1').split('\r\n', 1)[0];

  const armDropIfMatches = (p: Pair, firstLine: string): void => {
    for (const rule of dropRules) {
      if (rule.left > 0 && rule.re.test(firstLine)) {
        rule.left -= 1;
        p.dropArmed = true;
        stats.dropsArmed += 1;
        return;
      }
    }
  };

  const toUpstream = (p: Pair, chunk: Buffer): void => {
    const firstLine = firstLineOf(chunk);
    for (const tap of [...taps]) if (tap.re.test(firstLine)) tap.listener(firstLine);
    armDropIfMatches(p, firstLine);
    if (stalled) p.heldToUpstream.push(chunk);
    else p.upstream.write(chunk);
  };

  const toClient = (p: Pair, chunk: Buffer): void => {
    if (p.dropArmed) {
      stats.responsesDropped += 1;
      destroyPair(p);
      return;
    }
    if (stalled) p.heldToClient.push(chunk);
    else p.client.write(chunk);
  };

  const server = net.createServer((client) => {
    stats.connections += 1;
    client.on('error', () => undefined);
    if (refusing) {
      stats.refused += 1;
      client.destroy();
      return;
    }
    const upstream = net.connect({ port: targetPort, host: targetHost });
    upstream.on('error', () => undefined);
    const pair: Pair = { client, upstream, dropArmed: false, heldToUpstream: [], heldToClient: [] };
    pairs.add(pair);
    client.on('data', (c: Buffer) => toUpstream(pair, c));
    upstream.on('data', (c: Buffer) => toClient(pair, c));
    client.on('close', () => destroyPair(pair));
    upstream.on('close', () => {
      // Deliver what the server sent before closing (end, not destroy, flushes it), unless we hold it.
      if (pair.dropArmed) destroyPair(pair);
      else if (!stalled) {
        pairs.delete(pair);
        client.end();
      }
    });
  });
  server.on('error', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  const cutAll = (): number => {
    const n = pairs.size;
    for (const p of [...pairs]) destroyPair(p);
    stats.cuts += 1;
    return n;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats,
    setTarget(newPort, host) {
      targetPort = newPort;
      if (host) targetHost = host;
      cutAll();
    },
    cutAll,
    setRefusing(on) {
      refusing = on;
    },
    async stall(ms, stallOpts) {
      stats.stalls += 1;
      stalled = true;
      await new Promise((r) => setTimeout(r, ms));
      stalled = false;
      for (const p of [...pairs]) {
        if (stallOpts?.thenCut) {
          destroyPair(p);
          continue;
        }
        for (const c of p.heldToUpstream.splice(0)) p.upstream.write(c);
        for (const c of p.heldToClient.splice(0)) p.client.write(c);
        if (p.upstream.destroyed) {
          pairs.delete(p);
          p.client.end();
        }
      }
    },
    dropResponses(requestLine, count = 1) {
      dropRules.push({ re: requestLine, left: count });
    },
    onRequest(requestLine, listener) {
      const tap = { re: requestLine, listener };
      taps.add(tap);
      return () => taps.delete(tap);
    },
    async close() {
      for (const p of [...pairs]) destroyPair(p);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
