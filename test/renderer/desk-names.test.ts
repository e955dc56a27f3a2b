// The renderer's zod-free names and shell-event check (shared/desk-names.ts) agree with the zod
// contract, and the built renderer bundle carries no zod at all (issue 9 item 7) and is React's production
// build even when a test run (NODE_ENV=test) builds it.
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../scripts/build';
import { RENDERER_OUT, rendererStep, runStep } from '../../scripts/build-steps';
import { DESK_METHOD_NAMES, deskEvents, shellEvents } from '../../shared/desk-api';
import { ExceptionClass } from '../../shared/domain';
import * as names from '../../shared/desk-names';

describe('zod-free desk names', () => {
  it('name exactly the contract’s methods, events, shell events and classes', () => {
    expect([...names.DESK_METHOD_NAMES].sort()).toEqual([...DESK_METHOD_NAMES].sort());
    expect([...names.DESK_EVENT_NAMES].sort()).toEqual(Object.keys(deskEvents).sort());
    expect([...names.SHELL_EVENT_NAMES].sort()).toEqual(Object.keys(shellEvents).sort());
    expect([...names.EXCEPTION_CLASSES]).toEqual(ExceptionClass.options);
  });

  it('checkShellEvent accepts and strips exactly what the zod schemas do, on generated payloads', () => {
    const near = {
      'app.command': fc.record({ command: fc.oneof(fc.string({ maxLength: 120 }), fc.integer(), fc.constant(null)), extra: fc.anything() }, { requiredKeys: [] }),
      'core.restarted': fc.record({ restarts: fc.oneof(fc.integer({ min: -3, max: 9 }), fc.double(), fc.string()), reason: fc.oneof(fc.string(), fc.boolean()), gaveUp: fc.oneof(fc.boolean(), fc.string()) }, { requiredKeys: [] }),
      'app.notice': fc.record({ level: fc.oneof(fc.constantFrom('info', 'warning', 'error', 'fatal'), fc.integer()), code: fc.oneof(fc.string(), fc.constant(1)), message: fc.oneof(fc.string(), fc.constant(undefined)) }, { requiredKeys: [] }),
    } as const;
    for (const name of names.SHELL_EVENT_NAMES) {
      fc.assert(
        fc.property(fc.oneof(near[name], fc.anything()), (payload) => {
          const z = shellEvents[name].safeParse(payload);
          const plain = names.checkShellEvent(name, payload);
          expect(plain !== null, JSON.stringify(payload)).toBe(z.success);
          if (z.success) expect(plain).toEqual(z.data);
        }),
        { numRuns: 400 },
      );
    }
    expect(names.checkShellEvent('fs.write', { command: 'x' })).toBeNull();
  });
});

describe('the renderer bundle', () => {
  it('holds no zod (react-dom is the big part)', async () => {
    await ensureBuilt({ electron: false, quiet: true });
    const assets = join(RENDERER_OUT, 'assets');
    const maps = readdirSync(assets).filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(0);
    const sources = maps.flatMap((m) => (JSON.parse(readFileSync(join(assets, m), 'utf8')) as { sources: string[] }).sources);
    expect(sources.some((s) => s.includes('node_modules/react-dom/'))).toBe(true); // the check can see packages
    expect(sources.filter((s) => /node_modules\/zod\//.test(s))).toEqual([]);
  }, 120_000);

  it('is React\'s production build even when built from a test run (NODE_ENV=test)', async () => {
    expect(process.env.NODE_ENV).toBe('test'); // what a build started from vitest inherits
    const out = mkdtempSync(join(tmpdir(), 'desk-renderer-build-'));
    try {
      await runStep({ ...rendererStep, command: [...rendererStep.command, '--outDir', out, '--emptyOutDir'] }, true);
      const assets = join(out, 'assets');
      const sources = readdirSync(assets).filter((f) => f.endsWith('.js.map'))
        .flatMap((m) => (JSON.parse(readFileSync(join(assets, m), 'utf8')) as { sources: string[] }).sources)
        .filter((s) => /node_modules\/react(-dom)?\/cjs\//.test(s));
      expect(sources.some((s) => s.endsWith('react-dom-client.production.js'))).toBe(true);
      expect(sources.filter((s) => s.endsWith('.development.js'))).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
