// Size limits of bundle transfers that code without the bundle schemas needs (browser mode's body limit for
// the two file methods), without zod: importing bundle-format.ts builds every bundle and central-API schema,
// which `npm start` would pay before printing its launch URL (issue 15 gap 4). bundle-format.ts re-exports it.

/** A bundle travels as base64 inside a desk call or a server request: at most this many characters. */
export const MAX_BUNDLE_BASE64 = 64 * 1024 * 1024;
