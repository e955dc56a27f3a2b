// This window's triage store: the model (triage-model.ts) wired to the window's desk client, the
// app store (view, session, toasts). Components and keys use these names; tests build their own
// model with a fake desk instead.
import { useStore } from 'zustand';
import { pushToast, queueById, useApp, withdrawUndoOffers } from './app-store';
import { desk } from './desk';
import { createTriage, type TriageState } from './triage-model';

export const triage = createTriage({
  // The client is set at boot (main.tsx), after this module loads: look it up per call.
  desk: { call: (method, input) => desk().call(method, input), ordered: () => desk().ordered() },
  inTriage: () => useApp.getState().view === 'triage',
  me: () => useApp.getState().session?.user?.id ?? null,
  toast: (text, tone, opts) => void pushToast(text, tone, opts),
  undoOffersGone: withdrawUndoOffers,
  queueOf: queueById,
});

/** React hook over the triage store (whole state, or a slice); also `.getState()` / `.setState()`. */
export const useTriage = Object.assign(
  function useTriage<T = TriageState>(selector?: (s: TriageState) => T): T {
    return useStore(triage.store, selector ?? ((s) => s as unknown as T));
  },
  { getState: triage.store.getState, setState: triage.store.setState },
);

export const {
  openItem, ensureItem, moveItem, decide, undoLast, acknowledge, leaveTriage, enterTriage, afterCoreRestart, onQueueChanged,
} = triage;
