// The layer rules of DESIGN.md §3 are enforced, not hoped for: each forbidden edge must fail lint,
// and each allowed edge must pass. Runs ESLint's Node API on in-memory sources at real file paths.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The probes are in-memory files, so the type-aware parser settings (which need files on disk) are
// switched off; the layer rules themselves are the project's real config.
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false, project: null } },
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
  },
});

async function layerErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  const fatal = result.messages.filter((m) => m.fatal);
  if (fatal.length > 0) throw new Error(`lint could not parse ${filePath}: ${fatal[0].message}`);
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const forbidden: Array<[string, string]> = [
  ['shared/x-probe.ts', "import fs from 'node:fs';"],
  ['shared/x-probe.ts', "import { x } from '../server/app';"],
  ['shared/x-probe.ts', "import React from 'react';"],
  ['electron/core/x-probe.ts', "import { app } from 'electron';"],
  ['electron/core/x-probe.ts', "import { w } from '../main/window';"],
  ['electron/core/x-probe.ts', "import { v } from '../../renderer/app';"],
  ['electron/core/x-probe.ts', "import { s } from '../../server/app';"],
  ['electron/web/x-probe.ts', "import { BrowserWindow } from 'electron';"],
  ['electron/web/x-probe.ts', "import { v } from '../../renderer/main';"],
  ['electron/preload/x-probe.ts', "import fs from 'node:fs';"],
  ['electron/preload/x-probe.ts', "import { c } from '../core/index';"],
  ['electron/main/x-probe.ts', "import { ipcMain } from 'electron';"],
  ['electron/main/x-probe.ts', "import { v } from '../../renderer/main';"],
  ['renderer/x-probe.ts', "import { ipcRenderer } from 'electron';"],
  ['renderer/x-probe.ts', "import fs from 'node:fs';"],
  ['renderer/x-probe.ts', "import path from 'path';"],
  ['renderer/x-probe.ts', "import { c } from '../electron/core/index';"],
  ['renderer/x-probe.ts', "import { s } from '../server/app';"],
  ['renderer/x-probe.ts', "import Database from 'better-sqlite3';"],
  ['server/x-probe.ts', "import { c } from '../electron/core/index';"],
  ['server/x-probe.ts', "import { v } from '../renderer/main';"],
  ['server/x-probe.ts', "import { app } from 'electron';"],
];

const allowed: Array<[string, string]> = [
  ['shared/x-probe.ts', "import { z } from 'zod';\nimport { Item } from './domain';\nexport const a = [z, Item];"],
  ['electron/core/x-probe.ts', "import Database from 'better-sqlite3';\nimport { join } from 'node:path';\nimport { Item } from '../../shared/domain';\nexport const a = [Database, join, Item];"],
  ['electron/main/x-probe.ts', "import { app } from 'electron';\nimport { Item } from '../../shared/domain';\nexport const a = [app, Item];"],
  ['electron/main/ipc-wrapper.ts', "import { ipcMain } from 'electron';\nexport const a = ipcMain;"],
  ['electron/preload/x-probe.ts', "import { contextBridge } from 'electron';\nexport const a = contextBridge;"],
  ['electron/web/x-probe.ts', "import { createServer } from 'node:http';\nexport const a = createServer;"],
  ['renderer/x-probe.tsx', "import { create } from 'zustand';\nimport { Item } from '../shared/domain';\nexport const a = [create, Item];"],
  ['server/x-probe.ts', "import Fastify from 'fastify';\nimport { Item } from '../shared/domain';\nexport const a = [Fastify, Item];"],
];

describe('layer rules (DESIGN §3)', () => {
  it.each(forbidden)('%s may not: %s', async (file, source) => {
    const errors = await layerErrors(file, `${source}\nexport const probe = 1;\n`);
    expect(errors.length, `expected a layer violation in ${file}`).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(/DESIGN\.md §3|ipcMain only/);
  });

  it.each(allowed)('%s may: %s', async (file, source) => {
    expect(await layerErrors(file, source)).toEqual([]);
  });
});
