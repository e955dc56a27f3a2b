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

export function installLaborSignals(): () => void {
  let lastInput = 0;
  const onInput = () => {
    const now = performance.now();
    if (now - lastInput < INPUT_EVERY_MS) return;
    lastInput = now;
    sendLaborSignal('input');
  };
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
