// The bundle container: a POSIX ustar archive (readable with `tar tvf`) of three entries:
//   manifest.json   kind, ids, expiry, signer, and the size + SHA-256 of the body entry
//   signature.json  Ed25519 over the exact bytes of manifest.json
//   <kind>.json     the body (work.json, decisions.json or receipt.json)
// With a passphrase the whole archive is sealed (scrypt + AES-256-GCM) inside an outer ustar of
// encryption.json + sealed.bin, the header bytes bound to the ciphertext as GCM associated data.
//
// Why tar and not zip or SQLite: tar has no compression (no zip bombs), no directory tree we ever extract
// (entry names are a fixed allow-list, so no path traversal), and a 512-byte header simple enough to read
// strictly here; an archive is accepted only if it re-encodes to the very same bytes, so a flipped bit
// anywhere (header, padding, end blocks) is caught before any hash is even compared. A SQLite file would
// be a second database engine to trust with hostile input, and it has no fixed byte form to sign.
//
// Crypto comes in through a port (shared/ imports zod only): the desk and the server each pass node:crypto.
import {
  BODY_ENTRY, BUNDLE_BODIES, BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, BundleEncryption, BundleError, BundleManifest, BundleSignature,
  ENCRYPTION_ENTRY, MANIFEST_ENTRY, MAX_BUNDLE_BYTES, MAX_ENCRYPTION_HEADER_BYTES, MAX_MANIFEST_BYTES, MAX_SIGNATURE_BYTES,
  SEALED_ENTRY, SIGNATURE_ENTRY, type BundleBody, type BundleKind,
} from './bundle-format';

export interface BundleCrypto {
  sha256Hex(data: Uint8Array): string;
  verify(data: Uint8Array, signatureHex: string, publicKeyHex: string): boolean;
  randomBytes(n: number): Uint8Array;
  scrypt(passphrase: string, salt: Uint8Array, opts: { N: number; r: number; p: number }): Uint8Array;
  /** AES-256-GCM: ciphertext followed by the 16-byte tag. */
  seal(key: Uint8Array, iv: Uint8Array, plain: Uint8Array, aad: Uint8Array): Uint8Array;
  /** null when the tag does not verify (wrong key or altered bytes). */
  open(key: Uint8Array, iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null;
}

export interface BundleSigner {
  role: 'server' | 'device';
  /** First 8 bytes of SHA-256 of the public key, hex. */
  keyId: string;
  sign(data: Uint8Array): string;
}

export const keyIdOf = (crypto: Pick<BundleCrypto, 'sha256Hex'>, publicKeyHex: string): string =>
  crypto.sha256Hex(hexToBytes(publicKeyHex)).slice(0, 16);

// ---------- ustar ----------

const BLOCK = 512;
const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

export interface TarEntry { name: string; data: Uint8Array }

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const put = (offset: number, text: string) => h.set(enc.encode(text), offset);
  put(0, name);
  put(100, octal(0o644, 8));
  put(108, octal(0, 8));
  put(116, octal(0, 8));
  put(124, octal(size, 12));
  put(136, octal(0, 12)); // mtime 0: the same content always gives the same bytes
  put(148, '        ');
  put(156, '0');
  put(257, 'ustar\0');
  put(263, '00');
  let sum = 0;
  for (const b of h) sum += b;
  put(148, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

export function encodeTar(entries: readonly TarEntry[]): Uint8Array {
  let total = 2 * BLOCK;
  for (const e of entries) total += BLOCK + Math.ceil(e.data.length / BLOCK) * BLOCK;
  const out = new Uint8Array(total);
  let at = 0;
  for (const e of entries) {
    out.set(header(e.name, e.data.length), at);
    at += BLOCK;
    out.set(e.data, at);
    at += Math.ceil(e.data.length / BLOCK) * BLOCK;
  }
  return out;
}

/**
 * Reads a ustar archive strictly: only the allowed names, each within its size limit, and the whole file
 * must be exactly what encodeTar would write for those entries.
 */
export function decodeTar(bytes: Uint8Array, limits: Record<string, number>): TarEntry[] {
  const entries: TarEntry[] = [];
  let at = 0;
  while (at + BLOCK <= bytes.length) {
    const h = bytes.subarray(at, at + BLOCK);
    if (h.every((b) => b === 0)) break;
    const nameEnd = h.indexOf(0);
    const name = ascii(h.subarray(0, nameEnd < 0 || nameEnd > 100 ? 100 : nameEnd));
    if (!(name in limits)) {
      throw new BundleError('malformed', `the bundle holds an entry '${name.slice(0, 80)}' that no bundle has (allowed: ${Object.keys(limits).join(', ')})`);
    }
    if (entries.some((e) => e.name === name)) throw new BundleError('malformed', `the bundle holds '${name}' twice`);
    const sizeText = ascii(h.subarray(124, 135));
    if (!/^[0-7]{11}$/.test(sizeText)) throw new BundleError('damaged', `the header of '${name}' is damaged (size field)`);
    const size = parseInt(sizeText, 8);
    if (size > limits[name]) throw new BundleError('too_large', `'${name}' is ${size} bytes; the limit is ${limits[name]}`);
    const start = at + BLOCK;
    if (start + size > bytes.length) throw new BundleError('damaged', `the bundle is truncated: '${name}' needs ${size} bytes, the file ends first`);
    entries.push({ name, data: bytes.subarray(start, start + size) });
    at = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  const canonical = encodeTar(entries);
  if (canonical.length !== bytes.length) {
    throw new BundleError('damaged', `the bundle is ${bytes.length < canonical.length ? 'truncated' : 'longer than its entries'} (${bytes.length} bytes, expected ${canonical.length})`);
  }
  for (let i = 0; i < canonical.length; i++) {
    if (canonical[i] !== bytes[i]) throw new BundleError('damaged', `the bundle is damaged at byte ${i} (container header or padding)`);
  }
  return entries;
}

function ascii(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}

// ---------- hex ----------

export function bytesToHex(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += c.toString(16).padStart(2, '0');
  return s;
}
export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

// ---------- seal and open ----------

export interface SealInput<K extends BundleKind> {
  kind: K;
  bundleId: string;
  createdAt: string;
  expiresAt: string | null;
  serverId: string;
  userId: string;
  clientId: string | null;
  body: BundleBody<K>;
  passphrase?: string;
}

/** Default scrypt cost: N = 2^15 (32 MiB, ~0.1 s), enough for a file on a lost USB stick with a good passphrase. */
export const SCRYPT_LOG_N = 15;

export function sealBundle<K extends BundleKind>(crypto: BundleCrypto, signer: BundleSigner, input: SealInput<K>, opts: { logN?: number } = {}): Uint8Array {
  const body = enc.encode(JSON.stringify(input.body));
  const name = BODY_ENTRY[input.kind];
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT, version: BUNDLE_FORMAT_VERSION, kind: input.kind, bundleId: input.bundleId, createdAt: input.createdAt,
    expiresAt: input.expiresAt, serverId: input.serverId, userId: input.userId, clientId: input.clientId,
    signer: { role: signer.role, keyId: signer.keyId },
    entries: [{ name, size: body.length, sha256: crypto.sha256Hex(body) }],
  };
  const manifestBytes = enc.encode(JSON.stringify(manifest));
  const signature: BundleSignature = { algorithm: 'Ed25519', keyId: signer.keyId, signature: signer.sign(manifestBytes) };
  const inner = encodeTar([
    { name: MANIFEST_ENTRY, data: manifestBytes },
    { name: SIGNATURE_ENTRY, data: enc.encode(JSON.stringify(signature)) },
    { name, data: body },
  ]);
  if (inner.length > MAX_BUNDLE_BYTES) throw new BundleError('too_large', `the bundle would be ${inner.length} bytes; the limit is ${MAX_BUNDLE_BYTES}`);
  return input.passphrase === undefined ? inner : encryptBundle(crypto, inner, input.passphrase, opts.logN ?? SCRYPT_LOG_N);
}

export function encryptBundle(crypto: BundleCrypto, inner: Uint8Array, passphrase: string, logN = SCRYPT_LOG_N): Uint8Array {
  const header: BundleEncryption = {
    format: BUNDLE_FORMAT, cipher: 'aes-256-gcm', kdf: 'scrypt', logN, r: 8, p: 1,
    salt: bytesToHex(crypto.randomBytes(16)), iv: bytesToHex(crypto.randomBytes(12)),
  };
  const headerBytes = enc.encode(JSON.stringify(header));
  const key = crypto.scrypt(passphrase, hexToBytes(header.salt), { N: 2 ** logN, r: 8, p: 1 });
  const sealed = crypto.seal(key, hexToBytes(header.iv), inner, headerBytes);
  return encodeTar([{ name: ENCRYPTION_ENTRY, data: headerBytes }, { name: SEALED_ENTRY, data: sealed }]);
}

export interface OpenOptions<K extends BundleKind> {
  kind: K;
  /** Who may have signed it: the server's key (work, receipt) or the device's (decisions), by key id. */
  trustedKey: (signer: BundleManifest['signer'], manifest: BundleManifest) => string | null | Promise<string | null>;
  passphrase?: string;
  /** Refuse a bundle whose expiresAt is at or before this time. */
  now?: Date;
}

export interface OpenedBundle<K extends BundleKind> { manifest: BundleManifest; body: BundleBody<K>; sha256: string }

/** Verifies everything (container, signature, hashes, schema, sizes, expiry) and only then returns the body. */
export async function openBundle<K extends BundleKind>(crypto: BundleCrypto, bytes: Uint8Array, opts: OpenOptions<K>): Promise<OpenedBundle<K>> {
  if (bytes.length > MAX_BUNDLE_BYTES) throw new BundleError('too_large', `the file is ${bytes.length} bytes; a bundle is at most ${MAX_BUNDLE_BYTES}`);
  if (bytes.length < 3 * BLOCK) throw new BundleError('damaged', `the file is ${bytes.length} bytes: too short to be a bundle (truncated?)`);
  const sha256 = crypto.sha256Hex(bytes);
  const body = BODY_ENTRY[opts.kind];
  const first = ascii(bytes.subarray(0, ENCRYPTION_ENTRY.length));
  let inner = bytes;
  if (first === ENCRYPTION_ENTRY) {
    const outer = decodeTar(bytes, { [ENCRYPTION_ENTRY]: MAX_ENCRYPTION_HEADER_BYTES, [SEALED_ENTRY]: MAX_BUNDLE_BYTES });
    const headerEntry = outer.find((e) => e.name === ENCRYPTION_ENTRY);
    const sealedEntry = outer.find((e) => e.name === SEALED_ENTRY);
    if (!headerEntry || !sealedEntry || outer.length !== 2) throw new BundleError('malformed', 'an encrypted bundle must hold encryption.json and sealed.bin');
    const header = BundleEncryption.safeParse(parseJson(headerEntry.data, ENCRYPTION_ENTRY));
    if (!header.success) throw new BundleError('malformed', `encryption.json is not valid: ${header.error.issues[0]?.message}`);
    if (opts.passphrase === undefined) throw new BundleError('needs_passphrase', 'this bundle is encrypted: enter its passphrase');
    const key = crypto.scrypt(opts.passphrase, hexToBytes(header.data.salt), { N: 2 ** header.data.logN, r: 8, p: 1 });
    const plain = crypto.open(key, hexToBytes(header.data.iv), sealedEntry.data, headerEntry.data);
    if (!plain) throw new BundleError('wrong_passphrase', 'the passphrase is wrong, or the encrypted bundle was altered');
    inner = plain;
  }
  const entries = decodeTar(inner, { [MANIFEST_ENTRY]: MAX_MANIFEST_BYTES, [SIGNATURE_ENTRY]: MAX_SIGNATURE_BYTES, [body]: MAX_BUNDLE_BYTES,
    ...Object.fromEntries(Object.values(BODY_ENTRY).filter((n) => n !== body).map((n) => [n, MAX_BUNDLE_BYTES])) });
  const byName = new Map(entries.map((e) => [e.name, e.data]));
  const manifestBytes = byName.get(MANIFEST_ENTRY);
  const signatureBytes = byName.get(SIGNATURE_ENTRY);
  if (!manifestBytes || !signatureBytes) throw new BundleError('malformed', 'the bundle has no manifest.json or signature.json');
  const manifestParsed = BundleManifest.safeParse(parseJson(manifestBytes, MANIFEST_ENTRY));
  if (!manifestParsed.success) {
    const issue = manifestParsed.error.issues[0];
    throw new BundleError('malformed', `manifest.json is not valid: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
  }
  const manifest = manifestParsed.data;
  if (manifest.kind !== opts.kind) {
    throw new BundleError('wrong_kind', `this is a ${manifest.kind} bundle; a ${opts.kind} bundle is expected here`);
  }
  const signature = BundleSignature.safeParse(parseJson(signatureBytes, SIGNATURE_ENTRY));
  if (!signature.success) throw new BundleError('malformed', 'signature.json is not valid');
  if (signature.data.keyId !== manifest.signer.keyId) throw new BundleError('bad_signature', 'the signature names another key than the manifest');
  const publicKey = await opts.trustedKey(manifest.signer, manifest);
  if (!publicKey) {
    throw new BundleError('unknown_signer', manifest.signer.role === 'server'
      ? `signed by a server key (${manifest.signer.keyId}) this desk does not know; sign in to that server once or import its key file`
      : `signed by a device key (${manifest.signer.keyId}) the server has no record of for this client id`);
  }
  if (keyIdOf(crypto, publicKey) !== manifest.signer.keyId || !crypto.verify(manifestBytes, signature.data.signature, publicKey)) {
    throw new BundleError('bad_signature', 'the signature does not verify: the bundle was altered or signed by another key');
  }
  const listed = new Set(manifest.entries.map((e) => e.name));
  if (entries.length !== manifest.entries.length + 2 || manifest.entries.length !== 1 || !listed.has(body)) {
    throw new BundleError('malformed', `the manifest must list exactly the entry ${body}`);
  }
  const entry = manifest.entries[0];
  const data = byName.get(body)!;
  if (data.length !== entry.size || crypto.sha256Hex(data) !== entry.sha256) {
    throw new BundleError('damaged', `${body} does not match the size and hash in the manifest`);
  }
  const parsed = BUNDLE_BODIES[opts.kind].safeParse(parseJson(data, body));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BundleError('malformed', `${body} is not valid: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
  }
  if (opts.now && manifest.expiresAt && Date.parse(manifest.expiresAt) <= opts.now.getTime()) {
    throw new BundleError('expired', `this bundle expired at ${manifest.expiresAt}; its leases have ended, check out a new one`);
  }
  return { manifest, body: parsed.data as BundleBody<K>, sha256 };
}

function parseJson(bytes: Uint8Array, name: string): unknown {
  try {
    return JSON.parse(dec.decode(bytes));
  } catch {
    throw new BundleError('malformed', `${name} is not valid JSON`);
  }
}
