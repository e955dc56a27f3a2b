// Builds and starts the reference central API: Fastify + the route table + the database.
import { openServerLog } from './log';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Queue, Role } from '../shared/domain';
import { DEFAULT_BODY_LIMIT } from '../shared/limits';
import { openDatabase, redactDbTarget, type OpenedDatabase } from './db/connection';
import { buildOpenApi } from './openapi';
import { isTransientDbError, ProblemError } from './problem';
import { apiRoutes } from './routes';
import { registerRoutes } from './routes/register';
import type { FaultHooks, ServerContext } from './services/context';
import { BackgroundTasks } from './services/background-tasks';
import { sweepExpiredLeases } from './services/leases';
import { compactOlderThan } from './services/pull';
import { upsertQueue } from './services/queues';
import { createUser } from './services/users';
import { seedDemo } from './seed/demo';

export { DEFAULT_BODY_LIMIT };

export interface StartServerOptions {
  /** A SQLite file path, or a postgres:// URL (PostgreSQL; several nodes may share it). */
  dbFile: string;
  /** PostgreSQL: connections in this node's pool (default 10). */
  poolSize?: number;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  seed?: 'demo';
  /** Log JSON lines to stdout. */
  logger?: boolean;
  /** Also log to rotating files here (server.N.log). */
  logDir?: string;
  now?: () => Date;
  /** How often expired leases are swept (they are also swept before every claim, pull, push and assignment). */
  sweepIntervalMs?: number;
  /** change_log rows older than this are compacted (hourly); older cursors get `reset`. Default 30. */
  changeLogRetentionDays?: number;
  /** Check every response against its zod schema (tests turn this on). */
  validateResponses?: boolean;
  /** Fault injection for tests. */
  faults?: FaultHooks;
  /** Items one user may hold leased at once; default MAX_LEASED_PER_USER (shared/limits.ts). */
  maxLeasedPerUser?: number;
  /** Minutes a deferred item stays away from whoever deferred it; default DEFER_COOLDOWN_MINUTES (shared/defer-policy.ts). */
  deferCooldownMinutes?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
  /** Creates a user (or adds roles) and returns a new token: for tests and tools without the demo seed. */
  addUser(id: string, roles: Role[], displayName?: string): Promise<{ id: string; token: string }>;
  /** Adds or replaces a queue (v1 has no HTTP endpoint for queues). */
  upsertQueue(queue: Queue): Promise<void>;
  /** Runs the expired-lease sweep now; returns how many leases it expired. */
  sweepLeases(): Promise<number>;
  /**
   * Graceful drain (SIGTERM): GET /v1/ready answers 503 at once while every other request is still served,
   * for `ms`, so a load balancer stops routing here; then call close().
   */
  drain(ms: number): Promise<void>;
  app: FastifyInstance;
  database: OpenedDatabase;
}

export async function buildApp(opts: StartServerOptions) {
  const database = await openDatabase(opts.dbFile, { poolSize: opts.poolSize, backgroundCheckpoints: true });
  const now = opts.now ?? (() => new Date());
  try {
    if (opts.seed === 'demo') await seedDemo(database.db, now());
  } catch (err) {
    await database.close();
    throw err;
  }
  const log = await openServerLog({ stdout: opts.logger ?? false, logDir: opts.logDir });
  const app = Fastify({
    ...(log ? { loggerInstance: log.logger as FastifyBaseLogger } : { logger: false }),
    bodyLimit: DEFAULT_BODY_LIMIT,
    // In-flight requests finish on close; new ones get our own 503 problem with Retry-After (the hook below)
    // instead of Fastify's plain JSON.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
  });
  if (log) app.addHook('onClose', async () => log.flush());
  let closing = false;
  app.addHook('onRequest', async () => {
    if (closing) throw new ProblemError('unavailable', 503, 'the server is shutting down; retry shortly', {}, { 'retry-after': '2', connection: 'close' });
  });
  app.addHook('preClose', async () => { closing = true; });
  // A request still in flight when close begins answers with `Connection: close`: close() closes only the
  // connections idle at that moment, so a keep-alive connection that goes idle after its last answer would
  // otherwise hold the process open until keepAliveTimeout (seen on PostgreSQL, where a handler yields to
  // I/O while the signal arrives).
  app.addHook('onSend', async (_request, reply) => { if (closing) reply.header('connection', 'close'); });
  // JSON only: a text/plain body is answered 415 instead of reaching a handler as a string.
  app.removeContentTypeParser('text/plain');
  let draining = false;
  const ctx: ServerContext = {
    db: database.db, dbId: database.dbId, now, log: app.log, faults: opts.faults ?? {},
    notReadyReason: () => (closing ? 'shutting down' : draining ? 'draining before shutdown' : null),
    ...(opts.maxLeasedPerUser !== undefined ? { maxLeasedPerUser: opts.maxLeasedPerUser } : {}),
    ...(opts.deferCooldownMinutes !== undefined ? { deferCooldownMinutes: opts.deferCooldownMinutes } : {}),
    tasks: new BackgroundTasks(app.log),
  };
  // Rollbacks stop after their current batch (resumable by id) before the database closes.
  app.addHook('onClose', async () => { await ctx.tasks?.stopAll(); });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const p = toProblem(err, request.routeOptions.bodyLimit ?? DEFAULT_BODY_LIMIT);
    if (p.problem.status >= 500) request.log.error({ err }, 'request failed');
    return reply.code(p.problem.status).headers(p.headers).type('application/problem+json').send({ ...p.problem, instance: request.url });
  });
  app.setNotFoundHandler((request, reply) => {
    const p = new ProblemError('notFound', 404, `no route ${request.method} ${request.url.split('?')[0]}; see GET /v1/openapi.json`);
    return reply.code(404).type('application/problem+json').send({ ...p.problem, instance: request.url });
  });

  registerRoutes(app, ctx, apiRoutes, { validateResponses: opts.validateResponses ?? false });
  // Built on the first request, not at start: generating every route's JSON Schema is a good part of a
  // server's start (the desk's `npm start` waits for it), and most servers are never asked for it.
  let openapi: ReturnType<typeof buildOpenApi> | null = null;
  app.get('/v1/openapi.json', async () => (openapi ??= buildOpenApi(apiRoutes)));
  return { app, ctx, database, startDraining: () => { draining = true; } };
}

function toProblem(err: FastifyError, bodyLimit: number): ProblemError {
  if (err instanceof ProblemError) return err;
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ProblemError('payloadTooLarge', 413, `request body is larger than this endpoint's limit of ${bodyLimit} bytes; send smaller batches`);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ProblemError('validation', 400, 'malformed JSON in request body: it does not parse as JSON');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ProblemError('validation', 400, 'empty request body: send a JSON object');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ProblemError('validation', 415, 'unsupported Content-Type: send application/json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ProblemError('validation', 400, 'Content-Length does not match the body');
  }
  if (err instanceof SyntaxError) return new ProblemError('validation', 400, `malformed JSON in request body: ${err.message}`);
  if (isTransientDbError(err)) return new ProblemError('unavailable', 503, 'the database is busy; nothing was applied, retry shortly', {}, { 'retry-after': '1' });
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return new ProblemError(err.statusCode === 413 ? 'payloadTooLarge' : 'validation', err.statusCode, err.message);
  }
  return new ProblemError('internal', 500, 'internal server error; the request was not applied');
}

export async function startServer(opts: StartServerOptions): Promise<RunningServer> {
  const { app, ctx, database, startDraining } = await buildApp(opts);
  const host = opts.host ?? '127.0.0.1';
  try {
    await app.listen({ port: opts.port ?? 0, host });
  } catch (err) {
    await database.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port ?? 0;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  // Background work is tracked so close() can wait for it before the database goes away.
  let background: Promise<unknown> = Promise.resolve();
  const inBackground = (what: string, work: () => Promise<unknown>) => {
    background = background.then(work).catch((err: unknown) => app.log.error({ err }, `${what} failed`));
  };
  const timer = setInterval(() => inBackground('lease sweep', () => sweepExpiredLeases(ctx)), opts.sweepIntervalMs ?? 5000);
  timer.unref();
  const retention = setInterval(() => inBackground('change log compaction',
    () => compactOlderThan(database.db, ctx.now(), opts.changeLogRetentionDays ?? 30)), 3_600_000);
  retention.unref();
  app.log.info({ url, db: redactDbTarget(opts.dbFile), database: database.kind }, 'server ready');
  let closing: Promise<void> | null = null;
  return {
    url, port, app, database,
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        clearInterval(retention);
        await app.close();
        await background;
        await database.close();
      })();
      return closing;
    },
    addUser: (id, roles, displayName) => createUser(database.db, { id, roles, displayName }, ctx.now()),
    upsertQueue: (queue) => upsertQueue(database.db, queue, ctx.now()),
    sweepLeases: () => sweepExpiredLeases(ctx),
    async drain(ms) {
      startDraining();
      if (ms > 0) await new Promise((r) => setTimeout(r, ms).unref());
    },
  };
}
