// The command palette's ranking (issue 14 item 9): cmdk's own scorer over a command's label, id and
// synonyms (shared/command-synonyms.ts), best first. The palette ranks itself rather than let cmdk sort
// its groups (cmdk reorders items inside a group but not the groups, so a weak match in an early group
// would be picked before a strong one further down).
import { defaultFilter } from 'cmdk';
import { commandKeywords } from '../../shared/command-synonyms';

export interface PaletteCommand {
  id: string;
  label: string;
}

/** Commands that match `search`, best first (ties keep their order); all of them when `search` is blank. */
export function rankCommands<C extends PaletteCommand>(commands: readonly C[], search: string): C[] {
  const q = search.trim();
  if (!q) return [...commands];
  return commands
    .map((c, i) => ({ c, i, score: defaultFilter(`${c.label} ${c.id}`, q, commandKeywords(c.id)) }))
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .map((s) => s.c);
}
