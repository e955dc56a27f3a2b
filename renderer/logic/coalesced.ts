// A refresh asked for many times in a burst runs once, `delayMs` after the first ask. While a reviewer
// decides, every key changes the sync status and every push answer is a queue change: without this,
// each of them sent its own read (queue list, bundle status) to the one-threaded core, in line before
// the next item's open.
export function coalesced(run: () => unknown, delayMs: number): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      run();
    }, delayMs);
  };
}
