// The desk API's bundle methods (DESIGN §11), referenced from the one method table in desk-api.ts.
// Files cross the desk API as base64: the renderer reads a picked or dropped file and hands over its bytes.
import { z } from 'zod';
import { IsoDateTime } from './domain';
import { MAX_BUNDLE_BASE64, MAX_BUNDLE_HOURS, MAX_WORK_ITEMS, PublicKeyHex } from './bundle-format';

const Base64 = z.string().min(4).max(MAX_BUNDLE_BASE64).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');
const Passphrase = z.string().min(8, 'a passphrase has at least 8 characters').max(1000).optional();

export const BundleStatus = z.object({
  /** The work bundle the desk works from, while its lease lasts (null once it expired or none was imported). */
  work: z.object({
    bundleId: z.string(),
    items: z.number().int(),
    leaseExpiresAt: IsoDateTime,
    importedAt: IsoDateTime,
    /** Items of the bundle still in the assigned set (not yet decided here). */
    remaining: z.number().int(),
  }).nullable(),
  /** The server key work bundles and receipts are checked with (learned at sign-in or from a key file). */
  serverKeyId: z.string().nullable(),
  /** This desk's decisions-signing key is registered with the server. */
  deviceRegistered: z.boolean(),
  /** Decisions not yet settled: what an export would carry. */
  unsettled: z.number().int(),
});
export type BundleStatus = z.infer<typeof BundleStatus>;

/** The JSON of `npm run server -- bundle key` (a key file), for a desk that never signed in to that server. */
export const ServerKeyFile = z.object({ serverId: z.string().min(1).max(128), publicKey: PublicKeyHex });

export const ImportWorkInput = z.object({ bundle: Base64, passphrase: z.string().max(1000).optional(), serverKey: ServerKeyFile.optional() }).strict();
export const ImportWorkOutput = z.object({ bundleId: z.string(), items: z.number().int(), leaseExpiresAt: IsoDateTime });

export const ExportDecisionsInput = z.object({ passphrase: Passphrase }).strict();
export const BundleFile = z.object({ bundle: Base64, fileName: z.string() });
export const ExportDecisionsOutput = BundleFile.extend({
  bundleId: z.string(),
  mutations: z.number().int(),
  firstMutationId: z.number().int().nullable(),
  lastMutationId: z.number().int().nullable(),
});

export const ImportReceiptInput = z.object({ bundle: Base64, passphrase: z.string().max(1000).optional() }).strict();
export const ImportReceiptOutput = z.object({
  /** Results that settled a mutation now (a receipt imported twice settles nothing the second time). */
  settled: z.number().int(),
  conflicts: z.number().int(),
  rejected: z.number().int(),
  alreadySettled: z.number().int(),
});

export const BundleCheckoutInput = z.object({
  count: z.number().int().min(1).max(MAX_WORK_ITEMS),
  hours: z.number().min(1).max(MAX_BUNDLE_HOURS),
  passphrase: Passphrase,
}).strict();
export const BundleCheckoutOutput = BundleFile.extend({ bundleId: z.string(), items: z.number().int(), leaseExpiresAt: IsoDateTime });
