// `npm start -- --timings` ends its startup trace at the first item painted: the renderer tells the core
// once per page load, after the frame that shows the item (a task queued from requestAnimationFrame runs
// after that frame is painted). A failed report costs nothing but the mark.
import { FIRST_ITEM_PAINTED } from '../../shared/desk-names';
import { desk } from './desk';

let firstItemReported = false;

export function reportFirstItemPainted(): void {
  if (firstItemReported) return;
  firstItemReported = true;
  requestAnimationFrame(() => setTimeout(() => void desk().call('app.startupMark', { name: FIRST_ITEM_PAINTED }).catch(() => undefined), 0));
}
