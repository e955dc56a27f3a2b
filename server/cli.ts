// `npm run server -- --port P --db FILE|postgres://… [--seed demo] [--host H] [--pool-size N] [--drain-seconds S] [--max-leased-per-user N] [--log-dir DIR]`
// starts the reference server (`--db` defaults to $DATABASE_URL, then a SQLite file);
// `npm run server -- users add NAME --role ROLE[,ROLE] --db FILE [--display-name "Full Name"] [--expires-days N]` creates a
// user and prints a new token once (it expires after N days, default 90; 0: never);
// `npm run server -- users revoke NAME --db FILE` revokes every token of a user;
// `npm run server -- queues add FILE.json --db FILE` adds or replaces a queue;
// `npm run server -- import-sqlite FILE.sqlite --db postgres://…` copies a SQLite database into an empty
// PostgreSQL one and checks every row (db/copy-sqlite-to-postgres.ts). Logs are JSON lines (pino) on stdout and in
// rotating files <--log-dir, default: the SQLite file's folder/logs>/server.N.log; SIGTERM / SIGINT shut down gracefully.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { Queue, ROLES, Role } from '../shared/domain';
import { DEFAULT_TOKEN_DAYS } from '../shared/limits';
import { QueuePolicyUpdate } from '../shared/ops-api';
import { startServer } from './app';
import { bundleCommand, CliFailure } from './bundle-cli';
import { openDatabase, redactDbTarget } from './db/connection';
import { copySqliteToPostgres } from './db/copy-sqlite-to-postgres';
import { updatePolicy } from './services/ops/policies';
import { upsertQueue } from './services/queues';
import { createUser, revokeTokens } from './services/users';

const DEFAULT_DB = process.env.DATABASE_URL || 'exception-desk-server.sqlite';

/** Where the CLI writes; process.stdout/stderr for the real command, buffers for tests that call runCli in-process. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** A refused command: runCli prints `server: <message>` on stderr and returns exit code 2. */
class CliExit extends Error {}

function fail(message: string): never {
  throw new CliExit(message);
}

async function usersAdd(args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { role: { type: 'string', multiple: true }, db: { type: 'string' }, 'display-name': { type: 'string' }, 'expires-days': { type: 'string' } },
  });
  const name = positionals[0];
  if (!name) fail('usage: users add NAME --role ROLE[,ROLE] --db FILE [--expires-days N]');
  const days = Number(values['expires-days'] ?? DEFAULT_TOKEN_DAYS);
  if (!Number.isInteger(days) || days < 0 || days > 3650) fail(`--expires-days must be a whole number of days 0..3650 (0: never expires), got '${values['expires-days']}'`);
  const roles = (values.role ?? []).flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean);
  if (roles.length === 0) fail(`--role is required (one or more of ${ROLES.join(', ')})`);
  const bad = roles.filter((r) => !Role.safeParse(r).success);
  if (bad.length > 0) fail(`unknown role(s) ${bad.join(', ')}; roles are ${ROLES.join(', ')}`);
  const database = await openDatabase(values.db ?? DEFAULT_DB);
  try {
    const { id, token, expiresAt } = await createUser(database.db, { id: name, roles: roles as Role[], displayName: values['display-name'] }, new Date(),
      { expiresInDays: days });
    io.stdout.write(`created token for user ${id} (roles: ${roles.join(', ')}; ${expiresAt ? `expires ${expiresAt}` : 'never expires'}); ` +
      `it is shown only this once:\n${token}\n`);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  } finally {
    await database.close();
  }
}

async function usersRevoke(args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { db: { type: 'string' } } });
  const name = positionals[0];
  if (!name) fail('usage: users revoke NAME --db FILE   (revokes every token of the user)');
  const database = await openDatabase(values.db ?? DEFAULT_DB);
  try {
    const user = await database.db.selectFrom('users').select('id').where('id', '=', name).executeTakeFirst();
    if (!user) fail(`no user '${name}'`);
    const n = await revokeTokens(database.db, name, new Date());
    io.stdout.write(`revoked ${n} token(s) of user ${name}; they are refused from the next request on\n`);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  } finally {
    await database.close();
  }
}

async function queuesAdd(args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { db: { type: 'string' } } });
  const file = positionals[0];
  if (!file) fail('usage: queues add QUEUE.json --db FILE   (a Queue of shared/domain.ts; its owner must be a user)');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    fail(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = Queue.safeParse(json);
  if (!parsed.success) fail(`${file} is not a queue:\n${z.prettifyError(parsed.error)}`);
  const database = await openDatabase(values.db ?? DEFAULT_DB);
  try {
    await upsertQueue(database.db, parsed.data, new Date());
    io.stdout.write(`queue ${parsed.data.id} saved (owner ${parsed.data.ownerId}, SLA ${parsed.data.slaTargetMinutes} min)\n`);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  } finally {
    await database.close();
  }
}

async function importSqlite(args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { db: { type: 'string' } } });
  const file = positionals[0];
  const url = values.db ?? process.env.DATABASE_URL;
  if (!file || !url) fail('usage: import-sqlite FILE.sqlite --db postgres://user@host:port/database   (the PostgreSQL database must be empty)');
  if (!existsSync(file)) fail(`no SQLite database at ${file}`);
  let report;
  try {
    report = await copySqliteToPostgres(file, url, (line) => io.stdout.write(`${line}\n`));
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  if (report.mismatched.length > 0) fail(`copied, but these tables differ afterwards: ${report.mismatched.join(', ')}`);
  const rows = report.tables.reduce((n, t) => n + t.rows, 0);
  io.stdout.write(`imported ${file} into ${redactDbTarget(url)}: ${report.tables.length} tables, ${rows} rows, every row identical\n`);
}

const POLICY_USAGE = 'usage: queues policy QUEUE_ID --db FILE [--owner USER] [--sla-minutes N] [--idle-sec N] [--defer-cooldown-min N] ' +
  '[--labor-cost "48.50 EUR" | --labor-cost none] [--trigger \'{"kind":"corrections_count","atLeast":5,"windowHours":24}\' | --trigger none]';

/** Changes a queue's policy with admin authority (an operator on the server machine); the same rules as POST /v1/queue-policies. */
async function queuesPolicy(args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: {
    db: { type: 'string' }, owner: { type: 'string' }, 'sla-minutes': { type: 'string' }, 'idle-sec': { type: 'string' },
    'defer-cooldown-min': { type: 'string' },
    'labor-cost': { type: 'string' }, trigger: { type: 'string' } } });
  const queueId = positionals[0];
  if (!queueId) fail(POLICY_USAGE);
  const update: Record<string, unknown> = { queueId };
  if (values.owner !== undefined) update.ownerId = values.owner;
  if (values['sla-minutes'] !== undefined) update.slaTargetMinutes = Number(values['sla-minutes']);
  if (values['idle-sec'] !== undefined) update.idleThresholdSec = Number(values['idle-sec']);
  if (values['defer-cooldown-min'] !== undefined) update.deferCooldownMinutes = Number(values['defer-cooldown-min']);
  const cost = values['labor-cost'];
  if (cost !== undefined) {
    const m = /^\s*(\d+(?:\.\d+)?)\s+([A-Z]{3})\s*$/.exec(cost);
    if (cost !== 'none' && !m) fail(`--labor-cost must be "AMOUNT CUR" (e.g. "48.50 EUR") or none, got '${cost}'`);
    update.laborCost = m ? { amountPerHour: Number(m[1]), currency: m[2] } : null;
  }
  if (values.trigger !== undefined) {
    try {
      update.rollbackTrigger = values.trigger === 'none' ? null : JSON.parse(values.trigger);
    } catch {
      fail(`--trigger must be JSON or none, got '${values.trigger}'`);
    }
  }
  const parsed = QueuePolicyUpdate.safeParse(update);
  if (!parsed.success) fail(`invalid policy:\n${z.prettifyError(parsed.error)}`);
  const database = await openDatabase(values.db ?? DEFAULT_DB);
  try {
    const p = await updatePolicy(database.db, null, parsed.data, new Date());
    io.stdout.write(`queue ${p.queueId} policy saved: owner ${p.ownerId}, SLA ${p.slaTargetMinutes} min, idle ${p.idleThresholdSec} s, defer cooldown ${p.deferCooldownMinutes} min, ` +
      `labor cost ${p.laborCost ? `${p.laborCost.amountPerHour} ${p.laborCost.currency}/h` : 'not set'}, ` +
      `rollback trigger ${p.rollbackTrigger ? JSON.stringify(p.rollbackTrigger) : 'none'}\n`);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  } finally {
    await database.close();
  }
}

async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '8787' }, host: { type: 'string', default: '127.0.0.1' }, db: { type: 'string', default: DEFAULT_DB },
      seed: { type: 'string' }, 'pool-size': { type: 'string' }, 'drain-seconds': { type: 'string', default: '0' }, 'log-dir': { type: 'string' },
      'max-leased-per-user': { type: 'string' },
    },
  });
  const maxLeased = values['max-leased-per-user'] === undefined ? undefined : Number(values['max-leased-per-user']);
  if (maxLeased !== undefined && !(Number.isInteger(maxLeased) && maxLeased >= 1)) fail(`--max-leased-per-user must be a positive whole number, got '${values['max-leased-per-user']}'`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0..65535, got '${values.port}'`);
  if (values.seed !== undefined && values.seed !== 'demo') fail(`--seed accepts only 'demo', got '${values.seed}'`);
  const poolSize = values['pool-size'] === undefined ? undefined : Number(values['pool-size']);
  if (poolSize !== undefined && (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 1000)) fail(`--pool-size must be 1..1000, got '${values['pool-size']}'`);
  const drainSeconds = Number(values['drain-seconds']);
  if (!Number.isFinite(drainSeconds) || drainSeconds < 0 || drainSeconds > 3600) fail(`--drain-seconds must be 0..3600, got '${values['drain-seconds']}'`);
  // Log files beside a SQLite database by default (its folder is the server's data folder); a PostgreSQL
  // node logs to stdout only unless --log-dir says where.
  const logDir = values['log-dir'] ?? (/^postgres(ql)?:/.test(values.db) ? undefined : path.join(path.dirname(path.resolve(values.db)), 'logs'));
  const server = await startServer({ dbFile: values.db, port, host: values.host, seed: values.seed as 'demo' | undefined, logger: true, logDir, poolSize,
    ...(maxLeased !== undefined ? { maxLeasedPerUser: maxLeased } : {}) });
  const shutdown = (signal: string) => {
    if (drainSeconds > 0) server.app.log.info({ signal, drainSeconds }, 'draining: /v1/ready answers 503 while requests are still served');
    server.drain(drainSeconds * 1000).then(() => {
      server.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
      return server.close();
    }).then(
      () => { server.app.log.info('server stopped; database closed'); process.exit(0); },
      (err: unknown) => { process.stderr.write(`server: shutdown failed: ${String(err)}\n`); process.exit(1); },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

function command(argv: string[], io: CliIo): Promise<void> {
  if (argv[0] === 'users' && argv[1] === 'add') return usersAdd(argv.slice(2), io);
  if (argv[0] === 'users' && argv[1] === 'revoke') return usersRevoke(argv.slice(2), io);
  if (argv[0] === 'users') fail('usage: users add NAME --role ROLE --db FILE [--expires-days N] | users revoke NAME --db FILE');
  if (argv[0] === 'bundle') {
    return bundleCommand(argv.slice(1)).then((text) => { io.stdout.write(`${text}\n`); },
      (err: unknown) => fail(err instanceof CliFailure ? err.message : String(err)));
  }
  if (argv[0] === 'import-sqlite') return importSqlite(argv.slice(1), io);
  if (argv[0] === 'queues' && argv[1] === 'policy') return queuesPolicy(argv.slice(2), io);
  if (argv[0] === 'queues') return argv[1] === 'add' ? queuesAdd(argv.slice(2), io) : fail(`usage: queues add QUEUE.json --db FILE\n${POLICY_USAGE}`);
  return serve(argv);
}

/**
 * The CLI's main, callable in-process (tests run it without a tsx child each time): runs one command and
 * returns its exit code, 0 or 2 (refused; the reason is on stderr). `serve` resolves 0 once the server is
 * listening and keeps running; its SIGTERM / SIGINT handlers end the process themselves.
 */
export async function runCli(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    await command(argv, io);
    return 0;
  } catch (err) {
    io.stderr.write(`server: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  void runCli(process.argv.slice(2)).then((code) => { if (code !== 0) process.exit(code); });
}
