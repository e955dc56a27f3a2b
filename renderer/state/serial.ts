// Runs triage commands one after another, in the order the keys were pressed: a decision, the
// undo that follows it and the open of the next item must reach the core in that order.
export type Serial = <T>(fn: () => Promise<T>) => Promise<T>;

/** One queue per triage store (a test's store gets its own, so tests cannot leak order into each other). */
export function createSerial(): Serial {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}
