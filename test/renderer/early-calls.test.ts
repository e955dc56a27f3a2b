// The boot's first reads sent before the bundle evaluates (issue 15 gap 4): early-calls.ts sends exactly
// what boot asks first, the http transport answers boot's calls from those responses (once each, and only
// while fresh) and sends anything else, or anything whose early call failed, itself.
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionInfo, Settings } from '../../shared/desk-api';
import { createDeskClient } from '../../renderer/desk/client';
import { createEarlyCalls, EARLY_ANSWER_MAX_AGE_MS, EARLY_CALLS } from '../../renderer/desk/early-calls';
import { createHttpTransport } from '../../renderer/desk/http-transport';
import { useApp } from '../../renderer/state/app-store';
import { setDesk } from '../../renderer/state/desk';
import { boot } from '../../renderer/state/session';

const SESSION: SessionInfo = { signedIn: false, serverUrl: null, user: null, clientId: 'c1', demo: false, demoAvailable: false };
const SETTINGS: Settings = { claimTargetSize: 50, leaseMinutes: 30, theme: 'system', keymap: {}, idleThresholdSec: 60 };
const ANSWERS: Record<string, unknown> = { 'app.boot': { session: SESSION, settings: SETTINGS, first: null }, 'session.get': SESSION, 'settings.get': SETTINGS, 'triage.next': { itemId: null } };

/** A fetch that records each request (URL, token, body) and answers from ANSWERS; `down` fails every request. */
function recordingFetch(opts: { down?: boolean } = {}) {
  const sent: { method: string; body: string; auth: string }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    const method = url.replace(/^.*\/rpc\//, '');
    sent.push({ method, body: String(init.body), auth: (init.headers as Record<string, string>).authorization });
    if (opts.down) throw new TypeError('Failed to fetch');
    return new Response(JSON.stringify({ ok: true, value: ANSWERS[method] ?? { method } }), { headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { sent, fetchImpl };
}

function early(fetchImpl: typeof fetch, over: { token?: string | null; isElectron?: boolean; now?: () => number } = {}) {
  return createEarlyCalls({
    token: () => (over.token === undefined ? 'tok' : over.token), origin: () => 'http://127.0.0.1:9', isElectron: () => over.isElectron ?? false,
    fetchImpl, now: over.now ?? (() => 0),
  });
}

afterEach(() => useApp.setState({ view: 'signin', session: null, sync: null, booted: false, fatal: null }));

describe('early calls', () => {
  it('boot asks for exactly the early calls first, so every one is answered from its early response and none is sent twice', async () => {
    const net = recordingFetch();
    const calls = early(net.fetchImpl);
    calls.send();
    expect(net.sent.map((s) => s.method)).toEqual(EARLY_CALLS.map(([m]) => m));
    expect(net.sent.every((s) => s.auth === 'Bearer tok')).toBe(true);
    setDesk(createDeskClient(createHttpTransport({
      baseUrl: 'http://127.0.0.1:9', token: 'tok', fetchImpl: net.fetchImpl, earlyResponse: calls.take, EventSourceImpl: class { addEventListener() {} } as unknown as typeof EventSource,
    })));
    await boot();
    expect(useApp.getState()).toMatchObject({ booted: true, fatal: null, session: SESSION });
    // Signed out: boot stops after its one read, and did not send it again.
    expect(net.sent.map((s) => s.method)).toEqual(EARLY_CALLS.map(([m]) => m));
  });

  it('hands each early response out once, for the same method and input only, and not once it is stale', async () => {
    let now = 0;
    const net = recordingFetch();
    const calls = early(net.fetchImpl, { now: () => now });
    calls.send();
    expect(calls.take('app.boot', { x: 1 })).toBeUndefined();
    expect(calls.take('session.get', {})).toBeUndefined();
    expect(calls.take('queue.list', {})).toBeUndefined();
    expect(calls.has('app.boot', {})).toBe(true);
    const got = await calls.take('app.boot', {});
    expect(await got!.json()).toEqual({ ok: true, value: ANSWERS['app.boot'] });
    expect(calls.take('app.boot', {})).toBeUndefined();

    const stale = early(net.fetchImpl, { now: () => now });
    stale.send();
    now = EARLY_ANSWER_MAX_AGE_MS + 1;
    expect(stale.has('app.boot', {})).toBe(false);
    expect(stale.take('app.boot', {})).toBeUndefined();
  });

  it('sends nothing under Electron or without a launch token', () => {
    for (const over of [{ isElectron: true }, { token: null }]) {
      const net = recordingFetch();
      early(net.fetchImpl, over).send();
      expect(net.sent).toEqual([]);
    }
  });

  it('sends the call again when its early request did not reach the desk', async () => {
    const down = recordingFetch({ down: true });
    const calls = early(down.fetchImpl);
    calls.send();
    const up = recordingFetch();
    const transport = createHttpTransport({ baseUrl: 'http://127.0.0.1:9', token: 'tok', fetchImpl: up.fetchImpl, earlyResponse: calls.take });
    expect(await transport.call('session.get', {})).toEqual({ ok: true, value: SESSION });
    expect(up.sent.map((s) => s.method)).toEqual(['session.get']);
  });
});
