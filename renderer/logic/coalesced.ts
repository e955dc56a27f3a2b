// A refresh asked for many times in a burst runs at the first ask and, if asked again meanwhile, once
// more `delayMs` later: never more than twice a window. While a reviewer decides, every key changes the
// sync status and every push answer is a queue change; without this each sent its own read (queue list,
// bundle status) to the one-threaded core, in line before the next item's open. The first ask runs at
// once so that a change the reviewer acts on next (a queue's new policy after a sync) is already read.
export function coalesced(run: () => unknown, delayMs: number): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let askedAgain = false;
  const closeWindow = () => {
    timer = null;
    if (!askedAgain) return;
    askedAgain = false;
    run();
    timer = setTimeout(closeWindow, delayMs);
  };
  return () => {
    if (timer) {
      askedAgain = true;
      return;
    }
    run();
    timer = setTimeout(closeWindow, delayMs);
  };
}
