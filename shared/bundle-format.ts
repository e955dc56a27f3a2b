// Restricted-site bundles (DESIGN.md §11): work in and decisions out as signed files. This file holds the
// schemas and size limits of every bundle, one set for the server and the desk. The container (tar) and the
// seal/open steps are in bundle-container.ts.
import { z } from 'zod';
import { MAX_LEASE_MINUTES, Mutation, MutationResult } from './central-api';
import { Id, IsoDateTime, Item, Queue } from './domain';
import { MAX_BUNDLE_BASE64 } from './bundle-limits';

export const BUNDLE_FORMAT = 'exception-desk-bundle';
export const BUNDLE_FORMAT_VERSION = 1;

/** Whole file, before anything is parsed. */
export const MAX_BUNDLE_BYTES = 128 * 1024 * 1024;
export const MAX_MANIFEST_BYTES = 16 * 1024;
export const MAX_SIGNATURE_BYTES = 2 * 1024;
export const MAX_ENCRYPTION_HEADER_BYTES = 2 * 1024;
export const MAX_WORK_ITEMS = 10_000;
export const MAX_BUNDLE_QUEUES = 1_000;
export const MAX_BUNDLE_MUTATIONS = 100_000;
export const MAX_BUNDLE_HOURS = MAX_LEASE_MINUTES / 60;

export const BUNDLE_KINDS = ['work', 'decisions', 'receipt'] as const;
export const BundleKind = z.enum(BUNDLE_KINDS);
export type BundleKind = z.infer<typeof BundleKind>;

/** The one content entry of each kind (the manifest names it with its size and hash). */
export const BODY_ENTRY: Record<BundleKind, string> = { work: 'work.json', decisions: 'decisions.json', receipt: 'receipt.json' };
export const MANIFEST_ENTRY = 'manifest.json';
export const SIGNATURE_ENTRY = 'signature.json';
export const ENCRYPTION_ENTRY = 'encryption.json';
export const SEALED_ENTRY = 'sealed.bin';

const Hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `${bytes * 2} lowercase hex digits`);
/** An Ed25519 public key as hex of its SPKI DER (44 bytes). */
export const PublicKeyHex = Hex(44);
export const Sha256Hex = Hex(32);

export const BundleManifest = z.object({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(BUNDLE_FORMAT_VERSION),
  kind: BundleKind,
  bundleId: z.string().min(8).max(64),
  createdAt: IsoDateTime,
  /** Work bundles: the lease expiry; nothing in the bundle may be used after it. */
  expiresAt: IsoDateTime.nullable(),
  /** The central database the bundle belongs to (its db id). */
  serverId: z.string().min(1).max(128),
  /** The reviewer the bundle is for (work, receipt) or from (decisions). */
  userId: Id,
  /** The desk client id (decisions, receipt; work bundles that carry a device for a site that never connects). */
  clientId: z.string().min(8).max(128).nullable(),
  signer: z.object({ role: z.enum(['server', 'device']), keyId: Hex(8) }),
  entries: z.array(z.object({ name: z.string().min(1).max(100), size: z.number().int().min(0).max(MAX_BUNDLE_BYTES), sha256: Sha256Hex })).min(1).max(4),
}).strict();
export type BundleManifest = z.infer<typeof BundleManifest>;

export const BundleSignature = z.object({ algorithm: z.literal('Ed25519'), keyId: Hex(8), signature: Hex(64) }).strict();
export type BundleSignature = z.infer<typeof BundleSignature>;

/** Passphrase encryption of a whole bundle: scrypt derives the key, AES-256-GCM seals the inner tar. */
export const BundleEncryption = z.object({
  format: z.literal(BUNDLE_FORMAT),
  cipher: z.literal('aes-256-gcm'),
  kdf: z.literal('scrypt'),
  /** log2 of scrypt's N; bounded so a forged header cannot make the desk spend minutes or gigabytes. */
  logN: z.number().int().min(14).max(17),
  r: z.literal(8),
  p: z.literal(1),
  salt: Hex(16),
  iv: Hex(12),
}).strict();
export type BundleEncryption = z.infer<typeof BundleEncryption>;

// ---------- bodies ----------

export const WorkBundle = z.object({
  reviewer: z.object({ id: Id, name: z.string().max(200) }),
  server: z.object({ id: z.string().min(1).max(128), url: z.string().max(2000).nullable() }),
  checkedOutBy: Id,
  checkedOutAt: IsoDateTime,
  leaseExpiresAt: IsoDateTime,
  items: z.array(Item).max(MAX_WORK_ITEMS),
  queues: z.array(Queue).max(MAX_BUNDLE_QUEUES),
  /**
   * For a site that never connects: a device key the server made and registered for this reviewer under a
   * new client id. A desk that has never signed in adopts it (and the reviewer) so its decisions bundles
   * are accepted. It is a private key: such a bundle should travel encrypted (a passphrase).
   */
  device: z.object({ clientId: z.string().min(8).max(128), publicKey: PublicKeyHex, privateKey: z.string().regex(/^[0-9a-f]{2,512}$/) }).strict().optional(),
}).strict();
export type WorkBundle = z.infer<typeof WorkBundle>;

export const DecisionsBundle = z.object({
  clientId: z.string().min(8).max(128),
  userId: Id,
  exportedAt: IsoDateTime,
  /** Everything of this client not yet settled when exported, in id order without gaps (cumulative). */
  mutations: z.array(Mutation).max(MAX_BUNDLE_MUTATIONS),
}).strict();
export type DecisionsBundle = z.infer<typeof DecisionsBundle>;

export const BundleReceipt = z.object({
  clientId: z.string().min(8).max(128),
  userId: Id,
  decisionsBundleId: z.string().min(8).max(64),
  importedAt: IsoDateTime,
  lastMutationId: z.number().int().min(0),
  results: z.array(MutationResult).max(MAX_BUNDLE_MUTATIONS),
}).strict();
export type BundleReceipt = z.infer<typeof BundleReceipt>;

export const BUNDLE_BODIES = { work: WorkBundle, decisions: DecisionsBundle, receipt: BundleReceipt } as const;
export type BundleBody<K extends BundleKind> = z.infer<(typeof BUNDLE_BODIES)[K]>;

// ---------- errors ----------

/** Stable reasons a bundle is refused; both sides show `message`, tests branch on `code`. */
export const BUNDLE_ERROR_CODES = [
  'too_large', 'damaged', 'malformed', 'bad_signature', 'unknown_signer', 'wrong_kind', 'expired',
  'wrong_reviewer', 'wrong_server', 'wrong_client', 'needs_passphrase', 'wrong_passphrase', 'already_imported',
] as const;
export type BundleErrorCode = (typeof BUNDLE_ERROR_CODES)[number];

export class BundleError extends Error {
  override name = 'BundleError';
  constructor(readonly code: BundleErrorCode, message: string) {
    super(message);
  }
}

// ---------- central API bodies (POST /v1/bundles/...) ----------

/** Bundle bytes travel inside JSON as base64, so the routes keep the one JSON + zod path. */
export { MAX_BUNDLE_BASE64 } from './bundle-limits';
const Base64 = z.string().min(4).max(MAX_BUNDLE_BASE64).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

export const BundleKeyResponse = z.object({ serverId: z.string(), publicKey: PublicKeyHex, keyId: Hex(8) });
export type BundleKeyResponse = z.infer<typeof BundleKeyResponse>;

export const DeviceRegistration = z.object({ clientId: z.string().min(8).max(128), publicKey: PublicKeyHex });
export type DeviceRegistration = z.infer<typeof DeviceRegistration>;
export const DeviceRegistrationResponse = z.object({ clientId: z.string(), userId: Id, keyId: Hex(8) });

export const BundleCheckoutRequest = z.object({
  /** The reviewer the items are leased to; a reviewer may name only themself (the default). */
  userId: Id.optional(),
  count: z.number().int().min(1).max(MAX_WORK_ITEMS),
  hours: z.number().min(1 / 60).max(MAX_BUNDLE_HOURS),
  queueIds: z.array(Id).max(100).optional(),
  passphrase: z.string().min(8).max(1000).optional(),
  /** Carry a new registered device key for a site that never connects (see WorkBundle.device). */
  device: z.boolean().optional(),
}).strict();
export type BundleCheckoutRequest = z.input<typeof BundleCheckoutRequest>;
export const BundleCheckoutResponse = z.object({ bundle: Base64, bundleId: z.string(), items: z.number().int(), leaseExpiresAt: IsoDateTime });
export type BundleCheckoutResponse = z.infer<typeof BundleCheckoutResponse>;

export const DecisionsImportRequest = z.object({ bundle: Base64, passphrase: z.string().min(1).max(1000).optional() }).strict();
export const ImportSummary = z.object({
  applied: z.number().int(), duplicate: z.number().int(), conflict: z.number().int(), rejected: z.number().int(),
});
export type ImportSummary = z.infer<typeof ImportSummary>;
export const DecisionsImportResponse = z.object({ receipt: Base64, bundleId: z.string(), lastMutationId: z.number().int(), summary: ImportSummary });
export type DecisionsImportResponse = z.infer<typeof DecisionsImportResponse>;

export function summarise(results: readonly MutationResult[]): ImportSummary {
  const s = { applied: 0, duplicate: 0, conflict: 0, rejected: 0 };
  for (const r of results) s[r.status]++;
  return s;
}
