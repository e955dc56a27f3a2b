import { lazy, Suspense } from 'react';
import { useApp } from '../state/app-store';
import { LAZY_PARTS } from '../views/lazy-parts';
import { NoteEditor } from './NoteEditor';
import { TriagePicker } from './TriagePicker';

// Outside the first bundle (views/lazy-parts.ts); fetched in the background after the first item paints.
const CommandPalette = lazy(() => LAZY_PARTS.palette().then((m) => ({ default: m.CommandPalette })));
const HelpDialog = lazy(() => LAZY_PARTS.help().then((m) => ({ default: m.HelpDialog })));

/** The one open overlay, if any. */
export function Overlays() {
  const overlay = useApp((s) => s.overlay);
  if (!overlay) return null;
  switch (overlay.kind) {
    case 'help':
      return (
        <Suspense fallback={null}>
          <HelpDialog />
        </Suspense>
      );
    case 'palette':
      return (
        <Suspense fallback={null}>
          <CommandPalette />
        </Suspense>
      );
    case 'picker':
      return <TriagePicker key={overlay.purpose} purpose={overlay.purpose} exceptionClass={overlay.exceptionClass} />;
    case 'correct':
      return null; // beside the item, in the triage view (issue 14 item 1)
    case 'note':
      return <NoteEditor />;
  }
}
