// Layer rules of DESIGN.md §3. A rule that is only written down is not a rule: these fail `npm run lint`
// (and so `npm test`). test/lint/layers.test.ts proves each forbidden edge is caught.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const NODE_BUILTINS = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises',
  'http', 'http2', 'https', 'net', 'os', 'path', 'process', 'readline', 'stream', 'tls', 'url', 'util',
  'worker_threads', 'zlib', 'v8', 'vm', 'perf_hooks', 'timers', 'module',
];

const msg = (layer, what) => `${layer} may not import ${what} (DESIGN.md §3 layer rules)`;

// Each layer: regexes over the import specifier that are forbidden there.
const layers = {
  'shared/**': [
    { regex: '^(?!zod$|zod/|\\./).*', message: msg('shared/', 'anything but zod and shared/') },
  ],
  'electron/core/**': [
    { regex: '^electron(/.*)?$', message: msg('electron/core', "'electron'") },
    { regex: '(^|/)(main|preload|web)(/|$)', message: msg('electron/core', 'electron/main, preload or web') },
    { regex: '(^|/)renderer(/|$)', message: msg('electron/core', 'renderer/') },
    { regex: '(^|/)server(/|$)', message: msg('electron/core', 'server/') },
  ],
  'electron/web/**': [
    { regex: '^electron(/.*)?$', message: msg('electron/web', "'electron'") },
    { regex: '(^|/)(main|preload)(/|$)', message: msg('electron/web', 'electron/main or preload') },
    { regex: '(^|/)renderer(/|$)', message: msg('electron/web', 'renderer/ source (it serves the built files)') },
    { regex: '(^|/)server(/|$)', message: msg('electron/web', 'server/') },
  ],
  'electron/main/**': [
    { regex: '(^|/)(preload|web)(/|$)', message: msg('electron/main', 'electron/preload or web') },
    { regex: '(^|/)renderer(/|$)', message: msg('electron/main', 'renderer/') },
    { regex: '(^|/)server(/|$)', message: msg('electron/main', 'server/') },
  ],
  'electron/preload/**': [
    { regex: '^node:', message: msg('electron/preload', 'node: modules') },
    { regex: '(^|/)(core|main|web)(/|$)', message: msg('electron/preload', 'electron/core, main or web') },
    { regex: '(^|/)renderer(/|$)', message: msg('electron/preload', 'renderer/') },
    { regex: '(^|/)server(/|$)', message: msg('electron/preload', 'server/') },
  ],
  'renderer/**': [
    { regex: '^electron(/.*)?$', message: msg('renderer/', "'electron'") },
    { regex: '^node:', message: msg('renderer/', 'node: modules') },
    { regex: `^(${NODE_BUILTINS.map((m) => m.replace('/', '\\/')).join('|')})$`, message: msg('renderer/', 'Node built-ins') },
    { regex: '(^|/)electron/', message: msg('renderer/', 'electron/**') },
    { regex: '(^|/)server(/|$)', message: msg('renderer/', 'server/') },
    { regex: '^better-sqlite3$', message: msg('renderer/', 'better-sqlite3') },
  ],
  'server/**': [
    { regex: '^electron(/.*)?$', message: msg('server/', "'electron'") },
    { regex: '(^|/)electron/', message: msg('server/', 'electron/**') },
    { regex: '(^|/)renderer(/|$)', message: msg('server/', 'renderer/') },
  ],
};

const layerConfigs = Object.entries(layers).map(([glob, patterns]) => ({
  files: [glob.replace('/**', '/**/*.{ts,tsx,js,mjs,cjs}')],
  rules: {
    'no-restricted-imports': ['error', { patterns }],
  },
}));

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', 'release/**', 'out/**', '.tools/**', 'test-artifacts/**', 'coverage/**', '.scratch*/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.browser },
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  ...layerConfigs,
  {
    // Raw ipcMain is allowed only in the one IPC wrapper (DESIGN.md §3).
    files: ['electron/main/**/*.{ts,tsx}'],
    ignores: ['electron/main/ipc-wrapper.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: layers['electron/main/**'],
        paths: [{ name: 'electron', importNames: ['ipcMain'], message: 'raw ipcMain only in electron/main/ipc-wrapper.ts' }],
      }],
    },
  },
);
