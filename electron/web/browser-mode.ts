// Browser mode (DESIGN.md §4): the built renderer and the core's dispatcher over HTTP on 127.0.0.1,
// for machines where Electron cannot run and for end-to-end tests. Every request passes the Host and
// Origin checks; /rpc and /events also need the per-launch token (a hook on those routes, see requireLaunchKey).
import { createReadStream } from 'node:fs';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
// The names and the limit without the zod schemas (shared/desk-names.ts, bundle-limits.ts): `npm start` loads this
// before printing its launch URL, and the schemas after it (issue 15 gap 4).
import { MAX_BUNDLE_BASE64 } from '../../shared/bundle-limits';
import type { DeskDispatcher } from '../../shared/desk-api';
import { DESK_METHOD_NAMES } from '../../shared/desk-names';
import { contentTypeFor } from '../common/content-types';
import { attachDeskSockets } from './desk-socket';
import { createEventStreams } from './event-stream';
import { bearerToken, newLaunchToken, tokenMatches } from './launch-token';
import { checkHost, checkOrigin } from './origin-guard';
import { SECURITY_HEADERS } from '../common/renderer-security';
import { createStaticResolver } from './static-files';
import { refusal } from './transport-errors';

export type BrowserModeOptions = {
  /** The core (or anything that speaks the desk dispatcher contract). Not closed by `close()`. */
  core: DeskDispatcher;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  /** 0 or omitted: a free port. */
  port?: number;
  /** Largest accepted RPC body, bytes. */
  bodyLimit?: number;
  /** Fixed token, for tests that need to know it in advance; normally a fresh random one. */
  token?: string;
  heartbeatMs?: number;
};

export type BrowserMode = {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** The URL to open: carries the launch token in the fragment (never sent to the server). */
  launchUrl: string;
  token: string;
  close(): Promise<void>;
};

const HOST = '127.0.0.1';
const DEFAULT_BODY_LIMIT = 1024 * 1024;
const KNOWN_METHODS = new Set<string>(DESK_METHOD_NAMES);
const FILE_METHODS = ['bundles.importWork', 'bundles.importReceipt'] as const;
const FILE_BODY_LIMIT = MAX_BUNDLE_BASE64 + 64 * 1024;

export async function startBrowserMode(opts: BrowserModeOptions): Promise<BrowserMode> {
  const token = opts.token ?? newLaunchToken();
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const resolveStatic = await createStaticResolver(opts.staticDir);
  const streams = createEventStreams(opts.core, opts.heartbeatMs);
  const app = Fastify({ logger: false, bodyLimit, forceCloseConnections: true, return503OnClosing: true });
  let port = 0;

  // Only JSON bodies: a cross-site form cannot send application/json without a CORS preflight,
  // which we never grant.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      const err = new Error('request body is not valid JSON') as FastifyError;
      err.statusCode = 400;
      err.code = 'BAD_JSON';
      done(err, undefined);
    }
  });

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    reply.headers(SECURITY_HEADERS);
    const host = checkHost(req.headers.host, port);
    if (!host.ok) return reply.code(403).send(refusal('forbidden', host.reason));
    const origin = checkOrigin(req.headers.origin, req.headers.host ?? '', port);
    if (!origin.ok) return reply.code(403).send(refusal('forbidden', origin.reason));
  });

  // The launch key is checked on the route the router matched, never on the raw request line: the router
  // decodes and normalises the path (percent-encoding, an absolute-form request line), so a test of the raw
  // URL can disagree with what runs. Every route that reaches the core carries this hook.
  const requireLaunchKey = async (req: FastifyRequest, reply: FastifyReply) => {
    const presented = req.routeOptions.url === '/events'
      ? (req.query as Record<string, string | undefined>).token
      : bearerToken(req.headers.authorization);
    if (!tokenMatches(token, presented)) {
      return reply.code(401).send(refusal('unauthorized', 'missing or wrong launch token; open the launch URL again'));
    }
  };

  const rpc = async (method: string, req: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
    if (!KNOWN_METHODS.has(method)) return reply.code(404).send(refusal('unknown_method', `no desk method '${method}'`));
    try {
      return reply.code(200).send(await opts.core.call(method, req.body ?? {}));
    } catch (e) {
      // The dispatcher promises never to throw; if it does anyway, the renderer still gets a DeskResult.
      return reply.code(200).send(refusal('internal', e instanceof Error ? e.message : String(e)));
    }
  };
  app.post('/rpc/:method', { onRequest: requireLaunchKey }, (req, reply) => rpc((req.params as { method: string }).method, req, reply));
  // Bundle files travel as base64 inside the call (DESIGN §11): only these methods take the bundle-sized limit.
  for (const method of FILE_METHODS) {
    app.post(`/rpc/${method}`, { bodyLimit: FILE_BODY_LIMIT, onRequest: requireLaunchKey }, (req, reply) => rpc(method, req, reply));
  }

  app.get('/events', { onRequest: requireLaunchKey }, (req, reply) => {
    reply.hijack();
    streams.open(req.raw, reply.raw);
  });

  app.get('/*', async (req, reply) => {
    const found = await resolveStatic(req.url.split('?')[0]);
    if (found.kind === 'bad_path') return reply.code(400).type('text/plain; charset=utf-8').send('bad path');
    if (found.kind === 'not_found') return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    reply
      .type(contentTypeFor(found.path))
      .header('content-length', found.size)
      .header('cache-control', found.isIndex ? 'no-store' : 'no-cache');
    return reply.send(found.body ?? createReadStream(found.path));
  });

  app.setNotFoundHandler((req, reply) => {
    const onRpc = req.url.startsWith('/rpc/');
    reply.code(404).send(refusal(onRpc ? 'unknown_method' : 'not_found', `${req.method} ${req.url.split('?')[0]} is not served here`));
  });

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    const status = err.statusCode ?? 500;
    if (status === 413) return reply.code(413).send(refusal('bad_input', `request body exceeds ${bodyLimit} bytes`));
    if (status === 415) return reply.code(415).send(refusal('bad_input', 'send the input as application/json'));
    if (status >= 400 && status < 500) return reply.code(status).send(refusal('bad_input', err.message));
    return reply.code(500).send(refusal('internal', err.message));
  });

  // The persistent transport (GET /desk, a WebSocket): the same guards, the same dispatcher, one connection.
  const sockets = attachDeskSockets(app.server, { core: opts.core, token, port: () => port, maxMessageBytes: FILE_BODY_LIMIT });

  await app.listen({ host: HOST, port: opts.port ?? 0 });
  port = (app.server.address() as AddressInfo).port;
  const url = `http://${HOST}:${port}`;

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    token,
    launchUrl: `${url}/#launch=${token}`,
    close() {
      closing ??= (async () => {
        streams.closeAll();
        sockets.closeAll();
        await app.close();
      })();
      return closing;
    },
  };
}
