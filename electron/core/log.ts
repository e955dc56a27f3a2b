// Structured logs (pino) to rotating files in the app-data folder: core.N.log from the core, main.N.log
// from Electron's main process. Rotation: daily or at 10 MB, whichever first, keeping the current file and
// six more. Redaction (shared/log-redaction.ts) keeps tokens and item content out whatever a caller passes.
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import roll from 'pino-roll';
import { LOG_REDACT_PATHS, LOG_REDACTED } from '../../shared/log-redaction';

export type { Logger };

export const LOG_ROTATION = { size: '10m', frequency: 'daily', keep: 6 } as const;

export const loggerOptions = (name: string): pino.LoggerOptions => ({
  name,
  level: process.env.DESK_LOG_LEVEL ?? 'info',
  redact: { paths: [...LOG_REDACT_PATHS], censor: LOG_REDACTED },
  // No pid/hostname: one process per file, and the host name says nothing a reader needs.
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
});

/** A logger that writes nothing (tests, and callers that pass no log folder). */
export const silentLogger = (): Logger => pino({ enabled: false });

export interface LogFile {
  logger: Logger;
  /** The folder the rotating files are in (what "Reveal logs" shows). */
  dir: string;
  /** Writes out what is buffered; call before exit. */
  flush(): void;
}

/** Opens `<dir>/<name>.<n>.log` with rotation; creates the folder. */
export async function openLogFile(dir: string, name: string): Promise<LogFile> {
  mkdirSync(dir, { recursive: true });
  const stream = await roll({
    file: path.join(dir, name), extension: '.log', mkdir: true,
    size: LOG_ROTATION.size, frequency: LOG_ROTATION.frequency, limit: { count: LOG_ROTATION.keep },
  });
  // The file opens asynchronously; until it has, lines are only buffered and flushSync cannot write
  // them, so a core that failed or closed within its first ~100 ms left no log at all (seen in a test).
  // (sonic-boom's types omit `fd`, which is -1 until the file is open.)
  if ((stream as unknown as { fd: number }).fd < 0) await once(stream, 'ready');
  const logger = pino(loggerOptions(name), stream);
  return {
    logger, dir,
    flush() {
      try { stream.flushSync(); } catch { /* not open yet or already closed */ }
    },
  };
}

/** Plain facts about an error for a log line: never the objects it may carry. */
export function errorFields(e: unknown): { err: { name: string; message: string; code?: unknown; stack?: string } } {
  if (e instanceof Error) return { err: { name: e.name, message: e.message, ...('code' in e ? { code: (e as { code: unknown }).code } : {}), stack: e.stack } };
  return { err: { name: typeof e, message: String(e) } };
}
