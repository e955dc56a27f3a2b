// The boot's first reads, sent before the renderer's bundle has arrived and evaluated (issue 15 gap 4).
// index.html loads renderer/early.ts, a few hundred bytes, ahead of the bundle (vite.config.ts injects it);
// it sends these calls at once, so the desk answers them while the browser still fetches, compiles and
// runs ~350 KiB of JavaScript (one call: app.boot, with the first item's detail). The http transport then takes each response once, for the same method and
// input, instead of sending the call again. Only reads: nothing here opens an item or starts the labor
// clock (DESIGN §6); boot's triage.open still waits for the bundle. Browser mode only: under Electron the
// preload's IPC has no round trip worth saving, and the bundle is read from disk.
import type { DeskMethod } from '../../shared/desk-api';
import { electronDesk } from './electron-transport';
import { rpcRequest } from './http-transport';
import { readLaunchToken } from './launch-token';

/** What boot (state/session.ts) asks first, with the same inputs, key order included (test/renderer/early-calls.test.ts). */
export const EARLY_CALLS: readonly (readonly [DeskMethod, unknown])[] = [
  ['app.boot', {}],
];

/** An early answer older than this is not handed out: a read that late is boot's no longer, and may be stale. */
export const EARLY_ANSWER_MAX_AGE_MS = 10_000;

type Early = { sentAt: number; response: Promise<Response | null> };

export interface EarlyCalls {
  /** Sends EARLY_CALLS now (browser mode with a launch token; otherwise nothing). */
  send(): void;
  /** The response of an early call with this method and input, once; undefined when there is none. */
  take(method: string, input: unknown): Promise<Response | null> | undefined;
  /** Whether `take` would hand out a response for this call (it takes nothing). */
  has(method: string, input: unknown): boolean;
}

const keyOf = (method: string, input: unknown) => `${method}\n${JSON.stringify(input ?? {})}`;

export function createEarlyCalls(deps: {
  token(): string | null;
  origin(): string;
  isElectron(): boolean;
  fetchImpl: typeof fetch;
  now(): number;
}): EarlyCalls {
  const sent = new Map<string, Early>();
  return {
    send() {
      if (deps.isElectron()) return;
      const token = deps.token();
      if (!token) return;
      for (const [method, input] of EARLY_CALLS) {
        // A call that does not reach the desk is sent again by the transport, not answered with the failure.
        const response = deps.fetchImpl(...rpcRequest(deps.origin(), token, method, input)).catch(() => null);
        sent.set(keyOf(method, input), { sentAt: deps.now(), response });
      }
    },
    take(method, input) {
      const key = keyOf(method, input);
      const early = sent.get(key);
      if (!early) return undefined;
      sent.delete(key);
      return deps.now() - early.sentAt <= EARLY_ANSWER_MAX_AGE_MS ? early.response : undefined;
    },
    has(method, input) {
      const early = sent.get(keyOf(method, input));
      return early !== undefined && deps.now() - early.sentAt <= EARLY_ANSWER_MAX_AGE_MS;
    },
  };
}

/** This page load's early calls (renderer/early.ts sends them; desk/client.ts hands `take` to the transport). */
export const earlyCalls = createEarlyCalls({
  token: readLaunchToken,
  origin: () => window.location.origin,
  isElectron: () => electronDesk() !== null,
  fetchImpl: (...args) => fetch(...args),
  now: () => performance.now(),
});
