// The dispatcher browser mode serves while `npm start` is still opening the core (issue 15 gap 4): calls
// made before the core is ready wait and are answered by it; event listeners added before then hear its
// events; a core that never comes answers `desk_unreachable`. Over real HTTP too: a page loaded before the
// core is ready gets its first session.get answered by the signed-in core.
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeskDispatcher, DeskEventName } from '../../shared/desk-api';
import { createDeferredDispatcher, startBrowserMode } from '../../electron/web';
import { rawRequest, rpc } from './http-client';

function recordingCore() {
  const calls: string[] = [];
  const listeners = new Set<(name: DeskEventName, payload: unknown) => void>();
  const core: DeskDispatcher = {
    async call(method, input) {
      calls.push(method);
      return { ok: true, value: { method, input } };
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const emit = (name: DeskEventName, payload: unknown) => listeners.forEach((l) => l(name, payload));
  return { core, calls, emit, listenerCount: () => listeners.size };
}

describe('deferred dispatcher', () => {
  it('holds calls made before the core is ready and hands them to it, in order, once it is', async () => {
    const deferred = createDeferredDispatcher();
    const fake = recordingCore();
    let answered = 0;
    const early = ['session.get', 'settings.get', 'triage.next'].map((m) => deferred.call(m, { m }).then((r) => (answered++, r)));
    await new Promise((r) => setTimeout(r, 20));
    expect(answered).toBe(0);
    expect(fake.calls).toEqual([]);
    deferred.ready(fake.core);
    expect(await Promise.all(early)).toEqual(['session.get', 'settings.get', 'triage.next'].map((m) => ({ ok: true, value: { method: m, input: { m } } })));
    expect(fake.calls).toEqual(['session.get', 'settings.get', 'triage.next']);
    expect(await deferred.call('queue.list', {})).toEqual({ ok: true, value: { method: 'queue.list', input: {} } });
  });

  it('answers desk_unreachable, with the reason, when the core never comes', async () => {
    const deferred = createDeferredDispatcher();
    const waiting = deferred.call('session.get', {});
    deferred.failed('the cache is locked');
    const refusal = { ok: false, error: { code: 'desk_unreachable', message: 'the desk core did not start: the cache is locked' } };
    expect(await waiting).toEqual(refusal);
    expect(await deferred.call('settings.get', {})).toEqual(refusal);
    expect(() => deferred.ready(recordingCore().core)).toThrow(/already settled/);
  });

  it('delivers events to every listener attached when they happen, whether added before or after the core came', async () => {
    // Each step: add a listener, remove one, or the core arrives (once); then the core emits one event.
    const step = fc.oneof(fc.constant({ kind: 'add' as const }), fc.nat(20).map((n) => ({ kind: 'remove' as const, n })), fc.constant({ kind: 'ready' as const }));
    await fc.assert(fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
      const deferred = createDeferredDispatcher();
      const fake = recordingCore();
      let isReady = false;
      type Listening = { heard: number[]; want: number[]; off: () => void };
      const all: Listening[] = [];
      const live: Listening[] = [];
      let seq = 0;
      for (const s of [...steps, { kind: 'ready' as const }]) {
        if (s.kind === 'add') {
          const heard: number[] = [];
          const rec = { heard, want: [], off: deferred.onEvent((_name, payload) => heard.push(payload as number)) };
          live.push(rec);
          all.push(rec);
        } else if (s.kind === 'remove' && live.length > 0) {
          live.splice(s.n % live.length, 1)[0].off();
        } else if (s.kind === 'ready' && !isReady) {
          deferred.ready(fake.core);
          isReady = true;
        }
        if (isReady) {
          seq++;
          fake.emit('sync.status', seq);
          for (const rec of live) rec.want.push(seq);
        }
      }
      for (const rec of all) expect(rec.heard).toEqual(rec.want);
      expect(fake.listenerCount()).toBe(live.length);
    }));
  });

  it('serves the page at once and answers its first calls from the core that became ready after they were sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'desk-web-deferred-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>desk</title>');
    const deferred = createDeferredDispatcher();
    const web = await startBrowserMode({ core: deferred, staticDir: dir });
    try {
      expect((await rawRequest({ port: web.port, path: '/' })).status).toBe(200);
      const first = rpc(web.port, web.token, 'session.get', {});
      const fake = recordingCore();
      setTimeout(() => deferred.ready(fake.core), 50);
      expect((await first).json()).toEqual({ ok: true, value: { method: 'session.get', input: {} } });
    } finally {
      await web.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
