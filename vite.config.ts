// The renderer build: root renderer/, output dist/renderer/, relative base so the same files load
// under Electron's app:// and browser mode's http://127.0.0.1.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * renderer/early.ts is an entry of its own, and index.html loads it first, with its imports preloaded, so the
 * boot's first desk calls leave before the main bundle has arrived (renderer/desk/early-calls.ts).
 */
function earlyCallsFirst(): Plugin {
  return {
    name: 'desk-early-calls-first',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const early = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && c.isEntry && c.name === 'early');
        if (!early || early.type !== 'chunk') throw new Error('the build has no early-calls entry chunk (renderer/early.ts)');
        // First in the document: module scripts run in document order, so the bundle's script runs after it.
        return [
          ...early.imports.map((f) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `./${f}` }, injectTo: 'head-prepend' as const })),
          { tag: 'script', attrs: { type: 'module', crossorigin: true, src: `./${early.fileName}` }, injectTo: 'head-prepend' },
        ];
      },
    },
  };
}

export default defineConfig({
  root: here('./renderer'),
  base: './',
  plugins: [react(), earlyCallsFirst()],
  build: {
    outDir: here('./dist/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // One small app: no inline assets (the CSP allows no data: scripts or styles).
    assetsInlineLimit: 0,
    // The first bundle holds what paints the first item (~350 KiB minified, react-dom ~200 of it); the
    // other views, the palette and help are chunks loaded on first use or fetched after that paint
    // (renderer/views/lazy-parts.ts). zod stays out (the renderer imports only zod-free values from shared/, see
    // shared/desk-names.ts; test/renderer/desk-names.test.ts checks the built bundle).
    chunkSizeWarningLimit: 600,
    rollupOptions: { input: { index: here('./renderer/index.html'), early: here('./renderer/early.ts') } },
  },
  server: {
    // `DESK_WEB_URL=http://127.0.0.1:<port> npx vite` proxies the desk API to a running browser mode.
    proxy: process.env.DESK_WEB_URL
      ? { '/rpc': process.env.DESK_WEB_URL, '/events': { target: process.env.DESK_WEB_URL, changeOrigin: false } }
      : undefined,
  },
});
