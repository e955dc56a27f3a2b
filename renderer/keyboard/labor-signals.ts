// Reports what the labor clock (DESIGN §6) needs from the window: input (throttled to about one
// a second), window focus and blur, and page visibility. Leaving the triage view counts as blur:
// labor runs only while an item is focused in triage.
import { desk } from '../state/desk';
import { useApp } from '../state/app-store';
import type { LaborSignal } from '../../shared/desk-api';

const INPUT_EVERY_MS = 1000;

function send(signal: LaborSignal['signal']): void {
  if (!useApp.getState().session?.signedIn) return;
  desk()
    .call('labor.signal', { signal })
    .catch(() => undefined); // a lost signal only shortens a segment
}

export function installLaborSignals(): () => void {
  let lastInput = 0;
  const onInput = () => {
    const now = performance.now();
    if (now - lastInput < INPUT_EVERY_MS) return;
    lastInput = now;
    send('input');
  };
  const onFocus = () => {
    if (useApp.getState().view === 'triage') send('focus');
  };
  const onBlur = () => send('blur');
  const onVisibility = () => send(document.visibilityState === 'visible' ? 'visible' : 'hidden');
  const opts = { passive: true, capture: true } as const;
  window.addEventListener('keydown', onInput, opts);
  window.addEventListener('mousemove', onInput, opts);
  window.addEventListener('wheel', onInput, opts);
  window.addEventListener('pointerdown', onInput, opts);
  window.addEventListener('focus', onFocus);
  window.addEventListener('blur', onBlur);
  document.addEventListener('visibilitychange', onVisibility);
  const unsubscribe = useApp.subscribe((s, prev) => {
    if (s.view === prev.view) return;
    if (prev.view === 'triage') send('blur');
    else if (s.view === 'triage' && document.hasFocus()) send('focus');
  });
  return () => {
    window.removeEventListener('keydown', onInput, opts);
    window.removeEventListener('mousemove', onInput, opts);
    window.removeEventListener('wheel', onInput, opts);
    window.removeEventListener('pointerdown', onInput, opts);
    window.removeEventListener('focus', onFocus);
    window.removeEventListener('blur', onBlur);
    document.removeEventListener('visibilitychange', onVisibility);
    unsubscribe();
  };
}
