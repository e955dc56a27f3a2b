// Core, server and browser-mode tests run under plain Node where the Electron binary does not exist.
// A stray `import 'electron'` reached from them must fail loudly, not hang or download.
import Module from 'node:module';

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
const mod = Module as unknown as { _load: Loader };
const originalLoad = mod._load;
mod._load = function guardedLoad(request: string, parent: unknown, isMain: boolean) {
  if (request === 'electron' || request.startsWith('electron/')) {
    throw new Error(`forbidden: '${request}' was required from a Node test; only electron/main may import electron`);
  }
  return originalLoad.call(this, request, parent, isMain);
};
