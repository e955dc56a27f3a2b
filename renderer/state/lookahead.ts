// What triage knows around the focused item: the next few item ids in the core's order (each with
// its detail cached), the one before, and a small detail cache. A decision or `j` paints ahead[0]
// from here in the same frame; the core's own answer (nextItemId) confirms or corrects it after.
//
// The lookahead is a chain: moving forward drops its head, a fill appends to its tail. A fill keeps
// going while the reviewer moves along the chain; only a reset of the chain (a jump elsewhere, a
// rebuilt order after sync) stops it.
import type { ItemDetail } from '../../shared/desk-api';
import { desk } from './desk';

const LOOKAHEAD = 4;
const MAX_DETAILS = 64;

export const details = new Map<string, ItemDetail>();
/** `of`: the focused item; `behind` undefined = not known yet. */
export const nav = { of: null as string | null, ahead: [] as string[], behind: undefined as string | null | undefined };
let chainGen = 0;
let filling = false;

export function remember(d: ItemDetail): void {
  details.delete(d.item.id);
  details.set(d.item.id, d);
  if (details.size <= MAX_DETAILS) return;
  const keep = new Set([nav.of, nav.behind, ...nav.ahead]);
  for (const id of details.keys()) {
    if (details.size <= MAX_DETAILS) break;
    if (!keep.has(id)) details.delete(id);
  }
}

export async function fetchDetail(id: string): Promise<ItemDetail> {
  const d = await desk().call('item.get', { itemId: id });
  remember(d);
  return d;
}

/**
 * Moves the focus to `id`. Along the chain (id = ahead[0]) the rest stays valid; `ahead` given
 * replaces the chain; anything else starts a new one.
 */
export function recentre(id: string, behind: string | null | undefined, ahead?: string[]): void {
  if (ahead) {
    nav.ahead = ahead.filter((a) => a !== id).slice(0, LOOKAHEAD);
    chainGen++;
  } else if (nav.of !== null && nav.ahead[0] === id) {
    nav.ahead = nav.ahead.slice(1);
  } else if (nav.of !== id) {
    nav.ahead = [];
    chainGen++;
  }
  nav.of = id;
  nav.behind = behind;
}

/** Tops the chain up to LOOKAHEAD items with details, then finds the item before the focus. */
export async function fillAhead(): Promise<void> {
  if (filling) return;
  filling = true;
  try {
    const gen = chainGen;
    while (nav.of && nav.ahead.length < LOOKAHEAD) {
      const from = nav.ahead.at(-1) ?? nav.of;
      const { itemId } = await desk().call('triage.next', { fromItemId: from, direction: 'next' });
      if (gen !== chainGen) return;
      if (!itemId || itemId === nav.of || nav.ahead.includes(itemId)) break;
      if (!details.has(itemId)) await fetchDetail(itemId);
      if (gen !== chainGen) return;
      // Valid only if `from` is still the tail (the reviewer may have moved along meanwhile).
      if ((nav.ahead.at(-1) ?? nav.of) === from) nav.ahead.push(itemId);
    }
    const centre = nav.of;
    if (centre && nav.behind === undefined) {
      const { itemId } = await desk().call('triage.next', { fromItemId: centre, direction: 'prev' });
      if (gen !== chainGen || nav.of !== centre) return;
      nav.behind = itemId === centre ? null : itemId;
      if (nav.behind && !details.has(nav.behind)) await fetchDetail(nav.behind);
    }
  } finally {
    filling = false;
  }
  // A reset during the fill leaves the new chain empty: start over for it.
  if (nav.of && nav.ahead.length < LOOKAHEAD) void fillAhead().catch(() => undefined);
}

/** After sync: rebuilds the chain from the core's current order and swaps it in whole. */
async function rebuild(): Promise<void> {
  const centre = nav.of;
  if (!centre) return;
  const list: string[] = [];
  let from = centre;
  while (list.length < LOOKAHEAD) {
    const { itemId } = await desk().call('triage.next', { fromItemId: from, direction: 'next' });
    if (nav.of !== centre) return; // the reviewer moved on; the core corrects a stale guess anyway
    if (!itemId || itemId === centre || list.includes(itemId)) break;
    if (!details.has(itemId)) await fetchDetail(itemId);
    list.push(itemId);
    from = itemId;
  }
  if (nav.of !== centre) return;
  nav.ahead = list;
  chainGen++;
  void fillAhead().catch(() => undefined);
}

let rebuildTimer: ReturnType<typeof setTimeout> | null = null;
/** One rebuild per burst of sync events, not one per event. */
export function scheduleRebuild(): void {
  if (rebuildTimer) return;
  rebuildTimer = setTimeout(() => {
    rebuildTimer = null;
    void rebuild().catch(() => undefined);
  }, 250);
}

export function forgetAll(): void {
  details.clear();
  nav.of = null;
  nav.ahead = [];
  nav.behind = undefined;
  chainGen++;
}
