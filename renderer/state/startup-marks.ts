// `npm start -- --timings` ends its startup trace at the first item painted: the renderer tells the core
// once per page load, after the frame that shows the item (a task queued from requestAnimationFrame runs
// after that frame is painted). A failed report costs nothing but the mark. The same moment starts the
// fetch of the views left out of the first bundle, and lets the boot-time reads the first item does not
// need (conflicts, bundle status) go: they would otherwise queue in the core ahead of the item's open.
import { FIRST_ITEM_PAINTED } from '../../shared/desk-names';
import { prefetchLazyParts } from '../views/lazy-parts';
import { desk } from './desk';

/** Longest a deferred boot read waits for the first item (a desk whose queue is slow or never shows one). */
const FIRST_ITEM_WAIT_MS = 1000;

let firstItemReported = false;
let settleFirstItem: () => void = () => undefined;
const firstItemSettled = new Promise<void>((resolve) => {
  settleFirstItem = resolve;
});
setTimeout(() => settleFirstItem(), FIRST_ITEM_WAIT_MS);

/** Resolves once the first item is painted, the queue turned out empty, or FIRST_ITEM_WAIT_MS after load. */
export function afterFirstItem(): Promise<void> {
  return firstItemSettled;
}

/** No item is coming (the queue is clear): deferred boot reads go now. */
export function reportNoFirstItem(): void {
  settleFirstItem();
}

export function reportFirstItemPainted(): void {
  if (firstItemReported) return;
  firstItemReported = true;
  requestAnimationFrame(() =>
    setTimeout(() => {
      void desk().call('app.startupMark', { name: FIRST_ITEM_PAINTED }).catch(() => undefined);
      settleFirstItem();
      // The code the first paint did without (views/lazy-parts.ts), now that the item is on screen.
      prefetchLazyParts();
    }, 0),
  );
}
