// Shared setup of the core suites: a settable monotonic + wall clock, tmp cache files, and a core
// signed in to a real demo-seeded reference server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeskInput, DeskMethod, DeskOutput } from '../../shared/desk-api';
import { createCore, type Core, type CoreOptions } from '../../electron/core/index';

export class FakeClock {
  private mono = 1_000;
  constructor(private readonly wallBase = Date.parse('2026-11-28T09:00:00.000Z')) {}
  monotonicMs = (): number => this.mono;
  now = (): Date => new Date(this.wallBase + this.mono);
  advance(ms: number): void { this.mono += ms; }
}

export function tmpDir(prefix: string): { dir: string; file(name: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `desk-core-${prefix}-`));
  return { dir, file: (n) => join(dir, n), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Calls a desk method and throws with the error when it does not answer ok. */
export async function ok<M extends DeskMethod>(core: Core, method: M, input: DeskInput<M>): Promise<DeskOutput<M>> {
  const r = await core.call(method, input);
  if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`);
  return r.value as DeskOutput<M>;
}

export async function demoCore(serverUrl: string, cacheFile: string, extra: Partial<CoreOptions> = {}): Promise<Core> {
  return createCore({ cacheFile, demo: { serverUrl }, autoSync: false, ...extra });
}
