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

const LAYER_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax', 'boundaries/dependencies', 'boundaries/no-unknown-dependencies']);

async function layerErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  const fatal = result.messages.filter((m) => m.fatal);
  if (fatal.length > 0) throw new Error(`lint could not parse ${filePath}: ${fatal[0].message}`);
  return result.messages.filter((m) => LAYER_RULES.has(m.ruleId ?? '')).map((m) => `${m.ruleId}: ${m.message}`);
}

const forbidden: Array<[string, string]> = [
  ['shared/x-probe.ts', "import fs from 'node:fs';"],
  ['shared/x-probe.ts', "import { x } from '../server/app';"],
  ['shared/x-probe.ts', "import React from 'react';"],
  ['electron/core/x-probe.ts', "import { app } from 'electron';"],
  ['electron/core/x-probe.ts', "import { w } from '../main/main-window';"],
  ['electron/core/x-probe.ts', "import { v } from '../../renderer/main';"],
  // A local path that resolves to nothing cannot be checked against the allow-lists.
  ['electron/core/x-probe.ts', "import { w } from '../main/no-such-file';"],
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
  // Sidesteps of a pattern on the specifier text: the allow-lists are checked on resolved paths.
  ['shared/x-probe.ts', "import { x } from './../server/app';"],
  ['shared/x-probe.ts', "export * from './../electron/core/index';"],
  ['renderer/x-probe.ts', "export const load = () => import('../electron/core/index');"],
  ['renderer/x-probe.ts', "export const load = () => import('node:fs');"],
  ['renderer/x-probe.ts', "const name = '../server/app';\nexport const load = () => import(name);"],
  ['electron/core/x-probe.ts', "export const load = () => import('electron');"],
  ['electron/main/x-probe.ts', "import electron from 'electron';\nexport const i = electron.ipcMain;"],
  ['electron/main/x-probe.ts', "import * as electron from 'electron';\nexport const i = electron.ipcMain;"],
  ['electron/main/x-probe.ts', "export const load = async () => (await import('electron')).ipcMain;"],
  // electron/common is for the Electron side only.
  ['renderer/x-probe.ts', "import { CONTENT_SECURITY_POLICY } from '../electron/common/renderer-security';"],
  ['server/x-probe.ts', "import { contentTypeFor } from '../electron/common/content-types';"],
  ['shared/x-probe.ts', "import { contentTypeFor } from '../electron/common/content-types';"],
  ['electron/common/x-probe.ts', "import { c } from '../core/index';"],
  ['electron/common/x-probe.ts', "import { readFile } from 'node:fs/promises';"],
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
  ['electron/main/x-probe.ts', "import { contentTypeFor } from '../common/content-types';\nexport const a = contentTypeFor;"],
  ['electron/preload/x-probe.ts', "import { createDeskPortClient } from '../common/desk-port-client';\nexport const a = createDeskPortClient;"],
  ['electron/web/x-probe.ts', "import { SECURITY_HEADERS } from '../common/renderer-security';\nimport { createCore } from '../core/index';\nexport const a = [SECURITY_HEADERS, createCore];"],
  ['electron/common/x-probe.ts', "import { DeskEventMessage } from '../../shared/desk-api';\nexport const a = DeskEventMessage;"],
  ['renderer/x-probe.tsx', "export const load = () => import('./views/StatsView');"],
  ['electron/main/ipc-wrapper.ts', "export const load = async () => (await import('electron')).ipcMain;"],
];

describe('layer rules (DESIGN §3)', () => {
  it.each(forbidden)('%s may not: %s', async (file, source) => {
    const errors = await layerErrors(file, `${source}\nexport const probe = 1;\n`);
    expect(errors.length, `expected a layer violation in ${file}`).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(/DESIGN\.md §3|ipcMain only|boundaries\/(dependencies|no-unknown-dependencies): /);
  });

  it.each(allowed)('%s may: %s', async (file, source) => {
    expect(await layerErrors(file, source)).toEqual([]);
  });
});
