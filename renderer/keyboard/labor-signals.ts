// Reports what the labor clock (DESIGN §6) needs from the window: input (throttled to about one
// a second), window focus and blur, and page visibility, as they really are. Leaving the triage view
// is not a blur: it is `triage.close` (no item focused), and coming back opens the shown item again.
import { desk } from '../state/desk';
import { useApp } from '../state/app-store';
import { enterTriage, leaveTriage } from '../state/triage-store';
import type { LaborSignal } from '../../shared/desk-api';

const INPUT_EVERY_MS = 1000;

export function sendLaborSignal(signal: LaborSignal['signal']): void {
  if (!useApp.getState().session?.signedIn) return;
  desk()
    .call('labor.signal', { signal })
    .catch(() => undefined); // a lost signal only shortens a segment
}

/** Tells a core that just started (a restart) how the window really is: it assumes focused and visible. */
export function sendWindowState(): void {
  sendLaborSignal(document.hasFocus() ? 'focus' : 'blur');
  sendLaborSignal(document.visibilityState === 'visible' ? 'visible' : 'hidden');
}

/**
 * Runs `fn` once the next frame is painted: a desk call (a fetch in browser mode, ~1 ms of the page's thread)
 * made from a key's own task delays the frame that shows the key's effect (issue 14: keypress -> next item
 * within one frame). A hidden page paints no frames: then at most `fallbackMs` later.
 */
export function afterNextPaint(fn: () => void, fallbackMs = 100): void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    fn();
  };
  requestAnimationFrame(() => setTimeout(run, 0));
  setTimeout(run, fallbackMs);
}

/**
 * The input signal, at most one per `everyMs`, sent by `later` (after the frame): the labor clock needs to know
 * there was input within its idle threshold (a minute or so), not the frame it came in.
 */
export function throttledInput(send: () => void, later: (fn: () => void) => void, now: () => number, everyMs = INPUT_EVERY_MS): () => void {
  let lastInput = 0;
  return () => {
    const t = now();
    if (t - lastInput < everyMs) return;
    lastInput = t;
    later(send);
  };
}

export function installLaborSignals(): () => void {
  const onInput = throttledInput(() => sendLaborSignal('input'), afterNextPaint, () => performance.now());
  const onFocus = () => sendLaborSignal('focus');
  const onBlur = () => sendLaborSignal('blur');
  const onVisibility = () => sendLaborSignal(document.visibilityState === 'visible' ? 'visible' : 'hidden');
  const input = { passive: true, capture: true } as const;
  // One list for adding and removing: what is added is exactly what the cleanup removes.
  const listeners: [EventTarget, string, EventListener, AddEventListenerOptions?][] = [
    [window, 'keydown', onInput, input],
    [window, 'mousemove', onInput, input],
    [window, 'wheel', onInput, input],
    [window, 'pointerdown', onInput, input],
    [window, 'focus', onFocus],
    [window, 'blur', onBlur],
    [document, 'visibilitychange', onVisibility],
  ];
  for (const [target, type, listener, opts] of listeners) target.addEventListener(type, listener, opts);
  const unsubscribe = useApp.subscribe((s, prev) => {
    // The core keeps the last window state it heard, maybe from before a reload: say how it is now.
    if (s.session?.signedIn && !prev.session?.signedIn) sendWindowState();
    if (s.view === prev.view) return;
    if (prev.view === 'triage') leaveTriage();
    else if (s.view === 'triage') enterTriage();
  });
  return () => {
    for (const [target, type, listener, opts] of listeners) target.removeEventListener(type, listener, opts);
    unsubscribe();
  };
}
