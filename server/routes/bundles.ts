// Restricted sites (DESIGN §11): the server's bundle key, device keys, work bundles out, decisions in.
// Bundle bytes travel as base64 inside JSON so these routes keep the one zod-checked JSON path.
import { z } from 'zod';
import {
  BundleCheckoutRequest, BundleCheckoutResponse, BundleError, BundleKeyResponse, DecisionsImportRequest, DecisionsImportResponse,
  DeviceRegistration, DeviceRegistrationResponse, MAX_BUNDLE_BASE64,
} from '../../shared/bundle-format';
import { ProblemError } from '../problem';
import { checkoutWorkBundle } from '../services/bundles/checkout';
import { importDecisionsBundle } from '../services/bundles/decisions';
import { bundleKey, registerDevice } from '../services/bundles/keys';
import { defineRoute } from './define';

export const BUNDLE_BODY_LIMIT = MAX_BUNDLE_BASE64 + 64 * 1024;

/** A refused bundle is a 400 problem whose first error names the BundleErrorCode; nothing was applied. */
export function bundleProblem(err: BundleError): ProblemError {
  return new ProblemError('bundleRefused', 400, err.message, { errors: [{ path: 'bundle', message: err.code }] });
}

async function refusing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw err instanceof BundleError ? bundleProblem(err) : err;
  }
}

export const bundleRoutes = [
  defineRoute({
    method: 'GET', path: '/v1/bundles/key', summary: 'The public key that signs work bundles and receipts (Ed25519, SPKI DER hex)',
    access: 'public', query: z.object({}), response: BundleKeyResponse,
    handler: async ({ ctx }) => bundleKey(ctx),
  }),
  defineRoute({
    method: 'POST', path: '/v1/bundles/devices', summary: 'Register the key this desk signs its decisions bundles with',
    access: ['reviewer', 'owner'], body: DeviceRegistration, response: DeviceRegistrationResponse, problems: [403, 409],
    handler: async ({ ctx, user, body }) => registerDevice(ctx, user, body),
  }),
  defineRoute({
    method: 'POST', path: '/v1/bundles/checkout', summary: 'Lease `count` items to a reviewer for `hours` and answer a signed work bundle',
    access: ['reviewer', 'supervisor'], body: BundleCheckoutRequest, response: BundleCheckoutResponse, problems: [403, 404],
    handler: async ({ ctx, user, body }) => {
      const out = await checkoutWorkBundle(ctx, user, { ...body, userId: body.userId ?? user.id });
      return { bundle: Buffer.from(out.bytes).toString('base64'), bundleId: out.bundleId, items: out.items, leaseExpiresAt: out.leaseExpiresAt };
    },
  }),
  defineRoute({
    method: 'POST', path: '/v1/bundles/decisions', summary: 'Import a decisions bundle through the push path; answers a signed receipt',
    access: ['reviewer', 'owner', 'supervisor'], body: DecisionsImportRequest, response: DecisionsImportResponse,
    bodyLimit: BUNDLE_BODY_LIMIT, problems: [403, 409, 413, 503],
    handler: async ({ ctx, user, body }) => refusing(async () => {
      const out = await importDecisionsBundle(ctx, user, Buffer.from(body.bundle, 'base64'), body.passphrase);
      return { receipt: Buffer.from(out.receipt).toString('base64'), bundleId: out.bundleId, lastMutationId: out.lastMutationId, summary: out.summary };
    }),
  }),
];
