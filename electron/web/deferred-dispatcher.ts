// A dispatcher browser mode can serve before the core behind it is ready (issue 15 gap 4): `npm start`
// listens and prints the launch URL first, so the browser opens the tab, loads the page and evaluates the
// renderer while the demo server starts, the cache opens and the demo sign-in runs. A call that arrives
// before then waits for the core (it is answered by the real core, never by a stand-in); an event listener
// added before then is attached when the core arrives. If the core never comes, waiting calls and later
// ones answer `desk_unreachable` with the reason.
import type { DeskDispatcher, DeskEventName, DeskResult } from '../../shared/desk-api';

export interface DeferredDispatcher extends DeskDispatcher {
  /** The core is open (and signed in, if that is part of being ready): waiting calls go to it now. */
  ready(core: DeskDispatcher): void;
  /** The core will not come: waiting and later calls answer `desk_unreachable` with this reason. */
  failed(reason: string): void;
}

type Listener = (name: DeskEventName, payload: unknown) => void;

export function createDeferredDispatcher(): DeferredDispatcher {
  let core: DeskDispatcher | null = null;
  let failure: string | null = null;
  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });
  /** Listeners added before the core came, with the detach each got once attached. */
  const early = new Map<Listener, (() => void) | null>();

  const unreachable = (): DeskResult<unknown> => ({ ok: false, error: { code: 'desk_unreachable', message: `the desk core did not start: ${failure}` } });

  return {
    async call(method, input) {
      if (!core && failure === null) await settled;
      return core ? core.call(method, input) : unreachable();
    },
    onEvent(listener) {
      if (core) return core.onEvent(listener);
      early.set(listener, null);
      return () => {
        early.get(listener)?.();
        early.delete(listener);
      };
    },
    ready(c) {
      if (core || failure !== null) throw new Error('the deferred dispatcher is already settled');
      core = c;
      for (const listener of early.keys()) early.set(listener, c.onEvent(listener));
      settle();
    },
    failed(reason) {
      if (core || failure !== null) return;
      failure = reason;
      settle();
    },
  };
}
