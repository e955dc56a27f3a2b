import { useEffect, useRef, useState } from 'react';
import { errorMessage } from '../desk/desk-error';
import { minutesPerItem } from '../logic/pace';
import { desk } from '../state/desk';

/** Asked at most this often: the pace moves slowly, and the question reads the day's outbox. */
const PACE_REFRESH_MS = 10_000;

/**
 * The reviewer's pace today (minutes of labor per item), re-read when `tick` changes (the item shown)
 * but at most every PACE_REFRESH_MS. Off the decision path: the answer lands when it lands.
 */
export function usePace(tick: unknown): number | null {
  const [perItem, setPerItem] = useState<number | null>(null);
  const last = useRef(0);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => void (mounted.current = false);
  }, []);
  useEffect(() => {
    // No item yet: the pace is shown beside one, and the first item's load should not queue behind this.
    if (tick === undefined || tick === null) return;
    if (Date.now() - last.current < PACE_REFRESH_MS) return;
    last.current = Date.now();
    // An answer is kept even if the item changed meanwhile (the pace is the reviewer's, not the item's).
    desk()
      .call('stats.today', {})
      .then((s) => mounted.current && setPerItem(minutesPerItem(s)))
      .catch((e: unknown) => console.warn(`pace: ${errorMessage(e)}`));
  }, [tick]);
  return perItem;
}
