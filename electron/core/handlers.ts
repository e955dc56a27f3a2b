// The handler table: one function per method of shared/desk-api.ts deskMethods. Inputs arrive already
// parsed by the dispatcher; handlers throw DeskFailure to refuse.
import type { z } from 'zod';
import { Settings, type DeskMethod, type DeskMethods, type RendererErrorReport } from '../../shared/desk-api';
import { commitRelaxed } from './cache-db';
import type { CoreContext } from './context';
import { DeskFailure } from './desk-failure';
import { METRIC_DEFINITIONS } from '../../shared/metrics-definitions';
import { OpsService } from './ops-service';
import { todayStats } from './stats';
import { TriageService } from './triage-service';

type Handler<M extends DeskMethod> = (input: z.output<DeskMethods[M]['input']>) => Promise<z.input<DeskMethods[M]['output']>> | z.input<DeskMethods[M]['output']>;
export type HandlerTable = { [M in DeskMethod]: Handler<M> };

/** What the app-level methods need beyond the context: the log folder and a way to show it. */
export interface AppHandlerDeps {
  logDir: string | null;
  /** Shows the folder to the user (Electron main's file manager); absent in browser mode and tests. */
  revealLogs?: () => boolean;
  /** `npm start -- --timings`: told of the renderer's startup marks (scripts/startup-trace.ts). */
  onStartupMark?: (name: string) => void;
  /** An error the renderer caught (a view that failed): written to the log, where support looks. */
  onRendererError?: (report: RendererErrorReport) => void;
}

export function createHandlers(c: CoreContext, app: AppHandlerDeps = { logDir: null }): HandlerTable {
  const triage = new TriageService({
    db: c.db, items: c.items, outbox: c.outbox, labor: c.labor, clock: c.clock, events: c.events, sync: c.sync,
    userId: () => c.session.connection()?.session.user.id ?? c.session.userId(),
  });
  const ops = new OpsService({ db: c.db, items: c.items, clock: c.clock, session: c.session, kv: c.kv });
  const requireSignedIn = () => {
    if (!c.session.connection()) throw new DeskFailure('not_signed_in', 'sign in to a server first');
  };
  return gateOpsMethods(ops, {
    'session.get': () => c.session.info(),
    'session.connect': (i) => c.session.connect(i.serverUrl, i.token),
    'session.connectDemo': (i) => c.session.connectDemo(i.user),
    'session.signOut': () => c.session.signOut(),

    'queue.page': (i) => ({ offset: i.offset, ...c.items.page(i) }),
    'queue.list': () => ({ queues: c.items.queues() }),
    'item.get': (i) => triage.detail(i.itemId),

    'triage.open': (i) => triage.open(i.itemId),
    // Labor bookkeeping commits without an fsync of its own (the next decision's carries it): DESIGN §6
    // allows a few seconds of labor lost to a crash, and these calls come with every keystroke burst.
    'triage.close': () => { commitRelaxed(c.db, () => c.labor.unfocus()); return { ok: true as const }; },
    'triage.decide': (i) => triage.decide(i),
    'triage.undo': () => triage.undo(),
    'triage.next': (i) => ({ itemId: triage.next(i.fromItemId, i.direction) }),
    'triage.window': (i) => triage.window(i.around, i.ahead, i.behind, i.known),
    'triage.bulkApprove': (i) => triage.bulkApprove(i.itemIds),

    'labor.signal': (i) => { commitRelaxed(c.db, () => c.labor.signal(i.signal)); return { ok: true as const }; },

    'sync.status': () => c.sync.status(),
    'sync.now': async () => { requireSignedIn(); return c.sync.run(); },
    'sync.checkout': async (i) => { requireSignedIn(); return { claimed: await c.sync.checkout(i.count, i.leaseMinutes) }; },

    'conflicts.list': () => ({ conflicts: c.outbox.openConflicts() }),
    'conflicts.resolve': (i) => {
      if (i.action === 'discard') triage.discard(i.conflictId);
      else triage.resubmit(i.conflictId);
      return { ok: true as const };
    },

    'stats.today': () => todayStats(c.outbox, c.clock.now()),

    'bundles.status': () => c.bundles.status(),
    'bundles.importWork': (i) => c.bundles.importWork(i.bundle, i.passphrase, i.serverKey),
    'bundles.exportDecisions': (i) => c.bundles.exportDecisions(i.passphrase),
    'bundles.importReceipt': (i) => c.bundles.importReceipt(i.bundle, i.passphrase),
    'bundles.checkout': (i) => c.bundles.checkout(i.count, i.hours, i.passphrase),

    'settings.get': () => c.kv.settings(),
    'app.boot': () => {
      const session = c.session.info();
      // Signed out there is no assigned set (triage.next would refuse); the page shows the sign-in.
      const firstId = session.signedIn ? triage.next(null, 'next') : null;
      return { session, settings: c.kv.settings(), first: firstId === null ? null : triage.detail(firstId) };
    },
    'app.revealLogs': () => ({ path: app.logDir, revealed: app.logDir !== null && (app.revealLogs?.() ?? false) }),
    'app.startupMark': (i) => { app.onStartupMark?.(i.name); return { ok: true as const }; },
    'app.reportError': (i) => { app.onRendererError?.(i); return { ok: true as const }; },
    'settings.set': (i) => {
      const before = c.kv.settings();
      const next = Settings.parse({ ...before, ...stripUndefined(i) });
      c.kv.setSettings(next);
      if (next.claimTargetSize > before.claimTargetSize) c.sync.kick();
      return next;
    },

    'ops.escalations': () => ops.escalations(),
    'ops.assign': (i) => ops.assign(i),
    'ops.team': (i) => ops.team(i.window, i.bucket),
    'ops.tax': (i) => ops.tax(i.window, i.groupBy, i.bucket),
    'ops.items': (i) => ops.items(i.itemIds),
    'ops.override': (i) => ops.override(i),
    'ops.signals': (i) => ops.signals(i.window),
    'ops.decideSignal': (i) => ops.decideSignal(i),
    'ops.scorecard': (i) => ops.scorecard(i.window),
    'ops.weekly': (i) => ops.weekly(i.week, i.ownerId),
    'ops.markWeekly': (i) => ops.markWeekly(i),
    'ops.weeklyExport': (i) => ops.weeklyExport(i.week, i.ownerId, i.format),
    'ops.definitions': () => ({ definitions: METRIC_DEFINITIONS }),
    'ops.alerts': () => ops.alerts(),
    'ops.ackAlert': (i) => ops.ackAlert(i.alertId, i.note),
    'ops.rollbackPreview': (i) => ops.rollbackPreview(i.filter),
    'ops.rollbackApply': (i) => ops.rollbackApply(i.rollbackId, i.filter, i.reason),
    'ops.rollbackProgress': (i) => ops.rollbackProgress(i.rollbackId),
    'ops.controlPoints': (i) => ops.controlPoints(i.window, ops.gate('ops.controlPoints').roles),
  });
}

/** Every `ops.*` handler runs behind the role gate, so no ops method can be added without it. */
function gateOpsMethods(ops: OpsService, table: HandlerTable): HandlerTable {
  const gated = { ...table } as Record<string, (input: unknown) => unknown>;
  for (const [method, handler] of Object.entries(table) as [string, (input: unknown) => unknown][]) {
    if (!method.startsWith('ops.')) continue;
    gated[method] = (input) => {
      ops.gate(method);
      return handler(input);
    };
  }
  return gated as HandlerTable;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
