// The UI bench's channel to its core's process (test/bench/ui-core-channel.ts): both ends check every message.
// The core's end answers a malformed request with a clear error and does nothing else; the bench's end refuses
// a malformed reply or answer (every waiting request fails with why, and that process is ended).
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CORE_PROCESS, connectCore, coreReply, coreRequest } from '../bench/ui-core-channel';

const dir = mkdtempSync(join(tmpdir(), 'ui-core-channel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in for the core's process that answers every request with `reply(request)`. */
function liar(name: string, reply: string): string {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, `process.on('message', (req) => process.send((${reply})(req)));\n`);
  return file;
}

describe("the UI bench's core process", () => {
  it('answers a malformed request with a clear error, and a good one after it', async () => {
    const child = fork(CORE_PROCESS, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const replies = new Map<number, unknown>();
    const waiters = new Map<number, () => void>();
    child.on('message', (m) => {
      const r = coreReply.parse(m);
      replies.set(r.id, r);
      waiters.get(r.id)?.();
    });
    const exchange = (msg: object, id: number) => new Promise<unknown>((resolve) => {
      waiters.set(id, () => resolve(replies.get(id)));
      child.send(msg);
    });
    try {
      let id = 0;
      // Anything that is not a request (no open among them: that would open a core).
      await fc.assert(fc.asyncProperty(fc.anything(), async (junk) => {
        id++;
        const msg = { id, op: 'open', cacheFile: 1, junk };
        expect(coreRequest.safeParse(msg).success).toBe(false);
        const r = await exchange(msg, id);
        expect(r).toMatchObject({ id, ok: false, error: expect.stringMatching(/^malformed request/) });
      }), { numRuns: 30 });
      await fc.assert(fc.asyncProperty(fc.string().filter((op) => !coreRequest.options.some((o) => o.shape.op.value === op)), async (op) => {
        id++;
        expect(await exchange({ id, op }, id)).toMatchObject({ id, ok: false, error: expect.stringMatching(/^malformed request/) });
      }), { numRuns: 30 });
      id++;
      expect(await exchange({ id, op: 'call', method: 'sync.status', input: {} }, id)).toMatchObject({ ok: false, error: 'no core open' });
      id++;
      const now = await exchange({ id, op: 'now' }, id);
      expect(now).toMatchObject({ id, ok: true, value: expect.any(Number) });
      expect(Math.abs((now as { value: number }).value - (performance.timeOrigin + performance.now()))).toBeLessThan(60_000);
      id++;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      expect(await exchange({ id, op: 'close' }, id)).toMatchObject({ id, ok: true });
      expect(await exited).toBe(0);
    } finally {
      child.kill();
    }
  }, 30_000);
});

describe("the bench's end of the channel", () => {
  it('refuses a reply that does not fit the channel and ends that process', async () => {
    const core = connectCore(liar('bad-reply', '(req) => ({ id: req.id, ok: "yes" })'));
    await expect(core.ask('now')).rejects.toThrow(/malformed reply/);
    await core.close();
  }, 20_000);

  it('refuses an answer of the wrong shape for its request', async () => {
    const core = connectCore(liar('bad-answer', '(req) => ({ id: req.id, ok: true, value: "noon" })'));
    await expect(core.ask('now')).rejects.toThrow(/now: malformed answer/);
    await core.close();
  }, 20_000);

  it('refuses an answer to a request it did not send', async () => {
    const core = connectCore(liar('stray', '(req) => ({ id: req.id + 100, ok: true, value: 1 })'));
    await expect(core.ask('now')).rejects.toThrow(/not waiting/);
    await core.close();
  }, 20_000);

  it('refuses to send a request the core could not take', async () => {
    const core = connectCore(liar('echo', '(req) => ({ id: req.id, ok: true, value: null })'));
    await expect(core.ask('web', { staticDir: 5 } as never)).rejects.toThrow(/staticDir/);
    await core.close();
  }, 20_000);
});
