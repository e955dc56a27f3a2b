// What never reaches a log file, on any side (core, main, server): tokens and secrets, and the content of
// items and decisions (AI inputs and outputs, corrected outputs, comments, notes). Logs say what happened to
// which ids, never what was in them. Paths are pino redaction paths (one wildcard level each).
const SECRET_KEYS = ['token', 'authorization', 'cookie', 'passphrase', 'secret', 'password'];
const CONTENT_KEYS = ['payload', 'item', 'items', 'serverItem', 'input', 'output', 'correctedOutput', 'comment', 'text', 'notes', 'body'];

export const LOG_REDACT_PATHS: readonly string[] = [
  ...[...SECRET_KEYS, ...CONTENT_KEYS].flatMap((k) => [k, `*.${k}`]),
  'req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie',
];

export const LOG_REDACTED = '[redacted]';
