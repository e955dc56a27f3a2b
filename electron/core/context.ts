// The core's parts, wired once by createCore (complete when built: no part is filled in later). The
// handler table reads it; services get only the few parts they use (TriageDeps, SyncEngineDeps, ...).
import type { BundleService } from './bundles/bundle-service';
import type { Db } from './cache-db';
import type { Clock } from './clock';
import type { EventBus } from './event-bus';
import type { ItemsRepo } from './items-repo';
import type { KvRepo } from './kv-repo';
import type { LaborClock } from './labor-clock';
import type { OutboxRepo } from './outbox-repo';
import type { SecretStore } from './secret-store';
import type { SessionService } from './session-service';
import type { SyncEngine } from './sync-engine';

export interface CoreContext {
  db: Db;
  clock: Clock;
  kv: KvRepo;
  items: ItemsRepo;
  outbox: OutboxRepo;
  labor: LaborClock;
  events: EventBus;
  secrets: SecretStore;
  sync: SyncEngine;
  session: SessionService;
  bundles: BundleService;
}
