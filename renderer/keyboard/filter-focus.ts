// `/` asks for the queue's filter box. The queue view's code loads lazily and mounts a render or more
// after the key, so an ask made before the box exists is kept for the view to answer when it mounts,
// instead of being sent as an event no one hears yet (the reviewer's typing then went to the shortcuts).
let take: (() => void) | null = null;
let asked = false;

/** Focuses the filter box now if it is on screen, else as soon as the queue view mounts. */
export function askFilterFocus(): void {
  if (take) take();
  else asked = true;
}

/** The filter box is on screen and takes asks with `fn`; returns the way to withdraw it. */
export function offerFilterFocus(fn: () => void): () => void {
  take = fn;
  return () => {
    if (take === fn) take = null;
  };
}

/** The queue view mounted: if `/` asked before its filter box existed, focus the box and say so. */
export function answerEarlyFilterAsk(): boolean {
  if (!asked || !take) return false;
  asked = false;
  take();
  return true;
}
