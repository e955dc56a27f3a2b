// Tells a request that never left this machine from one that may have reached the server. Only the first
// kind may put outbox rows back to `pending` (so undo can still take them out of the outbox); anything
// that may have reached the server stays `sent`, and undo then queues a revert, which is always safe.

/** undici / Node error codes raised before a connection exists, so before any request byte was written. */
const NEVER_CONNECTED_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN',
  'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT',
  // TLS fails in the handshake, before the HTTP request is written.
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Messages undici uses when fetch refuses a request before opening any connection (no code). */
const REFUSED_BEFORE_CONNECT = /^(bad port|invalid url|unsupported protocol)/i;

/**
 * True only when `e` (what `fetch` threw) proves the request never reached the server: the connection
 * was never established. Timeouts, aborts, resets and closed sockets may follow a written request: false.
 */
export function neverReachedServer(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const cause = (e as { cause?: unknown }).cause;
  if (!(cause instanceof Error)) return false;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string' && NEVER_CONNECTED_CODES.has(code)) return true;
  // Happy eyeballs (several addresses tried): an AggregateError of one failure per address.
  if (cause instanceof AggregateError && cause.errors.length > 0) {
    return cause.errors.every((x) => typeof (x as { code?: unknown })?.code === 'string' && NEVER_CONNECTED_CODES.has((x as { code: string }).code));
  }
  return code === undefined && REFUSED_BEFORE_CONNECT.test(cause.message);
}
