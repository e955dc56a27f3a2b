// vitest aliases 'electron' here (vitest.config.ts): tests run under plain Node, where importing the
// Electron package would try to download its binary. Reaching this module is a layering bug.
throw new Error("forbidden: 'electron' was imported from a Node test; only electron/main may import electron");
