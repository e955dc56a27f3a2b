// DNS-rebinding and cross-site defence. A page on evil.example can make the browser resolve its own
// name to 127.0.0.1; the Host header then names evil.example, so we accept only our literal loopback
// names. A cross-site fetch carries its own Origin, which must equal ours.

export type GuardVerdict = { ok: true } | { ok: false; reason: string };

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function checkHost(host: string | undefined, port: number): GuardVerdict {
  if (!host) return { ok: false, reason: 'missing Host header' };
  if (!allowedHosts(port).includes(host.toLowerCase())) return { ok: false, reason: `Host '${host}' is not this desk` };
  return { ok: true };
}

/** Origin is optional (same-origin GETs and non-browser clients omit it); when present it must be ours. */
export function checkOrigin(origin: string | undefined, host: string, port: number): GuardVerdict {
  if (origin === undefined) return { ok: true };
  const expected = `http://${host.toLowerCase()}`;
  if (origin.toLowerCase() !== expected || !allowedHosts(port).includes(host.toLowerCase())) {
    return { ok: false, reason: `Origin '${origin}' is not this desk` };
  }
  return { ok: true };
}
