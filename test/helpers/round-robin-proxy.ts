// A loopback TCP load balancer for multi-node tests: each new client connection goes to the next server of
// the list, round robin, the way any L4 balancer spreads keep-alive HTTP connections over API nodes. A
// connection to a dead node is closed at once (the client sees a dropped connection and retries; its next
// connection goes to the next node). Counts connections per node so a test can show the load was spread.
import net from 'node:net';

export interface RoundRobinProxy {
  readonly url: string;
  /** Connections handed to each target, in target order. */
  readonly perTarget: number[];
  close(): Promise<void>;
}

export async function startRoundRobinProxy(targetPorts: number[]): Promise<RoundRobinProxy> {
  let next = 0;
  const perTarget = targetPorts.map(() => 0);
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const k = next;
    next = (next + 1) % targetPorts.length;
    perTarget[k] += 1;
    const upstream = net.connect({ port: targetPorts[k], host: '127.0.0.1' });
    open.add(client);
    open.add(upstream);
    const drop = () => { client.destroy(); upstream.destroy(); open.delete(client); open.delete(upstream); };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', () => { client.end(); open.delete(upstream); });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    perTarget,
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
