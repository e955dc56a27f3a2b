// The words people use for a command that are not in its label (issue 14 item 9): the command palette
// matches an action by its label, by the name it has on screen (the nav's "My day" is go.dashboard),
// and by these. One table, here: the palette, help and any later search read it from this file.
import type { KeymapActionId } from './keymap';

/** Commands of the palette that have no key (not in the keymap). */
export type PaletteOnlyCommand = 'session.signOut';

export const COMMAND_SYNONYMS: Partial<Record<KeymapActionId | PaletteOnlyCommand, readonly string[]>> = {
  'item.next': ['down', 'forward', 'move on'],
  'item.prev': ['up', 'back', 'last item'],
  'go.queue': ['queue', 'list', 'table', 'all items', 'my items', 'work'],
  'go.triage': ['triage', 'review', 'current item', 'decide', 'work on'],
  'go.dashboard': ['my day', 'dashboard', 'stats', 'statistics', 'today', 'my numbers', 'progress'],
  'go.sync': ['sync', 'conflicts', 'inbox', 'outbox', 'offline', 'bundles'],
  'go.settings': ['settings', 'preferences', 'options', 'config', 'remap keys', 'idle after', 'theme'],
  'go.team': ['team', 'people', 'throughput', 'who is active'],
  'go.control': ['control points', 'sla', 'sla board', 'at risk', 'queues', 'reassign'],
  'go.owner': ["owner's desk", 'escalations', 'rollback', 'override', 'alerts'],
  'decide.approve': ['accept', 'ok', 'yes', 'confirm', 'looks good', 'pass'],
  'decide.reject': ['decline', 'deny', 'wrong', 'refuse', 'no', 'fail'],
  'decide.correct': ['edit', 'fix', 'amend', 'change the output', 'correction'],
  'decide.escalate': ['send to owner', 'ask the owner', 'raise', 'hand up'],
  'decide.defer': ['skip', 'later', 'postpone', 'snooze', 'hand back', 'not now'],
  'decide.reclassify': ['change class', 'wrong class', 'recategorize', 'move to another queue'],
  'decide.note': ['comment', 'memo', 'annotate', 'remark'],
  'decide.undo': ['revert', 'take back', 'oops'],
  'queue.select': ['mark', 'tick', 'check'],
  'queue.bulkApprove': ['approve all', 'approve selected', 'bulk'],
  'queue.filter': ['search', 'find', 'look for'],
  'queue.open': ['open', 'show item'],
  'queue.toggleDone': ['show done', 'hide done', 'finished', 'completed', 'decided items', 'open only'],
  'sync.now': ['refresh', 'reload', 'pull', 'push', 'update', 'send'],
  'conflict.discard': ['drop conflict', 'keep server'],
  'conflict.resubmit': ['retry', 'send again'],
  'bundle.importWork': ['offline work', 'load file'],
  'bundle.exportDecisions': ['save decisions', 'hand in'],
  'bundle.importReceipt': ['receipt'],
  'bundle.checkout': ['take offline', 'restricted site'],
  'app.help': ['keys', 'shortcuts', 'keyboard', 'cheat sheet', 'help'],
  'app.toggleTheme': ['dark mode', 'light mode', 'night mode', 'colours', 'colors'],
  'app.revealLogs': ['logs', 'log files', 'debug', 'diagnostics'],
  'session.signOut': ['log out', 'logout', 'sign off', 'switch user'],
};

/** Everything an action answers to in a search: its label and its synonyms. */
export function commandKeywords(id: string): string[] {
  return [...(COMMAND_SYNONYMS[id as KeymapActionId | PaletteOnlyCommand] ?? [])];
}
