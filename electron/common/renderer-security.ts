// The one security policy of the renderer, stamped on every response that carries it: by the app://
// protocol handler (electron/main) and by browser mode (electron/web). Same bundle, same policy.

/**
 * The renderer needs nothing beyond its own files: no inline script, no eval, no remote anything, no
 * frames, no workers. React sets styles through the CSSOM, which style-src does not restrict, so no
 * 'unsafe-inline'.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "worker-src 'none'",
].join('; ');

/** Header names in lower case: both Fetch `Headers` and Node's HTTP treat them case-insensitively. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()',
};
