// Runs triage commands one after another, in the order the keys were pressed: a decision, the
// undo that follows it and the open of the next item must reach the core in that order.
export type Serial = <T>(fn: () => Promise<T>) => Promise<T>;

/**
 * One queue per triage store (a test's store gets its own, so tests cannot leak order into each other).
 * A command given to an idle queue starts at once, in the caller's own task: a decision's call then leaves
 * in the key's handler, before the next item renders (issue 15 gap 2: keypress -> decision durable), not in a
 * microtask queued behind that render. A busy queue runs it after the commands before it settle.
 */
export function createSerial(): Serial {
  let tail: Promise<unknown> = Promise.resolve();
  let running = 0;
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const start = () => {
      try {
        return fn();
      } catch (e) {
        return Promise.reject(e);
      }
    };
    const run = running === 0 ? start() : tail.then(start, start);
    running++;
    const settled = run.then(() => { running--; }, () => { running--; });
    tail = settled;
    return run;
  };
}
