// Runs triage commands one after another, in the order the keys were pressed: a decision, the
// undo that follows it and the open of the next item must reach the core in that order.
/**
 * A command gets `sent`: calling it says its calls are on their way over a channel that keeps order (the core
 * will start them before any call sent later), so the next command may start now instead of when this one's
 * answer is back. A command that never calls it holds the queue until it settles. `afterAnswers`: this command
 * starts only once every command before it has settled, not merely sent (an undo takes back the last decision
 * standing, so it must follow the outcome of each decision before it, a refused one sent again included).
 */
export type Serial = <T>(fn: (sent: () => void) => Promise<T>, opts?: { afterAnswers?: boolean }) => Promise<T>;

/**
 * One queue per triage store (a test's store gets its own, so tests cannot leak order into each other).
 * A command given to an idle queue starts at once, in the caller's own task: a decision's call then leaves
 * in the key's handler, before the next item renders (issue 15 gap 2: keypress -> decision durable), not in a
 * microtask queued behind that render. A busy queue runs it once the command before it settled or said its
 * calls are sent (`sent`): on an ordered transport a key's decision does not wait for the previous answer.
 */
export function createSerial(): Serial & { settled(): Promise<void>; started(): number } {
  /** Resolves when the last command given may be followed (settled, or its calls sent). */
  let tail: Promise<unknown> = Promise.resolve();
  /** Commands given that still hold the queue. */
  let holding = 0;
  /** Commands given that have not settled. */
  let unsettled = 0;
  /** Resolves when every command given so far has settled. */
  let all: Promise<unknown> = Promise.resolve();
  /** Commands started so far: one that compares it before a late call knows whether a later command may have sent first. */
  let starts = 0;
  const serial = <T>(fn: (sent: () => void) => Promise<T>, opts: { afterAnswers?: boolean } = {}): Promise<T> => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => { open = resolve; });
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      holding--;
      open();
    };
    const start = () => {
      starts++;
      try {
        return fn(release);
      } catch (e) {
        return Promise.reject(e);
      }
    };
    const idle = opts.afterAnswers ? unsettled === 0 : holding === 0;
    // Every command before this one has started once `tail` resolves; `all` resolves once each has settled too.
    const before = opts.afterAnswers ? Promise.all([tail, all]) : tail;
    holding++;
    unsettled++;
    const run = idle ? start() : before.then(start, start);
    void run.then(release, release);
    const done = run.then(() => { unsettled--; }, () => { unsettled--; });
    tail = gate;
    all = Promise.all([all, done]);
    return run;
  };
  return Object.assign(serial, { settled: () => all.then(() => undefined), started: () => starts });
}
