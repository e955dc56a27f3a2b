// `npm run server -- bundle ...` (DESIGN §11), run beside the database file (a running server may hold it:
// WAL and BEGIN IMMEDIATE let both write):
//   bundle checkout --user alice --count 500 --hours 72 --out work.bundle --db FILE [--queue ID]... [--passphrase-env VAR] [--device]
//     --device: the bundle carries a new registered device key, for a desk that never connects (use a passphrase)
//   bundle import decisions.bundle --db FILE [--out receipt.bundle] [--passphrase-env VAR]
//   bundle key --db FILE [--out server-key.json]      the public key desks verify work bundles and receipts with
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { BundleError, MAX_BUNDLE_BYTES } from '../shared/bundle-format';
import { openDatabase } from './db/connection';
import { ProblemError } from './problem';
import type { ServerContext } from './services/context';
import { checkoutWorkBundle } from './services/bundles/checkout';
import { importDecisionsBundle } from './services/bundles/decisions';
import { bundleKey } from './services/bundles/keys';

const USAGE = `usage:
  bundle checkout --user NAME --count N --hours H --out FILE --db FILE [--queue ID]... [--passphrase-env VAR] [--device]
  bundle import FILE --db FILE [--out RECEIPT] [--passphrase-env VAR]
  bundle key --db FILE [--out FILE]`;

export class CliFailure extends Error {}

function passphraseFrom(envName: string | undefined): string | undefined {
  if (envName === undefined) return undefined;
  const v = process.env[envName];
  if (!v) throw new CliFailure(`--passphrase-env ${envName}: that environment variable is empty or unset`);
  return v;
}

async function withContext<T>(dbFile: string, work: (ctx: ServerContext) => Promise<T>): Promise<T> {
  const database = await openDatabase(dbFile);
  const ctx: ServerContext = {
    db: database.db, dbId: database.dbId, now: () => new Date(), faults: {},
    log: pino({ level: 'warn' }, pino.destination(2)),
  };
  try {
    return await work(ctx);
  } catch (err) {
    if (err instanceof BundleError) throw new CliFailure(`bundle refused (${err.code}): ${err.message}; nothing was applied`);
    if (err instanceof ProblemError) throw new CliFailure(err.message);
    throw err;
  } finally {
    await database.close();
  }
}

/** Runs one bundle command; returns the lines to print. Throws CliFailure with a message for the user. */
export async function bundleCommand(args: string[]): Promise<string> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest, allowPositionals: true,
    options: {
      db: { type: 'string' }, user: { type: 'string' }, count: { type: 'string' }, hours: { type: 'string' }, out: { type: 'string' },
      queue: { type: 'string', multiple: true }, 'passphrase-env': { type: 'string' }, device: { type: 'boolean' },
    },
  });
  if (!values.db) throw new CliFailure(`--db is required\n${USAGE}`);
  const dbFile = values.db;
  const passphrase = passphraseFrom(values['passphrase-env']);
  if (sub === 'checkout') {
    const count = Number(values.count);
    const hours = Number(values.hours);
    if (!values.user || !values.out) throw new CliFailure(`--user and --out are required\n${USAGE}`);
    if (!Number.isInteger(count) || count < 1) throw new CliFailure(`--count must be a positive whole number, got '${values.count}'`);
    if (!(hours > 0)) throw new CliFailure(`--hours must be a positive number, got '${values.hours}'`);
    const out = values.out;
    const res = await withContext(dbFile, (ctx) => checkoutWorkBundle(ctx, null, { userId: values.user!, count, hours, queueIds: values.queue, passphrase, device: values.device }));
    writeFileSync(out, res.bytes, { flag: 'wx' });
    return `work bundle ${res.bundleId}: ${res.items} item(s) leased to ${values.user} until ${res.leaseExpiresAt}${passphrase ? ' (encrypted)' : ''}${values.device ? ' with a device key for a desk that never connects' : ''}; written to ${out}`;
  }
  if (sub === 'import') {
    const file = positionals[0];
    if (!file) throw new CliFailure(`which file?\n${USAGE}`);
    const size = statSync(file).size;
    if (size > MAX_BUNDLE_BYTES) throw new CliFailure(`${file} is ${size} bytes; a bundle is at most ${MAX_BUNDLE_BYTES}; nothing was applied`);
    const bytes = readFileSync(file);
    const res = await withContext(dbFile, (ctx) => importDecisionsBundle(ctx, null, bytes, passphrase));
    const out = values.out ?? file.replace(/(\.bundle)?$/, '.receipt.bundle');
    writeFileSync(out, res.receipt);
    const s = res.summary;
    return `decisions bundle ${res.bundleId} of ${res.userId} (client ${res.clientId}): ${s.applied} applied, ${s.duplicate} duplicate, ` +
      `${s.conflict} conflict, ${s.rejected} rejected; last mutation id ${res.lastMutationId}\nreceipt written to ${out}: import it on the desk to settle its outbox`;
  }
  if (sub === 'key') {
    const key = await withContext(dbFile, (ctx) => bundleKey(ctx));
    const text = `${JSON.stringify(key, null, 2)}\n`;
    if (values.out) { writeFileSync(values.out, text); return `server bundle key ${key.keyId} written to ${values.out}`; }
    return text.trimEnd();
  }
  throw new CliFailure(USAGE);
}
