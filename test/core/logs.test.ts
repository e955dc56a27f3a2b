// The core's log file: written to the folder it is given, says what sync did, and never holds a token or
// the content of an item or a decision. The redaction config is checked on its own too, since the sync run
// only proves what today's log calls happen to pass.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/index';
import { loggerOptions } from '../../electron/core/log';
import { demoToken } from '../helpers/demo-fixture';
import { startTestServer, type TestServer } from '../helpers/server';
import { demoCore, ok, tmpDir } from './core-fixture';

const PAYLOAD_MARK = 'payload-mark-7f3a91';
const NOTE_MARK = 'note-mark-c2d0e4';

let server: TestServer;
let core: Core | null = null;
const tmp = tmpDir('logs');
const logDir = tmp.file('logs');

const readLogs = () => readdirSync(logDir).filter((f) => f.endsWith('.log')).map((f) => readFileSync(join(logDir, f), 'utf8')).join('');

beforeAll(async () => {
  server = await startTestServer({ seed: 'demo' });
});
afterAll(async () => {
  await core?.close();
  await server?.close();
  tmp.cleanup();
});

describe('core logs', () => {
  it('a sync with decisions is logged to core.N.log in the log folder, with no token and no item content', async () => {
    core = await demoCore(server.url, tmp.file('cache.sqlite'), { logDir });
    await ok(core, 'session.connectDemo', { user: 'alice' });
    await ok(core, 'sync.now', {});
    const page = await ok(core, 'queue.page', { filter: { statuses: ['leased'] }, limit: 3 });
    const [a, b] = page.rows.map((r) => r.id);
    const title = (await ok(core, 'item.get', { itemId: a })).item.title;
    await ok(core, 'triage.decide', { itemId: a, kind: 'correct', payload: { correctedOutput: { total: PAYLOAD_MARK }, comment: PAYLOAD_MARK } });
    await ok(core, 'triage.decide', { itemId: b, kind: 'note', payload: { text: NOTE_MARK } });
    await ok(core, 'sync.now', {});
    expect(await ok(core, 'app.revealLogs', {})).toEqual({ path: logDir, revealed: false });
    await core.close();
    core = null;

    expect(readdirSync(logDir).some((f) => /^core\.\d+\.log$/.test(f))).toBe(true);
    const text = readLogs();
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { msg: string });
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['core ready', 'signed in', 'push', 'pull page', 'core closed']));
    expect(text).not.toContain(demoToken('alice'));
    expect(text).not.toContain(PAYLOAD_MARK);
    expect(text).not.toContain(NOTE_MARK);
    expect(text).not.toContain(title);
  });

  it("the renderer's reported errors reach the log, even from a core closed at once; a report out of bounds is refused and logs nothing", async () => {
    const dir = tmp.file('logs-renderer');
    core = await demoCore(server.url, tmp.file('cache-renderer.sqlite'), { logDir: dir });
    const report = { where: 'view:queue', name: 'TypeError', message: 'rows is undefined', stack: 'TypeError: rows is undefined\n    at QueueGrid' };
    expect(await ok(core, 'app.reportError', report)).toEqual({ ok: true });
    for (const bad of [
      { ...report, where: '' },
      { ...report, message: 'x'.repeat(2001) },
      { ...report, stack: 'y'.repeat(8001) },
      { ...report, extra: 'not in the contract' },
      { where: 'view:queue' },
    ]) {
      const r = await core.call('app.reportError', bad);
      expect(r.ok, JSON.stringify(bad).slice(0, 80)).toBe(false);
    }
    await core.close();
    core = null;

    const lines = readdirSync(dir).filter((f) => f.endsWith('.log'))
      .flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n'))
      .map((l) => JSON.parse(l) as { msg: string; level: number; rendererError?: unknown });
    // This core lived ~100 ms: its first and last lines are there too (the file used to open too late).
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['core ready', 'core closed']));
    const reported = lines.filter((l) => l.msg === 'renderer error');
    expect(reported).toHaveLength(1);
    expect(reported[0].rendererError).toEqual(report);
    expect(reported[0].level).toBe(50);
  });

  it('the redaction config censors secrets and content wherever a caller puts them (one level deep)', () => {
    let out = '';
    const sink = new Writable({ write(chunk, _enc, done) { out += String(chunk); done(); } });
    const log = pino(loggerOptions('probe'), sink);
    log.info({ token: 'tok-1', headers: { authorization: 'Bearer tok-2' }, payload: { x: 'p-1' }, item: { title: 't-1' },
      result: { item: { title: 't-2' }, comment: 'c-1' }, req: { headers: { authorization: 'Bearer tok-3' } }, itemId: 'itm-1' }, 'probe');
    for (const secret of ['tok-1', 'tok-2', 'tok-3', 'p-1', 't-1', 't-2', 'c-1']) expect(out).not.toContain(secret);
    expect(out).toContain('itm-1');
    expect(out).toContain('[redacted]');
  });
});
