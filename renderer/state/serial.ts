// Runs triage commands one after another, in the order the keys were pressed: a decision, the
// undo that follows it and the open of the next item must reach the core in that order.
let tail: Promise<unknown> = Promise.resolve();

export function serial<T>(fn: () => Promise<T>): Promise<T> {
  const run = tail.then(fn, fn);
  tail = run.catch(() => undefined);
  return run;
}
