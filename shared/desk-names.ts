// The names of the desk API the renderer needs at run time, without zod: the renderer bundle stays
// free of the schema library (issue 9 item 7). desk-api.ts builds its zod tables over these names and
// fails to compile when the two disagree, so a new method is named here too (one line each).

/** Every desk API method (desk-api.ts `deskMethods` has exactly these keys). */
export const DESK_METHOD_NAMES = [
  'session.get', 'session.connect', 'session.connectDemo', 'session.signOut',
  'queue.page', 'queue.list', 'item.get',
  'triage.open', 'triage.close', 'triage.decide', 'triage.undo', 'triage.next', 'triage.window', 'triage.bulkApprove',
  'labor.signal', 'sync.status', 'sync.now', 'sync.checkout', 'conflicts.list', 'conflicts.resolve', 'stats.today',
  'settings.get', 'settings.set', 'app.boot', 'app.revealLogs', 'app.startupMark', 'app.reportError',
  'bundles.status', 'bundles.importWork', 'bundles.exportDecisions', 'bundles.importReceipt', 'bundles.checkout',
  'ops.escalations', 'ops.assign', 'ops.team', 'ops.controlPoints', 'ops.definitions',
  'ops.alerts', 'ops.ackAlert', 'ops.rollbackPreview', 'ops.rollbackApply', 'ops.rollbackProgress', 'ops.tax', 'ops.items', 'ops.override',
  'ops.signals', 'ops.decideSignal', 'ops.scorecard', 'ops.weekly', 'ops.markWeekly', 'ops.weeklyExport',
] as const;
export type DeskMethodName = (typeof DESK_METHOD_NAMES)[number];

/** Marks the renderer reports for `npm start -- --timings` (scripts/startup-trace.ts). */
export const FIRST_ITEM_PAINTED = 'first item painted';
export const STARTUP_MARK_NAMES = [FIRST_ITEM_PAINTED] as const;
/**
 * How long a launcher lets the core hold its first sync and the WAL checkpointer for the first item painted
 * (CoreOptions.firstPaintHoldMs): `npm start` and Electron's core process (issue 15 gap 4).
 */
export const FIRST_PAINT_HOLD_MS = 3_000;

/** Push events of the core (desk-api.ts `deskEvents`). */
export const DESK_EVENT_NAMES = ['sync.status', 'queue.changed', 'session.changed'] as const;
export type DeskEventNameList = (typeof DESK_EVENT_NAMES)[number];

/** Electron main's shell events (desk-api.ts `shellEvents`). */
export const SHELL_EVENT_NAMES = ['app.command', 'core.restarted', 'app.notice'] as const;
export type ShellEventNameList = (typeof SHELL_EVENT_NAMES)[number];

export const EXCEPTION_CLASSES = ['policy', 'confidence', 'data_integrity', 'business_rule'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
// zod's .int() refuses integers past 2^53 as well.
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/**
 * The renderer's check of a shell event payload: the same rules as desk-api.ts `shellEvents` (main
 * parses with those before sending; test/renderer/desk-names.test.ts proves the two agree on generated
 * payloads). Returns the payload with only the known keys, or null when it does not fit.
 */
export function checkShellEvent(name: string, p: unknown): Record<string, unknown> | null {
  if (!isObject(p)) return null;
  switch (name) {
    case 'app.command':
      return typeof p.command === 'string' && p.command.length >= 1 && p.command.length <= 100 ? { command: p.command } : null;
    case 'core.restarted':
      return isInt(p.restarts) && p.restarts >= 0 && typeof p.reason === 'string' && typeof p.gaveUp === 'boolean'
        ? { restarts: p.restarts, reason: p.reason, gaveUp: p.gaveUp }
        : null;
    case 'app.notice':
      return (p.level === 'info' || p.level === 'warning' || p.level === 'error') && typeof p.code === 'string' && typeof p.message === 'string'
        ? { level: p.level, code: p.code, message: p.message }
        : null;
    default:
      return null;
  }
}
