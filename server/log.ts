// The server's structured log (pino, through Fastify): JSON lines on stdout as before, and the same lines in
// rotating files <logDir>/server.N.log (daily or 10 MB, current + six kept). Redaction
// (shared/log-redaction.ts) keeps tokens, authorization headers and item content out.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import roll from 'pino-roll';
import { LOG_REDACT_PATHS, LOG_REDACTED } from '../shared/log-redaction';

export interface ServerLog {
  logger: Logger;
  flush(): void;
}

export async function openServerLog(opts: { stdout: boolean; logDir?: string }): Promise<ServerLog | null> {
  const streams: pino.StreamEntry[] = [];
  if (opts.stdout) streams.push({ stream: process.stdout });
  let file: Awaited<ReturnType<typeof roll>> | null = null;
  if (opts.logDir) {
    mkdirSync(opts.logDir, { recursive: true });
    file = await roll({ file: path.join(opts.logDir, 'server'), extension: '.log', mkdir: true, size: '10m', frequency: 'daily', limit: { count: 6 } });
    streams.push({ stream: file });
  }
  if (streams.length === 0) return null;
  const logger = pino({ level: 'info', redact: { paths: [...LOG_REDACT_PATHS], censor: LOG_REDACTED } }, pino.multistream(streams));
  return {
    logger,
    flush() {
      try { file?.flushSync(); } catch { /* closed */ }
    },
  };
}
