// Layer rules of DESIGN.md §3. A rule that is only written down is not a rule: these fail `npm run lint`
// (and so `npm test`). test/lint/layers.test.ts proves each forbidden edge is caught.
//
// Two checks, each on what it can see:
// - between our own folders: allow-lists on RESOLVED paths (eslint-plugin-boundaries), for static imports,
//   re-exports, require() and dynamic import() alike, so './../server/app' or import('../electron/core')
//   cannot slip past a pattern on the specifier text;
// - packages and Node built-ins: patterns on the specifier (no-restricted-imports), and the same patterns
//   on dynamic import() (no-restricted-syntax), which no-restricted-imports does not see.
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const NODE_BUILTINS = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises',
  'http', 'http2', 'https', 'net', 'os', 'path', 'process', 'readline', 'stream', 'tls', 'url', 'util',
  'worker_threads', 'zlib', 'v8', 'vm', 'perf_hooks', 'timers', 'module',
];

const msg = (layer, what) => `${layer} may not import ${what} (DESIGN.md §3 layer rules)`;

// Our folders (elements) and which of them each may import: everything else between them is an error.
const elements = {
  shared: 'shared',
  common: 'electron/common',
  core: 'electron/core',
  main: 'electron/main',
  preload: 'electron/preload',
  web: 'electron/web',
  renderer: 'renderer',
  server: 'server',
};
const mayImport = {
  shared: ['shared'],
  common: ['common', 'shared'],
  core: ['core', 'common', 'shared'],
  main: ['main', 'core', 'common', 'shared'],
  preload: ['preload', 'common', 'shared'],
  web: ['web', 'core', 'common', 'shared'],
  renderer: ['renderer', 'shared'],
  server: ['server', 'shared'],
};

// Packages and built-ins each layer may not import: regexes over the specifier (relative paths are the
// boundaries rule's job).
const layers = {
  'shared/**': [
    { regex: '^(?!zod$|zod/|\\.).*', message: msg('shared/', 'anything but zod and shared/') },
  ],
  'electron/common/**': [
    { regex: '^(?!\\.).*', message: msg('electron/common', 'any package (shared/ and itself only)') },
  ],
  'electron/core/**': [
    { regex: '^electron(/.*)?$', message: msg('electron/core', "'electron'") },
  ],
  'electron/web/**': [
    { regex: '^electron(/.*)?$', message: msg('electron/web', "'electron'") },
  ],
  'electron/main/**': [],
  'electron/preload/**': [
    { regex: '^node:', message: msg('electron/preload', 'node: modules') },
    { regex: `^(${NODE_BUILTINS.map((m) => m.replace('/', '\\/')).join('|')})$`, message: msg('electron/preload', 'Node built-ins') },
  ],
  'renderer/**': [
    { regex: '^electron(/.*)?$', message: msg('renderer/', "'electron'") },
    { regex: '^node:', message: msg('renderer/', 'node: modules') },
    { regex: `^(${NODE_BUILTINS.map((m) => m.replace('/', '\\/')).join('|')})$`, message: msg('renderer/', 'Node built-ins') },
    { regex: '^better-sqlite3$', message: msg('renderer/', 'better-sqlite3') },
  ],
  'server/**': [
    { regex: '^electron(/.*)?$', message: msg('server/', "'electron'") },
  ],
};

/** no-restricted-syntax selectors: the same package patterns on import(), and import() of a computed name. */
function dynamicImportSelectors(patterns) {
  return [
    { selector: 'ImportExpression[source.type!="Literal"]', message: 'import() of a computed name cannot be checked against the layer rules (DESIGN.md §3)' },
    ...patterns.map(({ regex, message }) => ({
      // esquery ends a regex at any '/', escaped or not: spell the slash as \x2F.
      selector: `ImportExpression[source.value=/${regex.replaceAll('\\/', '/').replaceAll('/', '\\x2F')}/]`,
      message,
    })),
  ];
}

// Main: the real electron module only by name, so the ipcMain rule below cannot be sidestepped through
// a default or namespace import (electron.ipcMain), a require or an import().
const ELECTRON_ONLY_BY_NAME = [
  { selector: 'ImportDeclaration[source.value="electron"] > ImportDefaultSpecifier', message: "import names from 'electron' (raw ipcMain only in electron/main/ipc-wrapper.ts)" },
  { selector: 'ImportDeclaration[source.value="electron"] > ImportNamespaceSpecifier', message: "import names from 'electron' (raw ipcMain only in electron/main/ipc-wrapper.ts)" },
  { selector: 'ImportExpression[source.value="electron"]', message: "no import('electron') outside electron/main/ipc-wrapper.ts (raw ipcMain only there)" },
  { selector: 'CallExpression[callee.name="require"][arguments.0.value="electron"]', message: "no require('electron') (raw ipcMain only in electron/main/ipc-wrapper.ts)" },
];

const layerConfigs = Object.entries(layers).map(([glob, patterns]) => ({
  files: [glob.replace('/**', '/**/*.{ts,tsx,js,mjs,cjs}')],
  rules: {
    'no-restricted-imports': ['error', { patterns }],
    'no-restricted-syntax': ['error', ...dynamicImportSelectors(patterns)],
  },
}));

const boundariesConfig = {
  files: Object.values(elements).map((dir) => `${dir}/**/*.{ts,tsx,js,mjs,cjs}`),
  plugins: { boundaries },
  settings: {
    'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] } },
    'boundaries/elements': Object.entries(elements).map(([type, dir]) => ({ type, pattern: `${dir}/**`, partialMatch: false })),
    'boundaries/dependency-nodes': ['import', 'dynamic-import', 'export', 'require'],
  },
  rules: {
    'boundaries/dependencies': ['error', {
      default: 'disallow',
      policies: Object.entries(mayImport).map(([from, to]) => ({
        from: { element: { type: from } },
        allow: { to: { element: { types: { anyOf: to } } } },
      })),
    }],
    // A local import that resolves to no known file cannot be checked: it is an error too.
    'boundaries/no-unknown-dependencies': 'error',
  },
};

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
  boundariesConfig,
  {
    // Raw ipcMain is allowed only in the one IPC wrapper (DESIGN.md §3).
    files: ['electron/main/**/*.{ts,tsx}'],
    ignores: ['electron/main/ipc-wrapper.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: layers['electron/main/**'],
        paths: [{ name: 'electron', importNames: ['ipcMain'], message: 'raw ipcMain only in electron/main/ipc-wrapper.ts' }],
      }],
      'no-restricted-syntax': ['error', ...dynamicImportSelectors(layers['electron/main/**']), ...ELECTRON_ONLY_BY_NAME],
    },
  },
);
