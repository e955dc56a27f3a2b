import { useApp } from '../state/app-store';
import { CommandPalette } from './CommandPalette';
import { HelpDialog } from './HelpDialog';
import { NoteEditor } from './NoteEditor';
import { TriagePicker } from './TriagePicker';

/** The one open overlay, if any. */
export function Overlays() {
  const overlay = useApp((s) => s.overlay);
  if (!overlay) return null;
  switch (overlay.kind) {
    case 'help':
      return <HelpDialog />;
    case 'palette':
      return <CommandPalette />;
    case 'picker':
      return <TriagePicker key={overlay.purpose} purpose={overlay.purpose} exceptionClass={overlay.exceptionClass} />;
    case 'correct':
      return null; // beside the item, in the triage view (issue 14 item 1)
    case 'note':
      return <NoteEditor />;
  }
}
