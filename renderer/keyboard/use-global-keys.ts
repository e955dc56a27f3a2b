// The one window keydown listener: turns keys into chords, chords into keymap actions for the
// current view. Suspended while an overlay (dialog, palette, editor) owns the keyboard, and while
// the reviewer types in a field.
import { useEffect } from 'react';
import { KEYMAP_ACTIONS, type KeymapActionId } from '../../shared/keymap';
import { closeOverlay, useApp } from '../state/app-store';
import { runAction } from './actions';
import { bindingsFor, chordFromEvent, stepChord } from './chords';
import { isTypingTarget } from './typing-target';

const SEQUENCE_TIMEOUT_MS = 1500;

export function useGlobalKeys(): void {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const setPending = (pending: string[]) => {
      if (timer) clearTimeout(timer);
      timer = pending.length ? setTimeout(() => useApp.setState({ pendingChord: [] }), SEQUENCE_TIMEOUT_MS) : null;
      // A one-key action leaves no chord pending, as before it: no new (empty) array, so the status bar
      // does not re-render in the frame that paints the next item.
      if (pending.length === 0 && useApp.getState().pendingChord.length === 0) return;
      useApp.setState({ pendingChord: pending });
    };
    const onKeyDown = (e: KeyboardEvent) => {
      const { view, overlay, keymap, pendingChord, session } = useApp.getState();
      if (e.defaultPrevented || e.isComposing) return;
      // The correct editor is beside the item, not a modal: Esc closes it from anywhere (its draft is kept).
      if (overlay?.kind === 'correct' && e.key === 'Escape') return closeOverlay();
      if (overlay) return;
      if (!session?.signedIn || view === 'signin') return;
      if (isTypingTarget(e.target)) return;
      const chord = chordFromEvent(e);
      if (!chord) return;
      const step = stepChord(bindingsFor(keymap, KEYMAP_ACTIONS, view), pendingChord, chord);
      if (step.kind === 'none') {
        if (pendingChord.length) setPending([]);
        return;
      }
      e.preventDefault();
      setPending(step.pending);
      if (step.kind === 'action') runAction(step.actionId as KeymapActionId);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => {
      window.removeEventListener('keydown', onKeyDown);
      if (timer) clearTimeout(timer);
    };
  }, []);
}
